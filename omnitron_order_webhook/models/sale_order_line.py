from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    omnitron_item_pk = fields.Integer(string="Omnitron Item ID", readonly=True, copy=False, index="btree_not_null")
    omnitron_status = fields.Char(string="Omnitron Item Status", readonly=True, copy=False)
    omnitron_tracking_number = fields.Char(string="Item Tracking Number", readonly=True, copy=False)
    omnitron_invoice_number = fields.Char(string="Item Invoice Number", readonly=True, copy=False)
    omnitron_invoice_date = fields.Datetime(string="Item Invoice Date", readonly=True, copy=False)
    omnitron_e_archive_url = fields.Char(string="Item E-Archive URL", readonly=True, copy=False)
    omnitron_quantity = fields.Integer(
        string="Omnitron Units",
        readonly=True,
        copy=False,
        help="How many units Omnitron's item stands for (more than one for a merged item).",
    )
    omnitron_price = fields.Monetary(
        readonly=True,
        copy=False,
        help="The item's price as Omnitron sent it (for a merged item, per unit or per row).",
    )
