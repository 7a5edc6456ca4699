from odoo import api, fields, models
from odoo.tools import float_is_zero

from ..core import const


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    omnitron_item_pk = fields.Integer(string="Omnitron Item ID", readonly=True, copy=False, index="btree_not_null")
    omnitron_reservation_released = fields.Boolean(
        readonly=True,
        copy=False,
        help="Omnitron was told Odoo has this line (create_mapping), so it no longer holds its units in "
        "reservation: done once the order was confirmed and a stock push holding its product succeeded.",
    )
    omnitron_status = fields.Char(string="Omnitron Item Status Code", readonly=True, copy=False)
    omnitron_status_label = fields.Selection(
        const.STATUS_LABELS, string="Omnitron Item Status", compute="_compute_omnitron_status_label"
    )
    omnitron_tracking_number = fields.Char(string="Item Tracking Number", readonly=True, copy=False)
    omnitron_invoice_number = fields.Char(string="Item Invoice Number", readonly=True, copy=False)
    omnitron_invoice_date = fields.Datetime(string="Item Invoice Date", readonly=True, copy=False)
    omnitron_e_archive_url = fields.Char(string="Item E-Archive URL", readonly=True, copy=False)
    omnitron_shipping_company = fields.Char(
        string="Item Shipping Company",
        readonly=True,
        copy=False,
        help="The cargo company code Omnitron has for this item (as last sent to it).",
    )
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

    omnitron_refund_asked = fields.Monetary(
        string="Refund Asked of Omnitron",
        readonly=True,
        copy=False,
        help="What a return or cancellation made in Odoo asked Omnitron to refund for this item (with the "
        "shipping, when the cargo was refunded too), until Omnitron reports the item cancelled or refunded.",
    )

    @api.depends("omnitron_status")
    def _compute_omnitron_status_label(self):
        statuses = dict(const.STATUS_LABELS)
        for line in self:
            line.omnitron_status_label = line.omnitron_status if line.omnitron_status in statuses else False

    def write(self, vals):
        # A line staff set to 0 on a confirmed order: Omnitron is told its item is cancelled.
        dropped = self.browse()
        if "product_uom_qty" in vals and float_is_zero(vals["product_uom_qty"] or 0, precision_digits=6):
            dropped = self.filtered(
                lambda line: (
                    line.omnitron_item_pk
                    and line.product_uom_qty
                    and line.order_id.state == "sale"
                    and line.omnitron_status not in const.FINAL_STATUSES
                )
            )
        result = super().write(vals)
        for sale_order in dropped.order_id:
            items = dropped.filtered(lambda line, order=sale_order: line.order_id == order).mapped("omnitron_item_pk")
            self.env["omnitron.outbound"]._enqueue(sale_order, "cancel", items)
        return result
