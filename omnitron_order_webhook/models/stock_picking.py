from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime
from odoo.tools.translate import LazyTranslate

from ..core import matters

_lt = LazyTranslate(__name__)

# The context key of a confirmed *Ship anyway*; honoured for Inventory administrators only.
SHIP_ANYWAY = "omnitron_ship_anyway"


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # Searchable (a related field is), so Inventory's transfers filter on it.
    omnitron_hold = fields.Selection(related="sale_id.omnitron_hold", string="Held by Omnitron")
    omnitron_hold_reason = fields.Char(compute="_compute_omnitron_hold_reason")
    omnitron_credit_note_ids = fields.Many2many(
        "account.move",
        "omnitron_return_credit_note_rel",
        "picking_id",
        "move_id",
        string="Credit Notes of the Return",
        readonly=True,
        copy=False,
        check_company=True,
        help="What validating this return of an Omnitron order credited: one credit note per invoice that "
        "billed the goods that came back.",
    )
    omnitron_cargo_refund = fields.Boolean(
        string="Cargo Refunded with the Return",
        readonly=True,
        copy=False,
        help="A return made in Odoo that asks Omnitron to refund the shipping too (the account's Refund "
        "Shipping on Returns, once per order): its credit note credits the shipping.",
    )
    omnitron_delivery_note = fields.Text(
        compute="_compute_omnitron_delivery_note",
        help="What the warehouse must know of the Omnitron order it ships: the customer's note, the gift "
        "wrapping and its message, the delivery slot.",
    )
    omnitron_shipped_before_import = fields.Boolean(
        string="Shipped Before Import",
        readonly=True,
        copy=False,
        help="Done by the import: Omnitron reported these goods shipped before Odoo had the order, so they left "
        "stock here once, with Omnitron's tracking number.",
    )
    omnitron_return_waiting_items = fields.Json(
        string="Refund Request Waiting",
        readonly=True,
        copy=False,
        help="A return made in Odoo whose refund request waits for its credit note to be posted: Omnitron takes "
        "the credit note's number with the request only.",
    )
    omnitron_return_source = fields.Selection(
        [("omnitron", "Omnitron's refund")],
        string="Return Asked By",
        readonly=True,
        copy=True,  # a backorder of the receipt is still Omnitron's refund (never echoed back)
        help="Set on the return receipts Odoo made for Omnitron's refunds: when validated, their credit note "
        "follows what was received.",
    )

    @api.depends("sale_id.omnitron_notes", "sale_id.omnitron_has_gift_box", "sale_id.omnitron_delivery_start")
    @api.depends_context("lang", "tz")
    def _compute_omnitron_delivery_note(self):
        for picking in self:
            order = picking.sale_id
            lines = []
            if picking.picking_type_code == "outgoing" and order.omnitron_number:
                if order.omnitron_notes:
                    lines.append(self.env._("Customer's note: %(note)s", note=order.omnitron_notes))
                if order.omnitron_has_gift_box:
                    lines.append(
                        self.env._("Gift wrapping: %(note)s", note=order.omnitron_gift_box_note)
                        if order.omnitron_gift_box_note
                        else self.env._("Gift wrapping, no message.")
                    )
                if order.omnitron_delivery_start or order.omnitron_delivery_end:
                    slot = " - ".join(
                        # In the reader's language and time zone, as Odoo shows any date and time.
                        format_datetime(self.env, moment, tz=self.env.context.get("tz") or False, dt_format=False)
                        for moment in (order.omnitron_delivery_start, order.omnitron_delivery_end)
                        if moment
                    )
                    lines.append(self.env._("Delivery slot: %(slot)s", slot=slot))
            picking.omnitron_delivery_note = "\n".join(lines) or False

    @api.depends_context("lang")
    def _compute_omnitron_hold_reason(self):
        for picking in self:
            # A sentence or nothing: the empty recordset of an unheld transfer is no reason to store.
            picking.omnitron_hold_reason = picking._omnitron_hold_sentence() if picking._omnitron_held() else False

    def _omnitron_held(self):
        """The outgoing transfers among these that Omnitron's pending request stops."""
        return self.filtered(
            lambda picking: (
                picking.omnitron_hold
                and picking.picking_type_code == "outgoing"
                and picking.state not in ("done", "cancel")
            )
        )

    def _omnitron_hold_sentence(self):
        self.ensure_one()
        order = self.sale_id
        if self.omnitron_hold == "refund":
            return self.env._(
                "%(picking)s: a refund of %(order)s (Omnitron %(number)s) was requested in Omnitron. Do not ship it "
                "until Omnitron refunds it or moves the order on.",
                picking=self.name,
                order=order.name,
                number=order.omnitron_number,
            )
        return self.env._(
            "%(picking)s: the cancellation of %(order)s (Omnitron %(number)s) was requested in Omnitron. Do not ship "
            "it until Omnitron cancels it or moves the order on.",
            picking=self.name,
            order=order.name,
            number=order.omnitron_number,
        )

    def _omnitron_ship_anyway_confirmed(self):
        return bool(self.env.context.get(SHIP_ANYWAY)) and (
            self.env.su or self.env.user.has_group("stock.group_stock_manager")
        )

    def button_validate(self):
        held = self._omnitron_held()
        if held and not self._omnitron_ship_anyway_confirmed():
            if self.env.user.has_group("stock.group_stock_manager"):
                return {
                    "type": "ir.actions.act_window",
                    "name": self.env._("Cancellation requested in Omnitron"),
                    "res_model": "omnitron.ship.anyway",
                    "view_mode": "form",
                    "target": "new",
                    "context": {**self.env.context, "default_picking_ids": self.ids},
                }
            held._omnitron_refuse()
        return super().button_validate()

    def _action_done(self):
        # The guard itself: every way of validating (form, list, barcode, RPC) ends here.
        held = self._omnitron_held()
        if held and not self._omnitron_ship_anyway_confirmed():
            held._omnitron_refuse()
        result = super()._action_done()
        for picking in held.filtered(lambda picking: picking.state == "done"):
            picking.message_post(
                body=Markup("<p>%s</p>")
                % self.env._(
                    "Shipped although Omnitron's %(request)s was pending; confirmed by %(user)s.",
                    request=picking._omnitron_request_words(),
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        # One job per order (a pending one merges): its items' status 500 and tracking.
        shipped = self.filtered(lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing")
        self.env["omnitron.outbound"]._enqueue(shipped.sale_id, "items")
        returned = self.filtered(
            lambda picking: (
                picking.state == "done"
                and picking.picking_type_code == "incoming"
                and picking.return_id
                and picking.sale_id.omnitron_pk
            )
        )
        if returned:
            # Whoever receives the goods (a warehouse user without Sales or Accounting rights)
            # gets the order flagged and credited; sudo keeps them as the author.
            self.env["omnitron.order.return"].sudo()._received(returned.sudo())
        done = self.filtered(lambda picking: picking.state == "done")
        # The stock lists selling from these warehouses drain soon (debounced): the marks are made.
        self.env["omnitron.stock.sync"].sudo()._drain_after_delivery(done.picking_type_id.warehouse_id)
        matter_model = self.env["omnitron.matter"].sudo()
        matter_model._settle(done)
        # Shipped anyway: once no delivery of the order is left to hold, the warehouse's matter is over
        # (the salesperson's request stays, for Omnitron to answer).
        for sale_order in held.filtered(lambda picking: picking.state == "done").sale_id:
            if not sale_order.picking_ids._omnitron_held():
                matter_model._close_kinds(sale_order, ["held"], matters.CLOSED_BY_PERSON)
        return result

    def action_cancel(self):
        result = super().action_cancel()
        self.env["omnitron.matter"].sudo()._settle(self.filtered(lambda picking: picking.state == "cancel"))
        return result

    def _create_backorder(self, backorder_moves=None):
        backorders = super()._create_backorder(backorder_moves)
        # What a return receipt did not receive yet is still a return of the same delivery
        # (Odoo does not copy "Return of"): its validation credits and tells like the first's.
        for backorder in backorders.filtered(lambda picking: picking.sale_id.omnitron_pk):
            if not backorder.return_id and backorder.backorder_id.return_id:
                backorder.return_id = backorder.backorder_id.return_id
        return backorders

    def _omnitron_request_words(self):
        self.ensure_one()
        return self.env._("refund request") if self.omnitron_hold == "refund" else self.env._("cancellation request")

    def _omnitron_refuse(self):
        raise UserError(
            "\n".join(picking._omnitron_hold_sentence() for picking in self)
            + "\n"
            + self.env._("Only an Inventory administrator may ship it anyway.")
        )

    def _omnitron_post_stopped(self, moves, why):
        """The delivery's chatter says which items Omnitron stopped and why, in the company's language."""
        self.ensure_one()
        lang = self.company_id.partner_id.lang or "en_US"
        items = ", ".join(
            f"{move.product_id.default_code or move.product_id.name} ({move.product_uom_qty:g})" for move in moves
        )
        if why == "refund":
            template = _lt("Omnitron refunded %(items)s: do not ship them; their moves were cancelled.")
        else:
            template = _lt("Omnitron cancelled %(items)s: do not ship them; their moves were cancelled.")
        text = template._translate(lang) % {"items": items}
        self.message_post(body=Markup("<p>%s</p>") % text, subtype_xmlid="mail.mt_note")
