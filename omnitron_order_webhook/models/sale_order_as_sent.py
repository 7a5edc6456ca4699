from odoo import fields, models


class SaleOrderAsSent(models.Model):
    """What Omnitron sent of an order that staff may change in Odoo, kept as sent.

    The update flow (``omnitron.order.update``) compares a later delivery
    with it: the customer partner may be renamed by staff, which is no change
    in Omnitron. Written by the import (``core/mapping.order_values``), never
    by an update (such differences are flagged, not applied).
    """

    _inherit = "sale.order"

    omnitron_customer_name = fields.Char(
        string="Omnitron Customer Name", readonly=True, copy=False, help="The customer's name as Omnitron sent it."
    )
    omnitron_customer_email = fields.Char(
        string="Omnitron Customer E-mail",
        readonly=True,
        copy=False,
        help="The customer's e-mail as Omnitron sent it.",
    )
