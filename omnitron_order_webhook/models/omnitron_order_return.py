from collections import defaultdict

from markupsafe import Markup

from odoo import api, models
from odoo.tools import float_compare, float_is_zero
from odoo.tools.translate import LazyTranslate

from ..core import const
from .omnitron_order_cancellation import _names, _paid
from .omnitron_phrases import say

_lt = LazyTranslate(__name__)

# Which returns Omnitron asked for (stock.picking.omnitron_return_source).
FROM_OMNITRON_REFUND = "omnitron"


class OmnitronOrderReturn(models.AbstractModel):
    """Goods that come back from an Omnitron order's customer, through Odoo's own return receipts.

    Omnitron's refund of goods Odoo delivered makes a return receipt (Odoo's
    return wizard, from the delivery that shipped them) for what is still out
    there; the credit note waits for the goods: when the receipt is
    validated, the posted invoice is reversed for what was received. A sibling
    of ``omnitron.order.cancellation``, which decides that goods are to come
    back; this carries it out in the warehouse and the books.
    """

    _name = "omnitron.order.return"
    _description = "Returns of Omnitron Orders"

    # --- Omnitron refunded delivered goods: a receipt waits for them ---

    @api.model
    def _expect(self, sale_order, lines):
        """Return receipts for what Odoo delivered of ``lines`` and no return has taken back or awaits yet.

        One receipt per delivery that shipped the goods, made by Odoo's return
        wizard (its locations, its links to the sale lines), confirmed and
        ready to receive; the warehouse gets an activity on it. Omnitron
        refunds whole items, so each line's delivered quantity comes back:
        a refund told twice, or a line already returned, makes nothing more.
        """
        to_return = {}
        for move in self._delivered_moves(lines):
            awaited = sum(move.returned_move_ids.filtered(lambda ret: ret.state != "cancel").mapped("product_uom_qty"))
            left = move.quantity - awaited
            if float_compare(left, 0, precision_rounding=move.product_uom.rounding) > 0:
                to_return[move] = left
        by_delivery = defaultdict(dict)
        for move, quantity in to_return.items():
            by_delivery[move.picking_id][move] = quantity
        receipts = self.env["stock.picking"]
        for delivery, quantities in by_delivery.items():
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
                .create({"picking_id": delivery.id})
            )
            for wizard_line in wizard.product_return_moves:
                wizard_line.quantity = quantities.get(wizard_line.move_id, 0.0)
            receipt = wizard._create_return()
            receipt.omnitron_return_source = FROM_OMNITRON_REFUND
            self._tell_warehouse(sale_order, receipt)
            receipts |= receipt
        return receipts

    def _delivered_moves(self, lines):
        """The done moves that took ``lines``' goods to the customer (returns excluded)."""
        return lines.move_ids.filtered(
            lambda move: (
                move.state == "done" and move.location_dest_id.usage == "customer" and not move.origin_returned_move_id
            )
        )

    def _tell_warehouse(self, sale_order, receipt):
        """The warehouse's matter: receive what comes back; it closes when the receipt is done."""
        count = sum(receipt.move_ids.mapped("product_uom_qty"))
        self.env["omnitron.matter"]._open(
            sale_order,
            "return_to_receive",
            say(
                _lt("Omnitron refunded these items of %(order)s (Omnitron %(number)s): receive what comes back."),
                order=sale_order.name,
                number=sale_order.omnitron_number,
            ),
            documents=receipt,
            summary=say(
                _lt("Receive the return of %(order)s — %(count)s items"), order=sale_order.name, count=f"{count:g}"
            ),
        )

    # --- A return receipt was validated: the books follow what came back ---

    @api.model
    def _received(self, receipts):
        """Validated return receipts of Omnitron orders: the credit note, Omnitron told, the word to staff.

        Every receipt's credit note covers what it received. A return that
        came from Omnitron's refund is never echoed; one made in Odoo asks
        Omnitron to refund the items that came back whole (one job per
        receipt), and flags those that came back in part: Omnitron refunds
        whole items only.
        """
        for receipt in receipts:
            sale_order = receipt.sale_id
            received = defaultdict(float)
            # Only what comes back to be refunded: a return with "Update quantities on SO"
            # unticked (an exchange, a repair) neither credits nor asks Omnitron anything.
            for move in receipt.move_ids.filtered(
                lambda move: move.state == "done" and move.sale_line_id and move.to_refund
            ):
                received[move.sale_line_id] += move.product_uom._compute_quantity(
                    move.quantity, move.sale_line_id.product_uom
                )
            if not received:
                continue
            if receipt.omnitron_return_source == FROM_OMNITRON_REFUND:
                credit_note = self._credit(sale_order, receipt, received)
                self._settle_refund(sale_order, receipt, received, credit_note)
            else:
                # Items Omnitron refunded or cancelled already came back once more: nothing to ask.
                over = {line: qty for line, qty in received.items() if line.omnitron_status in const.FINAL_STATUSES}
                whole, part = self._whole_and_part({line: qty for line, qty in received.items() if line not in over})
                # Omnitron refunds the cargo with the items it is told of when the account says
                # so, once per order: the books credit the shipping with them.
                receipt.omnitron_cargo_refund = (
                    bool(whole)
                    and sale_order.sudo().omnitron_account_id.return_is_cargo_refund
                    and not (sale_order._omnitron_returns() - receipt).filtered("omnitron_cargo_refund")
                )
                credit_note = self._credit(sale_order, receipt, received, with_shipping=receipt.omnitron_cargo_refund)
                self._tell_omnitron(sale_order, receipt, received, credit_note, whole, part, over)

    def _credit(self, sale_order, receipt, received, with_shipping=False):
        """The posted invoice reversed for what ``receipt`` received (draft, or posted as the account says),
        and for the shipping ``with_shipping``."""
        creditable = {}
        if with_shipping:
            received = dict(received)
            for line in sale_order.order_line.filtered("is_delivery"):
                received[line] = line.qty_invoiced_posted
        for line, quantity in received.items():
            credited = min(quantity, line.qty_invoiced_posted - self._credited_since(line))
            if credited > 0 and not float_is_zero(credited, precision_rounding=line.product_uom.rounding):
                creditable[line] = credited
        if not creditable:
            return self.env["account.move"]
        credit_notes = self.env["omnitron.order.cancellation"]._draft_credit_notes(sale_order, creditable)
        if credit_notes and sale_order.sudo().omnitron_account_id.return_credit_note == "post":
            credit_notes.action_post()
        receipt.omnitron_credit_note_ids = credit_notes
        return credit_notes

    def _settle_refund(self, sale_order, receipt, received, credit_note):
        """Omnitron refunded the goods that came back: staff hear what came, what it cost, what is still out."""
        sentences = [say(_lt("Return %(receipt)s received: %(items)s."), receipt=receipt.name, items=_items(received))]
        if credit_note:
            paid = _paid(credit_note)
            if _posted(credit_note) and paid:
                template = _lt(
                    "Credit note %(credit_note)s posted: the invoice was paid, so it is the customer's outstanding "
                    "credit; refund the customer (Register Payment on the credit note) unless Omnitron's payment "
                    "provider already did."
                )
            elif _posted(credit_note):
                template = _lt("Credit note %(credit_note)s posted against the open invoice.")
            elif paid:
                template = _lt(
                    "Draft credit note %(credit_note)s: check and post it. The invoice was paid: once posted, the "
                    "credit note is the customer's outstanding credit; refund the customer (Register Payment on "
                    "the credit note) unless Omnitron's payment provider already did."
                )
            else:
                template = _lt("Draft credit note %(credit_note)s: check and post it.")
            sentences.append(say(template, credit_note=_names(credit_note)))
        still = self._still_expected(sale_order)
        if still:
            sentences.append(say(_lt("Still expected back: %(items)s."), items=still))
        # The refund settles when its credit note is posted, unless the customer is still to be paid back.
        paid = bool(credit_note) and _paid(credit_note)
        self.env["omnitron.order.update"]._flag(
            sale_order, "omnitron_refunded", tuple(sentences), documents=credit_note, waits_for_person=paid
        )
        self._note(sale_order, sentences)

    def _whole_and_part(self, received):
        """The items of a return made in Odoo that came back whole (pks), and those in part (in words)."""
        whole, part = [], []
        for line, quantity in received.items():
            if not line.omnitron_item_pk:
                continue
            # Omnitron refunds whole items: an item is whole once nothing of it is with the customer
            # nor still on its way there (a backorder would ship what Omnitron refunded).
            on_its_way = line.move_ids.filtered(
                lambda move: move.state not in ("done", "cancel") and move.location_dest_id.usage == "customer"
            )
            if float_is_zero(line.qty_delivered, precision_rounding=line.product_uom.rounding) and not on_its_way:
                whole.append(line.omnitron_item_pk)
            else:
                units = line.omnitron_quantity or quantity + line.qty_delivered
                part.append(f"{line.omnitron_item_pk} ({quantity:g} of {units:g})")
        return whole, part

    def _tell_omnitron(self, sale_order, receipt, received, credit_note, whole, part, over=None):
        """A return made in Odoo: Omnitron is asked to refund the items that came back whole."""
        sentences = [say(_lt("Return %(receipt)s received: %(items)s."), receipt=receipt.name, items=_items(received))]
        if credit_note:
            if _posted(credit_note):
                template = _lt(
                    "Credit note %(credit_note)s posted: Omnitron refunds the customer when told; match its refund "
                    "with the credit note."
                )
            else:
                template = _lt("Draft credit note %(credit_note)s: check and post it.")
                # The accountant's: it closes when the note is posted.
                self.env["omnitron.matter"]._open(
                    sale_order,
                    "credit_note",
                    say(template, credit_note=_names(credit_note)),
                    documents=credit_note,
                )
            sentences.append(say(template, credit_note=_names(credit_note)))
        unsent = []
        if whole:
            items = ", ".join(map(str, sorted(whole)))
            account = sale_order.sudo().omnitron_account_id
            if credit_note and not _posted(credit_note) and account and not account._outbound_refusal():
                # Omnitron takes the credit note's number with the refund request only: the request
                # waits for the accountant to post it (_credit_note_posted), whatever the draft setting.
                receipt.omnitron_return_waiting_items = sorted(whole)
                sentences.append(
                    say(
                        _lt(
                            "Omnitron is asked to refund items %(items)s once credit note %(credit_note)s is posted: "
                            "its number goes with the request."
                        ),
                        items=items,
                        credit_note=_names(credit_note),
                    )
                )
            elif self.env["omnitron.outbound"]._enqueue(sale_order, "return", whole, receipt=receipt):
                sentences.append(say(_lt("Omnitron is asked to refund items %(items)s."), items=items))
            else:
                # Nobody would ever hear of it otherwise: the customer waits for a refund.
                account = sale_order.sudo().omnitron_account_id
                unsent.append(
                    say(
                        _lt(
                            "Items %(items)s came back, but Omnitron was not told: %(why)s Refund the customer for "
                            "them in Omnitron."
                        ),
                        items=items,
                        why=account._outbound_refusal() if account else "",
                    )
                )
        if part:
            unsent.append(
                say(
                    _lt(
                        "Items %(items)s came back in part: Omnitron refunds whole items only, so it was not told. "
                        "Refund the customer for them in Omnitron, or return the rest."
                    ),
                    items=", ".join(part),
                )
            )
        if unsent:
            self.env["omnitron.order.update"]._flag(sale_order, "omnitron_return_unsent", tuple(unsent))
            sentences.extend(unsent)
        if over:
            again = say(
                _lt(
                    "Items %(items)s came back, but Omnitron had refunded or cancelled them already: more came back "
                    "than the customer kept. Omnitron is not asked again and there is nothing to refund; check the "
                    "receipt with the warehouse."
                ),
                items=", ".join(str(line.omnitron_item_pk or _sku(line.product_id)) for line in over),
            )
            self.env["omnitron.order.update"]._flag(sale_order, "omnitron_over_return", again, documents=receipt)
            sentences.append(again)
        self._note(sale_order, sentences)

    @api.model
    def _credit_notes_settled(self, credit_notes):
        """Credit notes posted (or cancelled): the returns waiting for them ask Omnitron now, with the number."""
        receipts = (
            self.env["stock.picking"]
            .sudo()
            .search(
                [("omnitron_credit_note_ids", "in", credit_notes.ids), ("omnitron_return_waiting_items", "!=", False)]
            )
        )
        for receipt in receipts:
            if any(move.state not in ("posted", "cancel") for move in receipt.omnitron_credit_note_ids):
                continue
            items = receipt.omnitron_return_waiting_items
            receipt.omnitron_return_waiting_items = False
            sale_order = receipt.sale_id
            if self.env["omnitron.outbound"]._enqueue(sale_order, "return", items, receipt=receipt):
                said = say(
                    _lt("Credit note %(credit_note)s posted: Omnitron is asked to refund items %(items)s."),
                    credit_note=_names(receipt.omnitron_credit_note_ids),
                    items=", ".join(map(str, items)),
                )
            else:
                said = say(
                    _lt(
                        "Items %(items)s came back, but Omnitron was not told: %(why)s Refund the customer for "
                        "them in Omnitron."
                    ),
                    items=", ".join(map(str, items)),
                    why=sale_order.sudo().omnitron_account_id._outbound_refusal() or "",
                )
                self.env["omnitron.order.update"]._flag(sale_order, "omnitron_return_unsent", said)
            self._note(sale_order, [said])

    def _note(self, sale_order, sentences):
        """The order's chatter, in the company's language."""
        lang = sale_order._omnitron_company_lang()
        phrases = self.env["omnitron.phrases"]
        sale_order.message_post(
            body=Markup("<p>%s</p>") % " ".join(phrases._render(part, lang) for part in sentences),
            subtype_xmlid="mail.mt_note",
        )

    def _credited_since(self, line):
        """Quantity of ``line`` on credit notes (draft or posted) not yet counted in its posted invoicing."""
        return sum(
            invoice_line.quantity
            for invoice_line in line.invoice_lines
            if invoice_line.move_id.move_type == "out_refund" and invoice_line.move_id.state == "draft"
        )

    def _still_expected(self, sale_order):
        """What open return receipts of the order still wait for, as "sku × quantity, …" (empty: nothing)."""
        waiting = (
            sale_order._omnitron_returns()
            .filtered(lambda picking: picking.omnitron_return_source and picking.state not in ("done", "cancel"))
            .move_ids.filtered(lambda move: move.state not in ("done", "cancel"))
        )
        return ", ".join(
            f"{_sku(move.product_id)} × {move.product_uom_qty:g} ({move.picking_id.name})" for move in waiting
        )


def _posted(credit_notes):
    return all(state == "posted" for state in credit_notes.mapped("state"))


def _items(received):
    """``{sale line: quantity}`` as "sku × quantity, …"."""
    return ", ".join(f"{_sku(line.product_id)} × {quantity:g}" for line, quantity in received.items())


def _sku(product):
    return product.default_code or product.name
