from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    omnitron_id = fields.Integer(string="Omnitron ID", readonly=True, copy=False, index="btree_not_null")
    omnitron_number = fields.Char(readonly=True, copy=False, index="btree_not_null")
    omnitron_channel_id = fields.Integer(string="Omnitron Channel ID", readonly=True, copy=False)
    omnitron_channel_name = fields.Char(string="Omnitron Channel", readonly=True, copy=False)
    omnitron_channel_type = fields.Char(readonly=True, copy=False)
    omnitron_status = fields.Char(string="Omnitron Status Code", readonly=True, copy=False)
    omnitron_status_name = fields.Char(string="Omnitron Status", readonly=True, copy=False)
    omnitron_date_placed = fields.Datetime(string="Placed in Omnitron", readonly=True, copy=False)
    omnitron_delivery_type = fields.Char(string="Delivery Type", readonly=True, copy=False)
    omnitron_has_gift_box = fields.Boolean(string="Gift Box", readonly=True, copy=False)
    omnitron_gift_box_note = fields.Text(string="Gift Box Note", readonly=True, copy=False)
    omnitron_cargo_company = fields.Char(string="Cargo Company", readonly=True, copy=False)
    omnitron_tracking_number = fields.Char(string="Tracking Number", readonly=True, copy=False)
    omnitron_tracking_url = fields.Char(string="Tracking URL", readonly=True, copy=False)
    omnitron_invoice_number = fields.Char(readonly=True, copy=False)
    omnitron_invoice_date = fields.Datetime(readonly=True, copy=False)
    omnitron_e_archive_url = fields.Char(string="E-Archive URL", readonly=True, copy=False)
    omnitron_amount = fields.Monetary(
        string="Omnitron Total",
        readonly=True,
        copy=False,
        help="The total Omnitron sent for this order, taxes and shipping included.",
    )
    omnitron_amount_mismatch = fields.Boolean(
        string="Total Differs from Omnitron",
        readonly=True,
        copy=False,
        help="Odoo's total differs from the amount Omnitron sent by more than half the currency's rounding.",
    )
    omnitron_amount_mismatch_detail = fields.Char(string="Total Difference", readonly=True, copy=False)

    _sql_constraints = [
        # The duplicate guard that holds across workers: a search-then-create
        # check alone cannot see an order another transaction is creating.
        (
            "omnitron_channel_number_uniq",
            "unique(omnitron_channel_id, omnitron_number)",
            "An order with this Omnitron number already exists in this channel.",
        ),
    ]
