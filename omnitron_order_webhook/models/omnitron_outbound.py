import json
import logging
from decimal import Decimal

from markupsafe import Markup

from odoo import api, models
from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.tools import float_compare, format_datetime
from odoo.tools.translate import LazyTranslate

from ..core import const, omnitron_api, outbound
from .omnitron_phrases import say

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# Context key of the flows that apply Omnitron's own word (import, updates, and
# what Omnitron accepted): what they change is never sent back (no echo).
FROM_OMNITRON = "omnitron_from_omnitron"

# The job channel (data/queue_job_data.xml): give it capacity 1 in the job
# runner's configuration so an order's jobs run one after another.
CHANNEL = "root.omnitron"
# Attempts before a job fails for good; the delays between them are the job
# function's retry pattern (1, 5, 15, 60 minutes).
MAX_TRIES = 5

KIND_MARK_SENT = "mark_sent"
KIND_ITEMS = "items"
KIND_CANCEL = "cancel"
KIND_RETURN = "return"


class OmnitronOutbound(models.AbstractModel):
    """The flow that tells Omnitron what Odoo did: sibling of the import and the update.

    ``_enqueue`` is called where the change happens (an order imported, a
    delivery validated, an invoice posted, an order or line cancelled by
    staff) and stores a queue_job job in that same transaction, so the job
    exists only if the change commits, and no call is made inside it. The job
    (``sale.order._omnitron_send``) runs ``_send``: it asks ``core/outbound.py``
    what Omnitron lacks, calls Omnitron's API (``core/omnitron_api.py``), and
    records what Omnitron accepted. Temporary failures are retried by
    queue_job with growing delays; permanent ones fail the job at once, which
    the order shows (``omnitron_sync_state``) with a Retry button.
    """

    _name = "omnitron.outbound"
    _description = "Omnitron Outbound Sync"

    @api.model
    def _enqueue(self, sale_orders, kind, item_pks=None, receipt=None):
        """Store the job of ``kind`` for each Omnitron order of ``sale_orders``.

        Each order is told to its own account's Omnitron; an order whose
        account sends nothing (switched off, no connection, archived) gets no
        job, and its sync state says why (``sale.order.omnitron_sync_state``).
        Returns the orders a job was stored for.
        """
        queued = sale_orders.browse()
        if self.env.context.get(FROM_OMNITRON):
            return queued
        sale_orders = sale_orders.filtered("omnitron_pk")
        if not sale_orders:
            return queued
        sending = {}
        for sale_order in sale_orders:
            account = sale_order.sudo().omnitron_account_id
            if account and account.id not in sending:
                sending[account.id] = not account._outbound_refusal()
            if not account or not sending[account.id]:
                continue
            sale_order.with_delay(
                channel=CHANNEL,
                max_retries=MAX_TRIES,
                # An order is marked sent once (it is created once); items and
                # cancellations merge with a pending job of the same order.
                identity_key=None if kind == KIND_MARK_SENT else _identity(sale_order, kind, item_pks, receipt),
                description=_description(sale_order, kind, item_pks, receipt),
            )._omnitron_send(kind, sorted(item_pks) if item_pks else None, receipt.id if receipt else None)
            queued |= sale_order
        return queued

    @api.model
    def _sync_detail(self, jobs):
        """What became of an order's ``jobs``, in the reader's language and time zone (False: nothing to say).

        The last failed job: what Odoo was telling Omnitron and what Omnitron
        answered. Else the last job being retried (queue_job keeps why its try
        failed in its result): which try failed, when the next one is.
        """
        jobs = jobs.sorted("id")
        failed = jobs.filtered(lambda job: job.state == "failed")
        retried = jobs.filtered(
            lambda job: job.state not in ("done", "failed", "cancelled") and job.retry and job.result
        )
        if failed:
            job = failed[-1]
            return self.env._(
                "Telling Omnitron %(what)s failed: %(said)s",
                what=self._job_words(job),
                said=self._failure_words(job, job.exc_message or job.result) or self.env._("no reason was given"),
            )
        if retried:
            job = retried[-1]
            return self.env._(
                "Telling Omnitron %(what)s: try %(attempt)s of %(tries)s failed; the next try is at %(when)s. "
                "Last error: %(said)s",
                what=self._job_words(job),
                attempt=job.retry,
                tries=job.max_retries,
                when=format_datetime(self.env, job.eta, dt_format="short") if job.eta else self.env._("once"),
                said=self._failure_words(job, job.result),
            )
        return False

    def _job_words(self, job):
        """What ``job`` sends, in words (from its arguments: kind and items)."""
        kind, item_pks = (list(job.args or ()) + [None, None])[:2]
        if kind == KIND_MARK_SENT:
            return self.env._("that Odoo took the order")
        if kind == KIND_ITEMS:
            return self.env._("the items' status, tracking number and invoice")
        if kind == KIND_CANCEL and item_pks:
            return self.env._("about the cancellation of items %(items)s", items=", ".join(map(str, item_pks)))
        if kind == KIND_CANCEL:
            return self.env._("about the cancellation of the order")
        if kind == KIND_RETURN:
            return self.env._("about the return of items %(items)s", items=", ".join(map(str, item_pks or ())))
        return job.name

    # --- Why a job failed, kept for its readers ---

    def _refusal_template(self, account):
        """The account's refusal (``_outbound_refusal``) as a template, to be said in any language."""
        if not account.active:
            return _lt(
                "The Omnitron account %(account)s is archived. Complete it in Sales › Omnitron › Accounts, then Retry."
            )
        if not account.outbound_enabled:
            return _lt(
                "Sending to Omnitron is switched off on the account %(account)s. Complete it in Sales › Omnitron › "
                "Accounts, then Retry."
            )
        return _lt(
            "The Omnitron account %(account)s lacks %(fields)s. Complete it in Sales › Omnitron › Accounts, then Retry."
        )

    def _refusal_params(self, account):
        return {"account": account.name, "fields": ", ".join(account._missing_connection() or ())}

    def _give_up(self, template, **params):
        """A job's failure for good: ``FailedJobError`` in English (queue_job's record, the logs), its
        sentence kept to be said in each reader's language (``_failure_words``)."""
        self._keep_failure(template, params)
        english = getattr(template, "_source", template)
        return FailedJobError(english % params if params else english)

    def _keep_failure(self, template, params):
        """Keep why the running job failed, outside its transaction (which rolls back with the failure)."""
        uuid = self.env.context.get("job_uuid")
        if not uuid:
            return
        source = getattr(template, "_source", template)
        values = {
            name: value if isinstance(value, (int, float)) else str(value) for name, value in (params or {}).items()
        }
        with self.env.registry.cursor() as cr:
            cr.execute(
                "INSERT INTO omnitron_job_failure (uuid, template, params) VALUES (%s, %s, %s) "
                "ON CONFLICT (uuid) DO UPDATE SET template = EXCLUDED.template, params = EXCLUDED.params",
                [uuid, source, json.dumps(values)],
            )

    def _failure_words(self, job, english):
        """Why ``job`` failed, in the reader's language: its kept sentence, else ``english`` as stored."""
        self.env.cr.execute("SELECT template, params FROM omnitron_job_failure WHERE uuid = %s", [job.uuid])
        row = self.env.cr.fetchone()
        if not row:
            return english
        return self.env["omnitron.account"]._say(row[0], row[1] or {})

    @api.model
    def _retry(self, sale_orders):
        """Retry the failed Omnitron jobs of ``sale_orders`` now.

        A note only on an order whose jobs were queued again; logged, so no
        e-mail address is needed.
        """
        # Staff may not read queue_job's jobs; retrying their own order's is what they may do.
        for sale_order in sale_orders:
            failed = sale_order.sudo().omnitron_job_ids.filtered(lambda job: job.state == "failed")
            if not failed:
                continue
            failed.requeue()
            lang = sale_order._omnitron_company_lang()
            sale_order._message_log(
                body=Markup("<p>%s</p>")
                % (
                    _lt("Omnitron sync: %(count)s failed call(s) queued again by %(user)s.")._translate(lang)
                    % {"count": len(failed), "user": self.env.user.name}
                ),
            )
        return True

    @api.model
    def _send(self, sale_order, kind, item_pks=None, receipt_id=None):
        """The job: tell the order's own Omnitron; return what was done, in words (kept on the job)."""
        sale_order = sale_order.sudo().with_context(**{FROM_OMNITRON: True})
        account = sale_order.omnitron_account_id.with_context(lang="en_US")
        if not account:
            raise self._give_up(
                _lt("Order %(order)s has no Omnitron account: it is told to no Omnitron."), order=sale_order.name
            )
        if account.active and not account.outbound_enabled:
            if kind == KIND_RETURN:
                # Switched off after the return was validated: the customer still waits for a refund.
                self.env["omnitron.order.update"]._flag(
                    sale_order,
                    "omnitron_return_unsent",
                    say(
                        _lt(
                            "Items %(items)s came back, but Omnitron was not told: %(why)s Refund the customer for "
                            "them in Omnitron."
                        ),
                        items=", ".join(map(str, sorted(item_pks or ()))),
                        why=account._outbound_refusal(),
                    ),
                )
            return f"Sending to Omnitron is switched off on the account {account.name}; nothing was sent."
        refusal = account._outbound_refusal()
        if refusal:
            raise self._give_up(self._refusal_template(account), **self._refusal_params(account))
        client = account._client()
        try:
            if kind == KIND_MARK_SENT:
                return self._mark_sent(client, sale_order)
            if kind == KIND_ITEMS:
                return self._send_items(client, sale_order)
            if kind == KIND_CANCEL:
                return self._cancel(client, sale_order, item_pks, account)
            if kind == KIND_RETURN:
                return self._return(client, sale_order, item_pks, receipt_id, account)
        except omnitron_api.TemporaryFailure as failure:
            self._keep_failure(failure.template, failure.params)
            raise RetryableJobError(str(failure), seconds=failure.retry_after, ignore_retry=failure.waiting) from None
        except omnitron_api.PermanentFailure as failure:
            raise self._give_up(failure.template, **failure.params) from None
        raise self._give_up(_lt("Unknown Omnitron job kind %(kind)s."), kind=repr(kind))

    def _mark_sent(self, client, sale_order):
        client.call("PATCH", omnitron_api.MARK_SENT_PATH.format(pk=sale_order.omnitron_pk), {"is_send": True})
        return f"Order {sale_order.omnitron_number} marked as taken by the ERP (is_send)."

    def _send_items(self, client, sale_order):
        body = outbound.bulk_status_body(self._item_facts(sale_order))
        if body is None:
            return "Omnitron has every item's status, tracking and invoice already; nothing was sent."
        body, withdrawn = self._as_omnitron_has_it_now(client, sale_order, body)
        if body is None:
            return f"Omnitron has cancelled or refunded items {', '.join(map(str, withdrawn))}; nothing was sent."
        client.call("PATCH", omnitron_api.BULK_STATUS_PATH, body)
        lines = {line.omnitron_item_pk: line for line in sale_order.order_line if line.omnitron_item_pk}
        for entry in body["orderitem_set"]:
            lines[entry["id"]].write(outbound.accepted_values(entry))
        # An order without a tracking number of Omnitron's shows the one Omnitron was just
        # given. Recorded as Omnitron's own value, its next delivery carrying that number
        # changes nothing, and one Omnitron sets itself still replaces it (core/lifecycle.py);
        # a number Omnitron set is never overwritten, so the two never flip-flop.
        sent_tracking = [entry["tracking_number"] for entry in body["orderitem_set"] if entry.get("tracking_number")]
        if sent_tracking and not sale_order.omnitron_tracking_number:
            sale_order.write({"omnitron_tracking_number": sent_tracking[-1]})
        return "Sent: " + "; ".join(f"item {entry['id']} status {entry['status']}" for entry in body["orderitem_set"])

    def _as_omnitron_has_it_now(self, client, sale_order, body):
        """``body`` checked against the items as Omnitron has them now: ``(body or None, withdrawn pks)``.

        As Akinon's own client does, the live order is read before its items
        are updated (one call per order, the items endpoint too when the
        detail has none). An item Omnitron has cancelled, refunded or is
        cancelling while Odoo never heard of it (a lost delivery) is never
        pushed forward: the order is refreshed from what was just read (the
        update rules cancel what they cancel, and flag what was shipped), it
        is flagged for a person, and the rest is sent.
        """
        catch_up_flow = self.env["omnitron.catch.up"]
        try:
            payload, errors = catch_up_flow._fetch(client, sale_order.omnitron_pk)
        except omnitron_api.PermanentFailure as failure:
            if failure.status != 404:
                raise
            # Its detail is not readable there (an Omnitron without the integration read):
            # the update itself says whether Omnitron takes it.
            _logger.warning("Omnitron order %s: its detail could not be read before the push", sale_order.name)
            return body, []
        withdrawn = outbound.withdrawn(body, {} if errors else outbound.live_statuses(payload))
        if not withdrawn:
            return body, withdrawn
        catch_up_flow._apply_refresh(sale_order, payload, errors)
        self.env["omnitron.order.update"]._flag(
            sale_order,
            "omnitron_changed",
            say(
                _lt(
                    "Omnitron had cancelled or refunded items %(items)s without Odoo hearing of it; Odoo was about "
                    "to report them shipped or invoiced. The order was refreshed from Omnitron and those items were "
                    "not reported: check what was shipped or invoiced for them."
                ),
                items=", ".join(map(str, withdrawn)),
            ),
        )
        refreshed = outbound.bulk_status_body(self._item_facts(sale_order))
        return (outbound.without_items(refreshed, withdrawn) if refreshed else None), withdrawn

    def _item_facts(self, sale_order):
        facts = []
        links = self._invoice_links(sale_order)
        for line in sale_order.order_line.filtered("omnitron_item_pk"):
            done = line.move_ids.filtered(lambda move: move.state == "done" and move.picking_code == "outgoing")
            picking = done.picking_id.sorted(lambda picking: (picking.date_done, picking.id))[-1:]
            invoice = line.invoice_lines.move_id.filtered(
                lambda move: move.move_type == "out_invoice" and move.state == "posted"
            ).sorted("id")[-1:]
            # What left for the customer, returns aside: an item shipped then returned was shipped,
            # and Omnitron hears so before it hears of the refund (see _return).
            sent_out = sum(move.product_uom._compute_quantity(move.quantity, line.product_uom) for move in done)
            shipped = bool(
                line.product_uom_qty
                and float_compare(sent_out, line.product_uom_qty, precision_rounding=line.product_uom.rounding) >= 0
            )
            facts.append(
                outbound.ItemFacts(
                    pk=line.omnitron_item_pk,
                    status=line.omnitron_status or None,
                    tracking_number=line.omnitron_tracking_number or None,
                    shipping_company=line.omnitron_shipping_company or None,
                    invoice_number=line.omnitron_invoice_number or None,
                    invoice_date=line.omnitron_invoice_date or None,
                    shipped=shipped,
                    tracking_ref=picking.carrier_tracking_ref or None,
                    carrier_code=(picking.carrier_id or sale_order.carrier_id).omnitron_shipping_company or None,
                    invoice_name=invoice.name or None,
                    invoice_day=invoice.invoice_date or None,
                    e_archive_url=line.omnitron_e_archive_url or None,
                    invoice_link=links.get(invoice.id) if invoice else None,
                )
            )
        return facts

    def _invoice_links(self, sale_order):
        """``{invoice id: link}`` of the order's posted invoices when its account sends them (else empty).

        The invoice's customer-portal link with its access token: it opens the
        invoice's PDF without logging in, which is what Omnitron shows the buyer
        (``e_archive_url``); whoever has the link can open the invoice, hence off
        by default.
        """
        if not sale_order.omnitron_account_id.send_invoice_link:
            return {}
        invoices = sale_order.invoice_ids.filtered(
            lambda move: move.move_type == "out_invoice" and move.state == "posted"
        )
        return {invoice.id: invoice.get_base_url() + invoice.get_portal_url() for invoice in invoices}

    def _cancel(self, client, sale_order, item_pks, account):
        if not account.cancellation_reason_id:
            raise self._give_up(
                _lt(
                    "Set the Cancellation Reason ID (Omnitron's reason for cancellations made in Odoo) on the account "
                    "%(account)s, then Retry."
                ),
                account=account.name,
            )
        lines = sale_order.order_line.filtered(
            lambda line: line.omnitron_item_pk and line.omnitron_status not in const.FINAL_STATUSES
        )
        whole = not item_pks
        if not whole:
            lines = lines.filtered(lambda line: line.omnitron_item_pk in item_pks)
        if not lines:
            return "Omnitron has these items cancelled already; nothing was sent."
        # The shipping is refunded with a whole order only, and only when Omnitron is asked to
        # (is_cargo_refund, default false): what Odoo expects refunded is what it asks for.
        cargo = whole and account.cancel_is_cargo_refund
        _hold(sale_order)
        to_send = self._not_cancelled_yet(client, sale_order, lines)
        if to_send:
            body = outbound.cancel_body(
                sale_order.omnitron_pk,
                to_send.mapped("omnitron_item_pk"),
                account.cancellation_reason_id,
                whole and to_send == lines,
                cargo_refund=cargo,
            )
            client.call("POST", omnitron_api.CANCEL_PATH.format(pk=sale_order.omnitron_pk), body)
        lines.write({"omnitron_status": const.STATUS_CANCELLED})
        _asked_refund(sale_order, lines, with_shipping=cargo)
        if whole:
            sale_order.write(
                {
                    "omnitron_status": const.STATUS_CANCELLED,
                    "omnitron_status_name": const.ORDER_STATUSES[const.STATUS_CANCELLED][0],
                }
            )
        done = "the whole order" if whole else "items " + ", ".join(map(str, item_pks))
        if to_send != lines:
            return f"Cancelled in Omnitron: {done}; {_had_already(lines - to_send)}"
        return f"Cancelled in Omnitron: {done}"

    def _not_cancelled_yet(self, client, sale_order, lines):
        """``lines`` less those Omnitron has cancelled, refunded or is cancelling already, as it answers now.

        A cancel or return whose answer was lost (a timeout after Omnitron
        accepted it) is retried: read back first, only what Omnitron does not
        have yet is asked again, so a customer is never refunded twice. An
        Omnitron whose detail cannot be read (404) is asked for them all.
        """
        try:
            payload, errors = self.env["omnitron.catch.up"]._fetch(client, sale_order.omnitron_pk)
        except omnitron_api.PermanentFailure as failure:
            if failure.status != 404:
                raise
            _logger.warning("Omnitron order %s: its detail could not be read before a cancel", sale_order.name)
            return lines
        live = {} if errors else outbound.live_statuses(payload)
        return lines.filtered(lambda line: live.get(line.omnitron_item_pk) not in outbound.WITHDRAWN_STATUSES)

    def _return(self, client, sale_order, item_pks, receipt_id, account):
        """Items that came back in a return made in Odoo: Omnitron refunds them (its cancel call)."""
        if not account.cancellation_reason_id:
            raise self._give_up(
                _lt(
                    "Set the Cancellation Reason ID (Omnitron's reason for cancellations and returns made in Odoo) on "
                    "the account %(account)s, then Retry."
                ),
                account=account.name,
            )
        lines = sale_order.order_line.filtered(
            lambda line: line.omnitron_item_pk in (item_pks or ()) and line.omnitron_status not in const.FINAL_STATUSES
        )
        if not lines:
            return "Omnitron has these items refunded or cancelled already; nothing was sent."
        receipt = self.env["stock.picking"].browse(receipt_id).exists()
        # Omnitron takes one invoice number: the credit note of the newest invoice, once all are posted.
        credit_notes = receipt.omnitron_credit_note_ids.sorted("id")
        posted = credit_notes and all(state == "posted" for state in credit_notes.mapped("state"))
        # Decided when the receipt was validated (the account's setting then, once per order).
        cargo = receipt.omnitron_cargo_refund
        _hold(sale_order)
        to_send = self._not_cancelled_yet(client, sale_order, lines)
        shipped_first = ""
        if to_send:
            # An item shipped while Omnitron was down comes back before its shipment job's next
            # try: Omnitron hears it was shipped first (it refunds shipped items), then of the
            # refund. Not when an earlier try reached Omnitron: it told the shipment before.
            shipped_first = self._send_items(client, sale_order)
            body = outbound.return_body(
                sale_order.omnitron_pk,
                to_send.mapped("omnitron_item_pk"),
                account.cancellation_reason_id,
                cargo,
                credit_notes[0].name if posted else None,
            )
            client.call("POST", omnitron_api.CANCEL_PATH.format(pk=sale_order.omnitron_pk), body)
        # Omnitron's next delivery says 600 for them: recorded now, it changes nothing then.
        lines.write({"omnitron_status": const.STATUS_REFUNDED})
        _asked_refund(sale_order, lines, with_shipping=cargo)
        said = "Refund asked of Omnitron for items " + ", ".join(map(str, to_send.mapped("omnitron_item_pk")))
        if shipped_first.startswith("Sent:"):
            said = f"{shipped_first}; then {said[0].lower()}{said[1:]}"
        if to_send != lines:
            already = _had_already(lines - to_send)
            return f"{said}; {already}" if to_send else f"Nothing sent: {already}"
        return said


