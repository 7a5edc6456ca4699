from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.tools import float_compare, float_is_zero
from odoo.tools.translate import LazyTranslate

from ..core import const
from .omnitron_outbound import FROM_OMNITRON
from .omnitron_phrases import say

_lt = LazyTranslate(__name__)


class OmnitronOrderCancellation(models.AbstractModel):
    """What Omnitron's cancellations, refunds and their requests do to an imported order.

    Part of the update flow (``omnitron.order.update`` decides, this carries
    out), and of the import for an order that arrives already waiting for
    its cancellation. The rule everywhere: what Odoo has not shipped is never
    shipped (its moves are cancelled, whatever the invoice says); what left
    the warehouse or was invoiced is for staff, flagged with what to do; a
    pending request holds the deliveries (``sale.order.omnitron_hold``).
    Each method returns the list of what it did, as ``Said`` sentences (core/said.py):
    English in the API's answer, the company's language in the chatter.
    Runs inside the caller's transaction and savepoint.
    """

    _name = "omnitron.order.cancellation"
    _description = "Omnitron Cancellations and Refunds of an Order"

    @api.model
    def _cancel(self, sale_order):
        """Status 100: the order is cancelled with its open deliveries when nothing left or was invoiced.

        Otherwise what is not shipped is stopped and the order, flagged,
        stays for the credit note and the returns.
        """
        if sale_order.state == "cancel":
            return [say(_lt("the order was already cancelled"))]
        if not self._delivered_or_invoiced(sale_order):
            sale_order._action_cancel()
            return [say(_lt("order cancelled, with its open deliveries"))]
        stopped = self._stop_undelivered(sale_order, sale_order.order_line.filtered("omnitron_item_pk"), "cancel")
        self.env["omnitron.order.update"]._flag(
            sale_order,
            "omnitron_cancelled_late",
            say(
                _lt(
                    "Omnitron cancelled this order after Odoo delivered or invoiced it. What was not shipped will "
                    "not be. Receive what comes back and issue a credit note for what was invoiced."
                )
            ),
        )
        return _joined(stopped, say(_lt("cancelled after delivery or invoice: flagged for the credit note")))

    @api.model
    def _cancel_items(self, sale_order, item_pks):
        """Items 100: their lines drop to 0 when nothing of them left or was invoiced; else stopped and flagged."""
        open_lines, late_lines = self._split_left(sale_order, item_pks)
        sentences = []
        if open_lines:
            sentences.append(self._drop_lines(sale_order, open_lines, "cancel"))
        if late_lines:
            sentences.append(self._stop_undelivered(sale_order, late_lines, "cancel"))
            self.env["omnitron.order.update"]._flag(
                sale_order,
                "omnitron_cancelled_late",
                say(
                    _lt(
                        "Omnitron cancelled items %(items)s after Odoo delivered or invoiced them. What was not "
                        "shipped will not be. Receive what comes back and issue a credit note for what was invoiced."
                    ),
                    items=_pks(late_lines),
                ),
            )
            sentences.append(
                say(_lt("items %(items)s cancelled after delivery or invoice: flagged"), items=_pks(late_lines))
            )
        return _joined(*sentences)

    @api.model
    def _refund(self, sale_order, item_pks, growth, order_refunded):
        """Refunds. What Odoo neither delivered nor invoiced is simply not shipped (the order
        cancelled, or the lines set to 0); what was invoiced but not shipped is stopped too; the
        rest is flagged with the items and amount, with a draft credit note for refunded items of
        a posted invoice.
        """
        if order_refunded and not item_pks:
            # The whole order, except what Omnitron has refunded already: items a return made
            # in Odoo asked it to refund are recorded at 600 once it accepted.
            item_pks = set(
                sale_order.order_line.filtered(
                    lambda line: line.omnitron_item_pk and line.omnitron_status != const.STATUS_REFUNDED
                ).mapped("omnitron_item_pk")
            )
        if order_refunded and not self._delivered_or_invoiced(sale_order):
            if sale_order.state == "cancel":
                return [say(_lt("the order was already cancelled"))]
            sale_order._action_cancel()
            return [say(_lt("refunded before delivery or invoice: order cancelled, with its open deliveries"))]
        sentences = []
        open_lines, lines = self._split_left(sale_order, item_pks)
        if open_lines:
            sentences.append(self._drop_lines(sale_order, open_lines, "refund"))
        if lines:
            sentences.append(self._stop_undelivered(sale_order, lines, "refund"))
        what = []
        if lines:
            what.append(say(_lt("items %(items)s"), items=_pks(lines)))
        if growth:
            what.append(say(_lt("%(amount)s more refunded"), amount=sale_order.currency_id.format(float(growth))))
        if not what:
            return _joined(*sentences)
        # Delivered goods come back through a return receipt, and their credit note follows
        # what is received (omnitron.order.return); what was invoiced beyond what was
        # delivered has no goods to wait for: it is credited now.
        receipts = self.env["omnitron.order.return"]._expect(sale_order, lines) if lines else None
        # Net of the draft credit notes already made for them (a return made in Odoo credits
        # what came back before Omnitron says it refunded it).
        returns = self.env["omnitron.order.return"]
        excess = {line: line.qty_invoiced_posted - returns._credited_since(line) - line.qty_delivered for line in lines}
        excess = {
            line: quantity
            for line, quantity in excess.items()
            if float_compare(quantity, 0, precision_rounding=line.product_uom.rounding) > 0
        }
        credit_note = self._draft_credit_notes(sale_order, excess) if excess else None
        if credit_note:
            if _paid(credit_note):
                # The invoice stays paid (the draft is not reconciled with it): posted, the
                # credit note is the customer's outstanding credit, money to give back.
                template = _lt(
                    "Omnitron refunded %(what)s. A draft credit note %(credit_note)s was prepared: check and post "
                    "it. The invoice was paid: once posted, the credit note is the customer's outstanding credit; "
                    "refund the customer (Register Payment on the credit note) unless Omnitron's payment "
                    "provider already did."
                )
            else:
                template = _lt(
                    "Omnitron refunded %(what)s. A draft credit note %(credit_note)s was prepared: check and post it."
                )
            note = [say(template, what=tuple(what), credit_note=_names(credit_note))]
            sentence = say(
                _lt("refund flagged (%(what)s); draft credit note %(credit_note)s"),
                what=tuple(what),
                credit_note=_names(credit_note),
            )
        elif receipts:
            note = [say(_lt("Omnitron refunded %(what)s."), what=tuple(what))]
            sentence = say(_lt("refund flagged (%(what)s)"), what=tuple(what))
        else:
            note = [
                say(
                    _lt("Omnitron refunded %(what)s. Receive what comes back and settle the refund in Accounting."),
                    what=tuple(what),
                )
            ]
            sentence = say(_lt("refund flagged (%(what)s)"), what=tuple(what))
        if receipts:
            names = ", ".join(receipts.mapped("name"))
            note.append(
                say(
                    _lt(
                        "Return %(receipts)s waits for what was delivered: validate it when the goods arrive; the "
                        "credit note follows what is received."
                    ),
                    receipts=names,
                )
            )
            sentence = say(_lt("%(said)s; return receipt %(receipts)s"), said=sentence, receipts=names)
        note = note[0] if len(note) == 1 else tuple(note)
        # Settled by its documents (the receipts done, the credit note posted) unless the customer
        # is still to be paid back: then the accountant closes it.
        self.env["omnitron.order.update"]._flag(
            sale_order,
            "omnitron_refunded",
            note,
            documents=[*(receipts or []), *(credit_note or [])],
            waits_for_person=bool(credit_note) and _paid(credit_note),
        )
        sentences.append(sentence)
        return _joined(*sentences)

    @api.model
    def _request(self, sale_order, plan_type):
        """A cancellation or refund requested in Omnitron (status 50 or a plan): hold, flag and tell staff."""
        note = request_note(plan_type)
        if plan_type == "refund":
            summary = _lt("Do not ship: refund requested in Omnitron")
            said = say(_lt("refund requested in Omnitron; staff told"))
        else:
            summary = _lt("Do not ship: cancellation requested in Omnitron")
            said = say(_lt("cancellation requested in Omnitron; staff told"))
        update = self.env["omnitron.order.update"]
        update._flag(sale_order, "omnitron_plan_request", note, value=plan_type)
        # The guard: stock.picking refuses to validate while the hold's matter is open;
        # its activity is the warehouse's, on the pending delivery.
        update._flag(sale_order, "omnitron_hold", note, value=plan_type, summary=say(summary))
        return [said]

    # --- The goods ---

    @api.model
    def _deliver_shipped(self, sale_order, items):
        """Items Omnitron reports shipped when Odoo first confirms the order left stock already.

        ``items`` are the order's validated Omnitron items at a shipped status
        (500-550). Odoo must not ship them again, and their goods are gone:
        their planned moves are cancelled (with the pick and pack moves of
        two- and three-step delivery) and the goods leave stock once, through
        a done delivery of the order's warehouse from its stock to the
        customer, per tracking number Omnitron gave, carrying it. So the
        lines are delivered, invoiced on delivered quantities (by the
        automatic workflow too) and counted out of stock. A channel whose
        goods leave from elsewhere (a marketplace's own fulfilment,
        ``ships_elsewhere``) marks them delivered without a stock move, as does
        a product tracked by lot or serial number (Omnitron names none).
        """
        pks = {item.pk for item in items}
        if not pks or sale_order.state != "sale":
            return
        lines = sale_order.order_line.filtered(
            lambda line: line.omnitron_item_pk in pks and line.qty_delivered < line.product_uom_qty
        )
        if not lines:
            return
        moves = lines.move_ids
        # In two- or three-step delivery the pick and pack moves come before the
        # line's own move and are not linked to the line: cancel them too.
        moves |= moves.browse(moves._rollup_move_origs())
        moves.filtered(lambda move: move.state not in ("done", "cancel"))._action_cancel()
        sale_order.omnitron_shipped_before_import = ", ".join(
            f"{line.product_id.default_code or line.product_id.name} (item {line.omnitron_item_pk})" for line in lines
        )
        stocked = lines.filtered(lambda line: line.product_id.is_storable or line.product_id.type == "consu")
        # A product tracked by lot or serial number cannot leave stock without one, which Omnitron
        # does not give: such lines are marked delivered, as for goods that leave from elsewhere.
        elsewhere = (
            stocked
            if sale_order.omnitron_channel_id.ships_elsewhere
            else stocked.filtered(lambda line: line.product_id.tracking != "none")
        )
        for line in elsewhere:
            line.qty_delivered = line.product_uom_qty
        tracking = {item.pk: item.tracking_number or sale_order.omnitron_tracking_number or False for item in items}
        by_tracking = {}
        for line in stocked - elsewhere:
            by_tracking.setdefault(tracking.get(line.omnitron_item_pk) or False, []).append(line)
        for tracking_ref, shipped in by_tracking.items():
            self._delivered_elsewhere_in_time(sale_order, shipped, tracking_ref)

    def _delivered_elsewhere_in_time(self, sale_order, lines, tracking_ref):
        """One done delivery of ``lines`` from the order's warehouse, as Omnitron reported it shipped."""
        warehouse = sale_order.warehouse_id
        picking_type = warehouse.out_type_id
        source = warehouse.lot_stock_id
        destination = sale_order.partner_shipping_id.property_stock_customer or self.env.ref(
            "stock.stock_location_customers"
        )
        picking = (
            self.env["stock.picking"]
            .with_context(**{FROM_OMNITRON: True})
            .create(
                {
                    "picking_type_id": picking_type.id,
                    "location_id": source.id,
                    "location_dest_id": destination.id,
                    "partner_id": sale_order.partner_shipping_id.id,
                    "origin": sale_order.name,
                    "group_id": sale_order.procurement_group_id.id,
                    "carrier_id": sale_order.carrier_id.id,
                    "carrier_tracking_ref": tracking_ref,
                    "company_id": sale_order.company_id.id,
                    "omnitron_shipped_before_import": True,
                    "move_ids": [
                        Command.create(
                            {
                                "name": line.name[:2000],
                                "product_id": line.product_id.id,
                                "product_uom_qty": line.product_uom_qty,
                                "product_uom": line.product_uom.id,
                                "location_id": source.id,
                                "location_dest_id": destination.id,
                                "sale_line_id": line.id,
                                "group_id": sale_order.procurement_group_id.id,
                                "warehouse_id": warehouse.id,
                                "company_id": sale_order.company_id.id,
                            }
                        )
                        for line in lines
                    ],
                }
            )
        )
        picking.action_confirm()
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        # Done as Omnitron said, without the validation wizards (backorder, SMS, labels):
        # the goods are gone whether or not Odoo's stock knew of them.
        picking.with_context(skip_backorder=True, skip_sms=True, cancel_backorder=True)._action_done()
        return picking

    # --- The order's life after the import (omnitron.order.update carries the plans out) ---

    def _delivered_or_invoiced(self, sale_order, lines=None):
        """Whether Odoo delivered goods of ``lines`` (default: the whole order) or posted an invoice for them.

        Judged on Odoo's own records, which a cancellation would have to undo:
        items Omnitron reported shipped before the import have no stock move
        here, and a draft invoice is cancelled with the order. Their history,
        not what is left of them: goods that went out and came back, an
        invoice credited in full, still happened.
        """
        lines = (lines if lines is not None else sale_order.order_line).filtered(lambda line: not line.display_type)
        return any(
            line.qty_delivered
            or self._ever_sent(line)
            or line.invoice_lines.filtered(
                lambda invoice_line: (
                    invoice_line.move_id.move_type == "out_invoice" and invoice_line.move_id.state == "posted"
                )
            )
            for line in lines
        )

    def _ever_sent(self, line):
        """What of ``line`` ever left for the customer (its done deliveries; returns not deducted)."""
        moves = self.env["omnitron.order.return"]._delivered_moves(line)
        return sum(move.product_uom._compute_quantity(move.quantity, line.product_uom) for move in moves)

    def _split_left(self, sale_order, item_pks):
        """The lines of ``item_pks``: (not delivered nor invoiced, delivered or invoiced)."""
        lines = sale_order.order_line.filtered(lambda line: line.omnitron_item_pk in item_pks)
        late = lines.filtered(lambda line: self._delivered_or_invoiced(sale_order, line))
        return lines - late, late

    def _stop_undelivered(self, sale_order, lines, why):
        """What Omnitron cancelled or refunded (``why``) and Odoo has not shipped is never shipped.

        Whatever the invoice says: the open moves of ``lines`` are cancelled
        (the delivery keeps the other items, or is cancelled when none is
        left, and says so in its chatter) and each line's quantity drops to
        what was delivered, so the order asks for a credit note of the rest
        and no procurement brings the moves back. What was delivered stays
        for the returns flow: nothing goes back to *Ready*. Returns what was
        done, or None when nothing was open.
        """
        if sale_order.state != "sale":
            return None
        moves = lines.move_ids
        # In two- or three-step delivery the pick and pack moves come before the
        # line's own move and are not linked to the line: cancel them too.
        moves |= moves.browse(moves._rollup_move_origs())
        open_moves = moves.filtered(lambda move: move.state not in ("done", "cancel"))
        # What left stays ordered even when it came back: returns lower what was delivered
        # and are credited, they do not unmake the sale.
        sent = {line: self._ever_sent(line) for line in lines}
        short = lines.filtered(
            lambda line: (
                float_compare(line.product_uom_qty, sent[line], precision_rounding=line.product_uom.rounding) > 0
            )
        )
        if not open_moves and not short:
            return None
        pickings = open_moves.picking_id
        open_moves._action_cancel()
        with sale_order._omnitron_unlocked():
            for line in short:
                line.product_uom_qty = sent[line]
        for picking in pickings:
            picking._omnitron_post_stopped(open_moves.filtered(lambda move, p=picking: move.picking_id == p), why)
        return say(_lt("items %(items)s not shipped: their open moves cancelled"), items=_pks(short or lines))

    def _drop_lines(self, sale_order, lines, why):
        """Lines nothing of which left or was invoiced go to quantity 0, their open moves cancelled."""
        self._stop_undelivered(sale_order, lines, why)
        with sale_order._omnitron_unlocked():
            lines.write({"product_uom_qty": 0})
        return say(_lt("items %(items)s set to quantity 0"), items=_pks(lines))

    # --- The money ---

    def _draft_credit_notes(self, sale_order, quantities):
        """Draft reversals of the posted invoices of some lines, keeping only theirs (never posted here).

        ``quantities``: each sale line with the quantity to credit (at most
        what its posted invoices hold). Each invoice is credited for what it
        still holds of a line (its quantity less what credit notes of it
        already took), the newest invoice first: an order invoiced as it
        shipped, in several invoices, has its goods credited against the
        invoices that billed them, one credit note per invoice. Odoo's own
        reversal: the invoice's prices, taxes, accounts and links to the
        order, as an accountant's *Credit Note* button makes it; its
        reference in the company's language.
        """
        by_invoice = defaultdict(dict)
        for line, wanted in quantities.items():
            # The line's own invoice lines hold both: what each invoice billed, what each credit
            # note of it (draft or posted) took back.
            billed, taken_back = defaultdict(float), defaultdict(float)
            for invoice_line in line.invoice_lines:
                move = invoice_line.move_id
                if move.move_type == "out_invoice" and move.state == "posted":
                    billed[move] += invoice_line.quantity
                elif move.move_type == "out_refund" and move.state != "cancel" and move.reversed_entry_id:
                    taken_back[move.reversed_entry_id] += invoice_line.quantity
            for invoice in sorted(billed, key=lambda move: move.id, reverse=True):
                if float_compare(wanted, 0, precision_rounding=line.product_uom.rounding) <= 0:
                    break
                held = billed[invoice] - taken_back[invoice]
                taken = min(wanted, held)
                if float_compare(taken, 0, precision_rounding=line.product_uom.rounding) > 0:
                    by_invoice[invoice][line] = taken
                    wanted -= taken
        reason = _lt("Refund of %(order)s in Omnitron")._translate(sale_order._omnitron_company_lang()) % {
            "order": sale_order.omnitron_number
        }
        credit_notes = self.env["account.move"]
        for invoice, taken in by_invoice.items():
            credit_note = invoice.sudo()._reverse_moves(
                [{"ref": reason, "invoice_date": fields.Date.context_today(sale_order)}]
            )
            # One write: the move's tax and payment-term lines are synchronised once, not per line.
            commands = []
            for credit_line in credit_note.invoice_line_ids.filtered(lambda line: line.display_type == "product"):
                sale_line = credit_line.sale_line_ids[:1]
                if sale_line not in taken:
                    commands.append(Command.delete(credit_line.id))
                    continue
                wanted = min(taken[sale_line], credit_line.quantity)
                taken[sale_line] -= wanted
                if float_is_zero(wanted, precision_rounding=credit_line.product_uom_id.rounding):
                    commands.append(Command.delete(credit_line.id))
                elif (
                    float_compare(wanted, credit_line.quantity, precision_rounding=credit_line.product_uom_id.rounding)
                    < 0
                ):
                    commands.append(Command.update(credit_line.id, {"quantity": wanted}))
            if commands:
                credit_note.write({"invoice_line_ids": commands})
            credit_notes |= credit_note
        return credit_notes


def _names(credit_notes):
    return ", ".join(credit_notes.mapped("display_name"))


def _paid(credit_notes):
    """Whether an invoice these credit notes reverse was paid (in part)."""
    return any(
        state in ("paid", "in_payment", "partial") for state in credit_notes.reversed_entry_id.mapped("payment_state")
    )


def _pks(lines):
    return ", ".join(str(pk) for pk in lines.mapped("omnitron_item_pk"))


def _joined(*sentences):
    """Several sentences as one list (the chatter and the answer join them with "; ")."""
    return [sentence for sentence in sentences if sentence]


def request_note(plan_type):
    """What a request of Omnitron's asks of staff (its matters' sentence)."""
    if plan_type == "refund":
        return say(_lt("Omnitron asks for a refund of this order: do not ship what is not shipped yet."))
    return say(
        _lt(
            "Omnitron asks to cancel this order: do not ship it. It is cancelled here when Omnitron confirms the "
            "cancellation."
        )
    )
