from odoo import api, fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    omnitron_pk = fields.Integer(string="Omnitron ID", readonly=True, copy=False, index="btree_not_null")
    omnitron_number = fields.Char(readonly=True, copy=False, index="btree_not_null")
    omnitron_channel_pk = fields.Integer(string="Omnitron Channel ID", readonly=True, copy=False)
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
    omnitron_amount_mismatch_detail = fields.Char(
        string="Total Difference", compute="_compute_omnitron_amount_mismatch_detail"
    )

    omnitron_shipped_before_import = fields.Char(
        string="Shipped Before Import",
        readonly=True,
        copy=False,
        help="Items Omnitron reported as shipped or delivered when the order was imported. They get no stock "
        "move, so the warehouse does not ship them a second time.",
    )

    _sql_constraints = [
        # The duplicate guard that holds across workers: a search-then-create
        # check alone cannot see an order another transaction is creating.
        # Per company: another company's order with the same number is none
        # of this sender's business (no existence oracle, no blocking).
        (
            "omnitron_channel_number_uniq",
            "unique(omnitron_channel_pk, omnitron_number, company_id)",
            "An order with this Omnitron number already exists in this channel and company.",
        ),
    ]

    @api.depends("omnitron_amount_mismatch", "omnitron_amount", "amount_total", "currency_id")
    @api.depends_context("lang")
    def _compute_omnitron_amount_mismatch_detail(self):
        """The banner's sentence, in the reader's language (only the numbers are stored)."""
        for sale_order in self:
            if not sale_order.omnitron_amount_mismatch:
                sale_order.omnitron_amount_mismatch_detail = False
                continue
            currency = sale_order.currency_id
            sale_order.omnitron_amount_mismatch_detail = self.env._(
                "Odoo's total %(odoo_total)s differs from the amount Omnitron sent, %(omnitron_total)s, "
                "by %(difference)s.",
                odoo_total=currency.format(sale_order.amount_total),
                omnitron_total=currency.format(sale_order.omnitron_amount),
                difference=currency.format(sale_order.amount_total - sale_order.omnitron_amount),
            )

    def _omnitron_skip_shipped_items(self, item_pks):
        """Items Omnitron reports as already shipped get no stock move: Odoo must not ship them again.

        Their moves are cancelled (the delivery keeps the other items, or is
        cancelled when none is left) and the order says which items, so the
        warehouse sees why and stock is not counted out twice.
        """
        self.ensure_one()
        if not item_pks or self.state != "sale":
            return
        lines = self.order_line.filtered(lambda line: line.omnitron_item_pk in item_pks)
        moves = lines.move_ids
        # In two- or three-step delivery the pick and pack moves come before the
        # line's own move and are not linked to the line: cancel them too.
        moves |= moves.browse(moves._rollup_move_origs())
        moves.filtered(lambda move: move.state not in ("done", "cancel"))._action_cancel()
        self.omnitron_shipped_before_import = ", ".join(
            f"{line.product_id.default_code or line.product_id.name} (item {line.omnitron_item_pk})" for line in lines
        )
