import logging
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

from ..core import const, lifecycle, matters, responses
from ..core.said import Status
from .omnitron_outbound import FROM_OMNITRON, KIND_CANCEL, KIND_RETURN
from .omnitron_phrases import said_of_order, say
from .omnitron_webhook_reception import Refusal

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)


class OmnitronOrderUpdate(models.AbstractModel):
    """The flow that applies Omnitron's later word on an imported order.

    Two entry points, both called by ``omnitron.webhook.reception`` (which
    owns the transaction, as for the import):

    - ``_update``: the order webhook posted an order Odoo already has. What
      changes is decided by the pure rules of ``core/lifecycle.py``; this
      model carries them out: statuses and fields written, the order
      confirmed or cancelled, items dropped, refunds flagged (with a draft
      credit note), differences flagged, one chatter note.
    - ``_apply_plan``: the cancellation-plan webhook asked to cancel or refund.

    The order's row is locked first, so concurrent deliveries of one order
    apply one after the other (the later one is replayed and sees the first).
    """

    _name = "omnitron.order.update"
    _description = "Omnitron Order Update"

    @api.model
    def _find_imported(self, company, channel_pk, number):
        """The order imported for (channel, number) in ``company``, or an empty recordset."""
        return (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("omnitron_channel_pk", "=", channel_pk),
                    ("omnitron_number", "=", number),
                    ("company_id", "=", company.id),
                ],
                limit=1,
            )
        )

    def _steps(self, arrival):
        return (
            self.with_user(arrival.user)
            .with_company(arrival.company)
            .sudo()
            .with_context(mail_notrack=True, mail_create_nolog=True, no_vat_validation=True, **{FROM_OMNITRON: True})
        )

    @api.model
    def _update(self, arrival, call, sale_order):
        """Apply delivery ``call`` to ``sale_order``; return (outcome, sale order)."""
        steps = self._steps(arrival)
        sale_order = sale_order.with_env(steps.env)
        sale_order._omnitron_lock()
        sale_order.invalidate_recordset()
        plan = lifecycle.plan_update(self._known(sale_order), call.order, now=arrival.started)
        if plan.outdated:
            raise Refusal(responses.Outcome.ignored(const.REASON_OUTDATED_UPDATE, plan.outdated), sale_order)
        if not plan.changed:
            raise Refusal(self.env["omnitron.order.import"]._duplicate(call.order), sale_order)
        sentences = steps._apply(sale_order, plan, call.order)
        self._post(sale_order, sentences)
        return responses.Outcome.updated(said_of_order(sale_order, sentences)), sale_order

    def _known(self, sale_order):
        """What ``sale_order`` holds, as core/lifecycle.py compares a new delivery with it."""
        lines = sale_order.order_line.filtered("omnitron_item_pk")
        return lifecycle.KnownOrder(
            state=sale_order.state,
            status=sale_order.omnitron_status or None,
            tracking_number=sale_order.omnitron_tracking_number or None,
            tracking_url=sale_order.omnitron_tracking_url or None,
            invoice_number=sale_order.omnitron_invoice_number or None,
            invoice_date=sale_order.omnitron_invoice_date or None,
            e_archive_url=sale_order.omnitron_e_archive_url or None,
            gift_box_note=sale_order.omnitron_gift_box_note or None,
            # What Omnitron sent, not the carrier's codes: an admin may edit those.
            cargo_codes=tuple(sale_order.omnitron_cargo_codes.split("/", 1))
            if sale_order.omnitron_cargo_codes
            else (
                sale_order.carrier_id.omnitron_shipping_company or None,
                sale_order.carrier_id.omnitron_erp_code or None,
            ),
            amount=_decimal(sale_order.omnitron_amount),
            shipping_amount=_decimal(sale_order.omnitron_shipping_amount),
            refund_amount=_decimal(sale_order.omnitron_refund_amount),
            modified_date=sale_order.omnitron_modified_date or None,
            customer_pk=sale_order.partner_id.omnitron_customer_pk or None,
            billing_key=sale_order.partner_invoice_id.omnitron_address_key or None,
            shipping_key=sale_order.partner_shipping_id.omnitron_address_key or None,
            per_row_prices=sale_order.omnitron_prices_per_row,
            items={
                line.omnitron_item_pk: lifecycle.KnownItem(
                    pk=line.omnitron_item_pk,
                    status=line.omnitron_status or None,
                    tracking_number=line.omnitron_tracking_number or None,
                    invoice_number=line.omnitron_invoice_number or None,
                    invoice_date=line.omnitron_invoice_date or None,
                    e_archive_url=line.omnitron_e_archive_url or None,
                    price=_decimal(line.omnitron_price),
                    quantity=line.omnitron_quantity or None,
                    skus=_skus(line.product_id),
                    tax_rate=_tax_rate(line.tax_id),
                    refund_asked=_decimal(line.omnitron_refund_asked),
                )
                for line in lines
            },
            reported_differences=sale_order.omnitron_reported_differences or None,
            customer_name=sale_order.partner_id.name or None,
            currency=sale_order.currency_id.name or None,
            # Orders imported before these were kept have none: not compared.
            customer_sent=(sale_order.omnitron_customer_name, sale_order.omnitron_customer_email or None)
            if sale_order.omnitron_customer_name
            else None,
        )

    def _apply(self, sale_order, plan, omnitron_order):
        """Carry ``plan`` out on ``sale_order``; return what was done, in words."""
        sentences = list(plan.changes)
        if plan.order_values:
            sale_order.write(plan.order_values)
        decided = (plan.status and plan.status[1] != const.STATUS_CANCELLATION_WAITING) or (
            plan.cancel_order or plan.cancelled_items or plan.refunded_items or plan.order_refunded
        )
        if decided:
            # Omnitron decided: it cancelled or refunded (what is not shipped is
            # stopped below) or it moved the order on, withdrawing the request.
            # What was asked is answered: the request and the hold close, with their activities.
            closed = self.env["omnitron.matter"]._close_kinds(
                sale_order, ["plan_request", "held"], matters.CLOSED_BY_OMNITRON
            )
            if "held" in closed.mapped("kind"):
                sentences.append(say(_lt("shipping no longer held")))
        for line in sale_order.order_line.filtered(lambda line: line.omnitron_item_pk in plan.item_values):
            line.write(plan.item_values[line.omnitron_item_pk])
        if plan.cargo is not None:
            sentences.append(self._change_carrier(sale_order, plan.cargo))
        if plan.differences:
            note = say(
                _lt(
                    "Omnitron changed what is never applied automatically: %(differences)s. Check the order and "
                    "change it by hand if needed."
                ),
                differences=tuple(plan.differences),
            )
            self._flag(sale_order, "omnitron_changed", note)
            sentences.append(
                say(_lt("flagged as changed in Omnitron: %(differences)s"), differences=tuple(plan.differences))
            )
        if plan.unapplied_state:
            sentences.append(self._flag_unapplied_state(sale_order, plan))
        if plan.confirm:
            sale_order.action_confirm()
            sale_order.date_order = omnitron_order.date_placed
            self.env["omnitron.order.cancellation"]._deliver_shipped(
                sale_order, [item for item in omnitron_order.items if item.status in const.SHIPPED_ITEM_STATUSES]
            )
            sentences.append(say(_lt("order confirmed")))
        cancellation = self.env["omnitron.order.cancellation"]
        if plan.cancel_order:
            sentences.extend(cancellation._cancel(sale_order))
        if plan.cancelled_items:
            sentences.extend(cancellation._cancel_items(sale_order, set(plan.cancelled_items)))
        if plan.refunded_items or plan.refund_growth or plan.order_refunded:
            sentences.extend(
                cancellation._refund(sale_order, set(plan.refunded_items), plan.refund_growth, plan.order_refunded)
            )
        if plan.cancellation_requested:
            sentences.extend(cancellation._request(sale_order, "cancel"))
        return [sentence for sentence in sentences if sentence]

    def _flag_unapplied_state(self, sale_order, plan):
        """Omnitron moved the order to a status whose state Odoo does not take by itself: a person decides."""
        status = Status(plan.status[1])
        if sale_order.state == "cancel":
            note = say(
                _lt(
                    "Omnitron moved the cancelled order on to status %(status)s. Odoo does not reopen a cancelled "
                    "order by itself: set it to quotation and confirm it if it is to be shipped, or ask Omnitron."
                ),
                status=status,
            )
            said = say(_lt("flagged: Odoo keeps the order cancelled"))
        else:
            note = say(
                _lt(
                    "Omnitron moved the confirmed order back to status %(status)s, which a quotation has. Odoo keeps "
                    "it confirmed: check with Omnitron whether it is still to be shipped."
                ),
                status=status,
            )
            said = say(_lt("flagged: Odoo keeps the order confirmed"))
        self._flag(sale_order, "omnitron_changed", note)
        return said

    @api.model
    def _flag(self, sale_order, flag, note, value=False, documents=None, summary=None, waits_for_person=False):
        """Open (or add ``note`` to) the matter ``flag`` stands for on ``sale_order`` (omnitron.matter).

        The note is kept as what it is made of, so the banner reads in its
        reader's language; the activity goes to the kind's person, in theirs.
        ``documents``: the receipts and credit notes that settle it.
        """
        if summary is None and flag == "omnitron_plan_request":
            summary = say(_lt("Request from Omnitron"))
        return self.env["omnitron.matter"]._open(
            sale_order,
            matters.kind_of_flag(flag),
            note,
            value=value,
            documents=documents,
            summary=summary,
            waits_for_person=waits_for_person,
        )

    @api.model
    def _unflag(self, sale_order, flag, reason=matters.CLOSED_BY_FIX):
        """Close the open matter ``flag`` stands for: what it warned of is over by itself."""
        return self.env["omnitron.matter"]._close_kinds(sale_order, [matters.kind_of_flag(flag)], reason)

    @api.model
    def _post(self, sale_order, sentences):
        """One chatter note for one applied delivery, in the company's language, statuses by name."""
        lang = sale_order._omnitron_company_lang()
        changes = self.env["omnitron.phrases"]._render(list(sentences), lang)
        body = Markup("<p>%s</p>") % (_lt("Omnitron: %(changes)s")._translate(lang) % {"changes": changes})
        sale_order.message_post(body=body, subtype_xmlid="mail.mt_note")

    @api.model
    def _mark_handled(self, sale_orders):
        """Staff dealt with what Omnitron asked: the orders' open matters a person may close are closed.

        One note per order that had something to close, logged (not posted),
        so no e-mail address is needed. The shipping hold stays: it is
        Omnitron's to lift.
        """
        handleable = sale_orders.omnitron_open_matter_ids.filtered("handleable")
        handleable.action_mark_handled()
        return True

    def _change_carrier(self, sale_order, cargo):
        try:
            carrier = self.env["omnitron.order.import"]._find_carrier(cargo, sale_order.company_id)
        except Refusal:
            self._flag(
                sale_order,
                "omnitron_changed",
                say(
                    _lt(
                        "Omnitron moved the order to cargo company %(code)s (ERP code %(erp_code)s), which no "
                        "carrier matches: set the codes on a carrier, then choose it on the order and its delivery."
                    ),
                    code=cargo.shipping_company,
                    erp_code=cargo.erp_code or "—",
                ),
            )
            return say(_lt("no carrier for cargo company %(code)s: flagged"), code=cargo.shipping_company)
        sale_order.carrier_id = carrier
        pending = sale_order.picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel"))
        pending.carrier_id = carrier
        return say(_lt("carrier %(carrier)s"), carrier=carrier.name)

    @api.model
    def _plan_answers_odoo(self, sale_order, call):
        """Whether plan ``call`` is Omnitron's own record of a cancel or return Odoo asked for.

        Akinon creates a cancellation plan whenever an item or the order is
        cancelled or refunded, through its API too. A plan naming items asks
        nothing new when every item it names is one this order has, already
        cancelled or refunded here (Odoo recorded its accepted request, or
        Omnitron told Odoo before); a plan naming another item holds as any
        request of Omnitron's. A plan naming no items is Odoo's echo only when
        Omnitron accepted Odoo's cancel or return of this order within
        PLAN_ECHO_WINDOW (the plan waits for that job: both take the order's turn).
        """
        lines = sale_order.order_line.filtered("omnitron_item_pk")
        if call.item_pks is not None:
            named = lines.filtered(lambda line: line.omnitron_item_pk in call.item_pks)
            return (
                bool(call.item_pks)
                and len(named) == len(set(call.item_pks))
                and all(status in const.FINAL_STATUSES for status in named.mapped("omnitron_status"))
            )
        since = fields.Datetime.now() - PLAN_ECHO_WINDOW
        asked = sale_order.sudo().omnitron_job_ids.filtered(
            lambda job: (
                job.state == "done"
                and (job.args or [None])[0] in (KIND_CANCEL, KIND_RETURN)
                and job.date_done
                and job.date_done >= since
            )
        )
        return bool(asked)

    @api.model
    def _apply_plan(self, arrival, call):
        """Record cancellation plan ``call`` on its order; return (outcome, sale order)."""
        steps = self._steps(arrival)
        company = arrival.company
        sale_order = steps._find_imported(company, call.order.channel.pk, call.order.number).with_env(steps.env)
        if not sale_order:
            raise Refusal(
                responses.Outcome.ignored(
                    const.REASON_ORDER_NOT_FOUND,
                    f"No order {call.order.number} of channel {call.order.channel.pk} was imported in "
                    f"{company.name}; the plan was not recorded.",
                )
            )
        sale_order._omnitron_lock()
        Plan = steps.env["omnitron.cancellation.plan"]
        if Plan.search_count([("plan_pk", "=", call.plan_pk), ("company_id", "=", company.id)], limit=1):
            raise Refusal(
                responses.Outcome.ignored(
                    const.REASON_DUPLICATE_PLAN,
                    f"Cancellation plan {call.plan_pk} was recorded before; nothing was changed.",
                ),
                sale_order,
            )
        echo = self._plan_answers_odoo(sale_order, call)
        Plan.create(
            {
                "plan_pk": call.plan_pk,
                "plan_type": call.plan_type,
                "order_status": call.order.status or False,
                "item_pks": ", ".join(map(str, call.item_pks or ())) or False,
                "answers_odoo": echo,
                "sale_order_id": sale_order.id,
                "event_uuid": call.event_uuid,
                "received_at": arrival.started,
            }
        )
        sentences = [
            say(_lt("refund plan %(plan)s"), plan=call.plan_pk)
            if call.plan_type == "refund"
            else say(_lt("cancellation plan %(plan)s"), plan=call.plan_pk)
        ]
        if echo:
            # Omnitron makes a plan for every cancel and refund, those Odoo asked for too:
            # that one asks nothing Odoo has not done, so nothing is held or flagged.
            sentences.append(say(_lt("it answers the cancellation or return made in Odoo: nothing held")))
            self._post(sale_order, sentences)
            return responses.Outcome.plan_recorded(said_of_order(sale_order, sentences)), sale_order
        # Only "cancellation waiting" is taken from a plan: a plan saying 100 or
        # 600 is kept on the plan, and the order webhook's own delivery of that
        # status cancels or refunds the order (applied once, by the update rules).
        status = call.order.status
        if status == const.STATUS_CANCELLATION_WAITING and lifecycle.moves_forward(sale_order.omnitron_status, status):
            sentences.append(lifecycle.status_change(sale_order.omnitron_status, status))
            sale_order.write({"omnitron_status": status, "omnitron_status_name": call.order.status_name})
        sentences.extend(self.env["omnitron.order.cancellation"]._request(sale_order, call.plan_type))
        self._post(sale_order, sentences)
        return responses.Outcome.plan_recorded(said_of_order(sale_order, sentences)), sale_order


# How long after a cancel or return Odoo sent Omnitron a plan that names no items is
# taken as Omnitron's answer to it (Omnitron creates the plan as it takes the call).
PLAN_ECHO_WINDOW = timedelta(minutes=30)


def _decimal(value):
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _skus(product):
    """The skus that lead the import to ``product``: its reference and the sku it was created for."""
    return tuple(dict.fromkeys(sku for sku in (product.default_code, product.omnitron_sku) if sku))


def _tax_rate(taxes):
    """The rate of a line's tax as Omnitron names it (0 without a tax; None when not one percent tax)."""
    if not taxes:
        return Decimal(0)
    if len(taxes) > 1 or taxes.amount_type != "percent":
        return None
    return Decimal(str(taxes.omnitron_rate or taxes.amount))