def _had_already(lines):
    """What a read-back found: Omnitron had these items already (an earlier try reached it)."""
    return (
        "Omnitron had items "
        + ", ".join(map(str, lines.mapped("omnitron_item_pk")))
        + " cancelled or refunded already (an earlier try reached it), so they were not asked again."
    )


def _hold(sale_order):
    """The order's turn before a call Omnitron must not get twice (a cancel or a return).

    Omnitron's own delivery of the change the call makes waits for this job
    (``sale.order._omnitron_lock`` takes the same turn) and, as the job
    writes the order's row (its items' refund asked, summed on the order),
    is then replayed on what the job recorded: never read as news. An
    advisory lock, not the row: the job's failed try is recorded by
    queue_job while the job's transaction still runs.
    """
    sale_order._omnitron_turn()


def _asked_refund(sale_order, lines, with_shipping):
    """Omnitron accepted to cancel or refund ``lines``: each keeps what Omnitron will refund for it
    (the shipping on the first, when the cargo is refunded too) until Omnitron reports it."""
    per_row = sale_order.omnitron_prices_per_row
    for index, line in enumerate(lines.sorted("omnitron_item_pk")):
        shipping = Decimal(str(sale_order.omnitron_shipping_amount)) if with_shipping and not index else None
        asked = outbound.refund_asked([(Decimal(str(line.omnitron_price)), line.omnitron_quantity)], per_row, shipping)
        line.omnitron_refund_asked = float(asked)


def _identity(sale_order, kind, item_pks, receipt=None):
    if receipt:  # a return is told once per receipt
        return f"omnitron:{kind}:{sale_order.id}:receipt-{receipt.id}"
    items = ",".join(map(str, sorted(item_pks))) if item_pks else "all"
    return f"omnitron:{kind}:{sale_order.id}:{items}"


def _description(sale_order, kind, item_pks, receipt=None):
    items = ", ".join(map(str, sorted(item_pks or ())))
    what = {
        KIND_MARK_SENT: "mark as taken",
        KIND_ITEMS: "item status, tracking and invoice",
        KIND_CANCEL: "cancel " + (f"items {items}" if item_pks else "order"),
        KIND_RETURN: f"return of items {items} ({receipt.name if receipt else ''})",
    }[kind]
    return f"Omnitron {sale_order.omnitron_number}: {what} ({sale_order.name})"
