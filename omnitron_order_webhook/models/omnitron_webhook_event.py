import base64
import json
import logging
from datetime import timedelta

from odoo import api, fields, models

from ..core import const, payload_display, payments
from ..core.said import Said
from ..core.settings import ConfigError

_logger = logging.getLogger(__name__)


class OmnitronWebhookEvent(models.Model):
    """One row per authenticated delivery: what arrived and what we answered."""

    _name = "omnitron.webhook.event"
    # The chatter and the activity of a delivery that needs a person; the
    # event's rooms: why (explanation), who hears of it (attention), what
    # fixes it (fixes) — one file each, mixed in here.
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "omnitron.event.explanation",
        "omnitron.event.attention",
        "omnitron.event.fixes",
    ]
    _description = "Omnitron Webhook Event"
    # Events are read-only rows: whoever may read one may discuss it in its chatter.
    _mail_post_access = "read"
    _order = "received_at desc, id desc"
    _rec_name = "event_uuid"
    _rec_names_search = ["order_number", "event_uuid"]

    event_uuid = fields.Char(string="Event UUID", readonly=True, index=True)
    event_type = fields.Char(readonly=True)
    webhook = fields.Selection(const.WEBHOOKS, required=True, readonly=True, default=const.WEBHOOK_ORDER)
    order_number = fields.Char(readonly=True, index=True)
    channel_pk = fields.Integer(string="Channel ID", readonly=True, aggregator=None)  # an id: never summed
    channel_id = fields.Many2one("omnitron.channel", readonly=True, ondelete="set null", index="btree_not_null")
    received_at = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now, index=True)
    pulled_again_at = fields.Datetime(
        string="Last Pulled Again",
        readonly=True,
        help="When the catch-up pull last met this same refusal of the same order again.",
    )
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True, aggregator=None)
    state = fields.Selection(
        const.EVENT_STATES,
        readonly=True,
        required=True,
        index=True,
    )
    reason = fields.Selection(const.REASON_LABELS, readonly=True, index=True)
    explanation = fields.Text(
        string="Why",
        compute="_compute_explanation",
        help="What happened and what to do, in your language, from what the delivery carried.",
    )
    # The same sentence on one line, for the event list: a text column wraps each row to its full height.
    explanation_line = fields.Char(string="Why", compute="_compute_explanation")
    detail = fields.Text(readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True, ondelete="set null", index="btree_not_null")
    user_id = fields.Many2one("res.users", string="Sender", readonly=True, ondelete="set null")
    account_id = fields.Many2one(
        "omnitron.account", string="Omnitron Account", readonly=True, ondelete="set null", index="btree_not_null"
    )
    payment_kind = fields.Selection(
        payments.KINDS,
        string="Payment",
        compute="_compute_payment_kind",
        store=True,
        help="How the order was paid, as read from the delivery (Omnitron's payment type, slug or transactions).",
    )
    source = fields.Selection(
        const.SOURCES,
        readonly=True,
        default=const.SOURCE_WEBHOOK,
        help="How the delivery reached Odoo: posted by Omnitron, fetched by the catch-up pull, or run again from "
        "the back office.",
    )
    token_id = fields.Many2one("omnitron.token", readonly=True, ondelete="set null", index="btree_not_null")
    response_body = fields.Text(
        string="Answer", readonly=True, help="The JSON body the webhook answered (none for 204)."
    )
    origin_event_id = fields.Many2one(
        "omnitron.webhook.event",
        string="Reprocess of",
        readonly=True,
        ondelete="set null",
        help="The delivery this event reprocessed from the back office.",
    )
    reprocess_event_ids = fields.One2many(
        "omnitron.webhook.event", "origin_event_id", string="Reprocessed Events", readonly=True
    )
    reprocessed_event_id = fields.Many2one(
        "omnitron.webhook.event",
        string="Reprocessed as",
        compute="_compute_reprocessed_event_id",
        search="_search_reprocessed_event_id",
        help="The newer event created when this delivery was reprocessed.",
    )
    can_reprocess = fields.Boolean(compute="_compute_can_reprocess")
    dismissed_by_id = fields.Many2one("res.users", string="Dismissed by", readonly=True, ondelete="set null")
    dismissed_at = fields.Datetime(readonly=True)
    dismiss_note = fields.Text(string="Why Dismissed", readonly=True)
    resolved_by_event_id = fields.Many2one(
        "omnitron.webhook.event",
        string="Resolved by",
        readonly=True,
        ondelete="set null",
        help="A later delivery of the same order that imported or updated it: this one needs nobody any more.",
    )
    needs_attention = fields.Boolean(
        compute="_compute_needs_attention",
        store=True,
        index=True,
        help="A delivery a person must look at: ignored for a reason someone can fix, failed, or rejected "
        "(a lost order), and neither reprocessed nor dismissed. Routine re-deliveries and the admin's own "
        "filters are not.",
    )
    cause = fields.Char(
        compute="_compute_cause",
        store=True,
        readonly=True,
        help="What the delivery waits for: the cargo company's codes, the missing references or the tax "
        "rates. Deliveries with the same cause are fixed together.",
    )
    can_fix = fields.Boolean(compute="_compute_can_fix", help="Whether you may press this delivery's fix buttons.")
    fixer_names = fields.Char(
        string="Who Can Fix It",
        compute="_compute_can_fix",
        help="The Omnitron administrators of the delivery's company.",
    )
    payload_pretty = fields.Text(string="Payload (formatted)", compute="_compute_payload_pretty")
    payload_file = fields.Binary(string="Raw Payload", compute="_compute_payload_file", attachment=False)
    payload_filename = fields.Char(compute="_compute_payload_file")
    # The form needs to know a payload exists without loading it (it can be megabytes).
    has_payload = fields.Boolean(compute="_compute_payload_file")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    payload = fields.Text(readonly=True, help="The request body, without channel.conf (the channel's credentials).")
    detail_facts = fields.Json(readonly=True, help="The detail as what it is made of, read in the reader's language.")

    @api.depends("order_number", "event_uuid", "reason")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for event in self:
            if event.order_number:
                subject = self.env._("Order %(number)s", number=event.order_number)
            else:
                subject = self.env._("Event %(uuid)s", uuid=event.event_uuid or event.id)
            reason = event._reason_label()
            event.display_name = f"{subject} ({reason})" if reason else subject

    @api.depends("reason", "detail", "detail_facts", "payload", "order_id", "state")
    @api.depends_context("lang")
    def _compute_explanation(self):
        phrases = self.env["omnitron.phrases"]
        lang = self.env.lang or "en_US"
        for event in self:
            said = phrases._render(phrases._load(event.detail_facts), lang) if event.detail_facts else False
            event.explanation = event._explain() or said or event.detail or False
            event.explanation_line = " ".join((event.explanation or "").split()) or False

    @api.depends("state", "reason", "reprocess_event_ids", "dismissed_at", "resolved_by_event_id")
    def _compute_needs_attention(self):
        for event in self:
            event.needs_attention = bool(
                event.state in const.ATTENTION_STATES
                and event.reason not in const.NO_ATTENTION_REASONS
                and not event.reprocess_event_ids
                and not event.dismissed_at
                and not event.resolved_by_event_id
            )

    @api.depends("reason", "payload")
    def _compute_cause(self):
        for event in self:
            event.cause = ", ".join(event._cause_parts()) or False

    @api.depends_context("uid")
    def _compute_can_fix(self):
        can_fix = self.env.user.has_group("omnitron_order_webhook.group_omnitron_manager")
        group = self.env.ref("omnitron_order_webhook.group_omnitron_manager").sudo()
        for event in self:
            event.can_fix = can_fix
            company = event.company_id or self.env.company
            fixers = group.users.filtered(lambda user, company=company: user.active and not user.share)
            fixers = fixers.filtered(lambda user, company=company: company in user.company_ids)
            event.fixer_names = ", ".join(fixers.sorted("name").mapped("name")) or False

    @api.depends("reprocess_event_ids")
    def _compute_reprocessed_event_id(self):
        for event in self:
            event.reprocessed_event_id = event.reprocess_event_ids[:1]

    def _search_reprocessed_event_id(self, operator, value):
        return [("reprocess_event_ids", operator, value)]

    @api.depends("state", "payload", "reprocess_event_ids")
    def _compute_can_reprocess(self):
        for event in self:
            event.can_reprocess = bool(
                event.state in (const.STATE_IGNORED, const.STATE_FAILED)
                and event.payload
                and not event.reprocess_event_ids
            )

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for event in self:
            event.payload_pretty = payload_display.pretty(event.payload) or False

    @api.depends("payload", "event_uuid")
    def _compute_payload_file(self):
        for event in self:
            event.payload_file = base64.b64encode(event.payload.encode()) if event.payload else False
            event.payload_filename = f"omnitron-event-{event.event_uuid or event.id}.json"
            event.has_payload = bool(event.payload)

    @api.model
    def _record(self, arrival, outcome, call=None, sale_order=None, channel=None):
        """Write the event row of one delivery: what arrived and what was answered.

        Without ``call`` (refused before it could be parsed) the order's
        number, channel and event uuid are taken from the body when present.
        """
        document = arrival.document
        order_data = document.get("payload") if isinstance(document, dict) else None
        order_data = order_data if isinstance(order_data, dict) else {}
        event_data = document.get("event") if isinstance(document, dict) else None
        event_data = event_data if isinstance(event_data, dict) else {}
        if arrival.webhook == const.WEBHOOK_CANCELLATION_PLAN:
            # A plan's order is flat, under payload.order; its channel may be a bare id.
            order_data = order_data.get("order") if isinstance(order_data.get("order"), dict) else {}
        channel_data = order_data.get("channel")
        channel_pk = channel_data.get("pk") if isinstance(channel_data, dict) else channel_data
        if call:
            channel_pk = call.order.channel.pk
        elif isinstance(channel_pk, bool) or not (
            isinstance(channel_pk, int) and 0 < channel_pk <= const.MAX_DB_INTEGER
        ):
            channel_pk = False
        if channel is None:
            channel = self.env["omnitron.channel"].sudo()._find(arrival.account, channel_pk)
        values = {
            "webhook": arrival.webhook,
            "channel_id": channel.id,
            "event_uuid": call.event_uuid if call else _short_text(event_data.get("uuid")),
            "event_type": call.event_type if call else _short_text(event_data.get("type")),
            "order_number": call.order.number if call else _short_text(order_data.get("number")),
            "channel_pk": channel_pk,
            "received_at": arrival.started,
            "duration_ms": arrival.elapsed_ms(),
            "http_status": outcome.status,
            "state": outcome.state,
            "reason": outcome.reason,
            "detail": outcome.detail,
            # What was said, kept to be read in each reader's language (the answer stays English).
            "detail_facts": self.env["omnitron.phrases"]._store(outcome.detail)
            if isinstance(outcome.detail, Said)
            else False,
            "order_id": sale_order.id if sale_order else False,
            "user_id": arrival.user.id,
            "token_id": arrival.token.id if arrival.token else False,
            "response_body": json.dumps(outcome.body, ensure_ascii=False) if outcome.body is not None else False,
            "company_id": arrival.company.id,
            "account_id": arrival.account.id if arrival.account else False,
            "source": arrival.source,
            "payload": json.dumps(document, ensure_ascii=False) if document is not None else False,
        }
        # An event is a log row: no creation message, no follower, no tracking.
        events = self.sudo().with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
        # Its stored computes worked out in memory and written by the INSERT itself: on the
        # webhook's hot path, not two UPDATEs of the row right after it.
        draft = events.new(values)
        values.update(
            {field: draft[field] for field in ("needs_attention", "cause", "payment_kind")},
        )
        return events.create(values)

    @api.depends("payload", "webhook")
    def _compute_payment_kind(self):
        for event in self:
            document = _json_or_none(event.payload) if event.webhook == const.WEBHOOK_ORDER else None
            payload = document.get("payload") if isinstance(document, dict) else None
            event.payment_kind = payments.payment_kind(payload).kind if isinstance(payload, dict) else False

    @api.model
    def _earlier_pull_refusal(self, arrival, outcome):
        """The event of the same refusal of the same pulled delivery, when it is the latest word on it (empty: none).

        A refused order stays listed by Omnitron until its cause is fixed, so
        the pull meets it at every run: its event is written once per cause,
        not once per run. A pulled delivery's uuid names the account, the
        order and its state in Omnitron (core/catch_up.py): the latest event
        of that uuid is compared, so a cause that changes and comes back is
        written again, and two orders never share an event.
        """
        if arrival.source != const.SOURCE_PULL or outcome.state in (const.STATE_DONE, const.STATE_UPDATED):
            return self.browse()
        event = arrival.document.get("event") if isinstance(arrival.document, dict) else None
        uuid = _short_text(event.get("uuid")) if isinstance(event, dict) else False
        if not uuid:
            return self.browse()
        latest = self.sudo().search([("event_uuid", "=", uuid), ("source", "=", const.SOURCE_PULL)], limit=1)
        said = (outcome.state, outcome.reason or False, outcome.detail or False)
        if latest and (latest.state, latest.reason, latest.detail) == said:
            # Met again: a filter's refusal is not fetched again until the settings change after this.
            latest.pulled_again_at = fields.Datetime.now()
            return latest
        return self.browse()

    @api.model
    def _gc_events(self):
        """Cron: delete events older than the retention period."""
        try:
            days = self.env["omnitron.webhook.reception"]._settings().event_retention_days
        except ConfigError as error:
            _logger.error("Omnitron events are not purged: %s", error)
            return False
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.sudo().search([("received_at", "<", limit)])
        _logger.info("Purging %d Omnitron webhook events older than %d days", len(old), days)
        old.unlink()
        return True


def _json_or_none(text):
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _short_text(value, limit=128):
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)[:limit]
    return False
