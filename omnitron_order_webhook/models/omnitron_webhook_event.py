import base64
import json
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..core import const, payload_display, responses
from ..core.arrival import Arrival
from ..core.settings import ConfigError
from ..core.validation import InvalidPayload

_logger = logging.getLogger(__name__)


class OmnitronWebhookEvent(models.Model):
    """One row per authenticated delivery: what arrived and what we answered."""

    _name = "omnitron.webhook.event"
    _description = "Omnitron Webhook Event"
    _order = "received_at desc, id desc"
    _rec_name = "event_uuid"
    _rec_names_search = ["order_number", "event_uuid"]

    event_uuid = fields.Char(string="Event UUID", readonly=True, index=True)
    event_type = fields.Char(readonly=True)
    webhook = fields.Selection(const.WEBHOOKS, required=True, readonly=True, default=const.WEBHOOK_ORDER)
    order_number = fields.Char(readonly=True, index=True)
    channel_pk = fields.Integer(string="Channel ID", readonly=True, aggregator=None)  # an id: never summed
    received_at = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now, index=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True, aggregator=None)
    state = fields.Selection(
        const.EVENT_STATES,
        readonly=True,
        required=True,
        index=True,
    )
    reason = fields.Char(string="Reason Code", readonly=True, index=True)
    detail = fields.Text(readonly=True)
    order_id = fields.Many2one("sale.order", readonly=True, ondelete="set null", index="btree_not_null")
    user_id = fields.Many2one("res.users", string="Sender", readonly=True, ondelete="set null")
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
    payload_pretty = fields.Text(string="Payload (formatted)", compute="_compute_payload_pretty")
    payload_file = fields.Binary(string="Raw Payload", compute="_compute_payload_file", attachment=False)
    payload_filename = fields.Char(compute="_compute_payload_file")
    # The form needs to know a payload exists without loading it (it can be megabytes).
    has_payload = fields.Boolean(compute="_compute_payload_file")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    payload = fields.Text(readonly=True, help="The request body, without channel.conf (the channel's credentials).")

    @api.depends("order_number", "event_uuid", "reason")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for event in self:
            if event.order_number:
                subject = self.env._("Order %(number)s", number=event.order_number)
            else:
                subject = self.env._("Event %(uuid)s", uuid=event.event_uuid or event.id)
            event.display_name = f"{subject} ({event.reason})" if event.reason else subject

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

    def action_reprocess(self):
        """Run the import again for ignored or failed deliveries (button and list action).

        The stored payload goes through the same validation, filters and import
        as a new delivery, for the original sender; the outcome is a new event
        linked to this one. With one event, the new order (or event) is opened.
        """
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_manager"):
            raise AccessError(self.env._("Only an Omnitron administrator can reprocess deliveries."))
        events = self.filtered("can_reprocess")
        if not events:
            raise UserError(
                self.env._("Only ignored or failed deliveries that were not reprocessed yet can be reprocessed.")
            )
        reception = self.env["omnitron.webhook.reception"].sudo()
        try:
            settings = reception._settings()
        except ConfigError as error:
            raise UserError(str(error)) from None
        new_events = self.browse()
        for event in events:
            new_events |= event._reprocess(reception, settings)
        if len(new_events) == 1 and new_events.order_id:
            return {
                "type": "ir.actions.act_window",
                "res_model": "sale.order",
                "res_id": new_events.order_id.id,
                "view_mode": "form",
                "target": "current",
            }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reprocessed deliveries"),
            "res_model": "omnitron.webhook.event",
            "view_mode": "list,form",
            "domain": [("id", "in", new_events.ids)],
            "target": "current",
        }

    def action_open_order(self):
        """Button: the sale order this delivery created or changed."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.order_id.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_carriers(self):
        """Button of an event ignored for cargo_company_not_found: the carriers,
        with a new one prefilled with the codes this order asked for."""
        self.ensure_one()
        cargo = {}
        try:
            cargo = json.loads(self.payload or "{}").get("payload", {}).get("cargo_company") or {}
        except (ValueError, AttributeError):
            cargo = {}
        action = self.env["ir.actions.actions"]._for_xml_id("delivery.action_delivery_carrier_form")
        action["context"] = {
            "default_omnitron_shipping_company": cargo.get("shipping_company") or False,
            "default_omnitron_erp_code": cargo.get("erp_code") or False,
            "default_name": cargo.get("name") or False,
        }
        return action

    def _reprocess(self, reception, settings):
        self.ensure_one()
        if not self.user_id:
            raise UserError(
                self.env._(
                    "The sender of delivery %(event)s no longer exists; it cannot be reprocessed.",
                    event=self.display_name,
                )
            )
        user = self.user_id.with_context(active_test=False)
        arrival = Arrival.now(user, settings=settings, webhook=self.webhook).with_body(json.loads(self.payload))
        try:
            call = arrival.parse()
        except InvalidPayload as error:
            new_event = self._record(arrival, responses.invalid_payload(error.errors))
        else:
            _outcome, new_event = reception._receive(arrival, call)
        new_event.sudo().origin_event_id = self
        return new_event

    @api.model
    def _record(self, arrival, outcome, call=None, sale_order=None):
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
        channel = order_data.get("channel")
        channel_pk = channel.get("pk") if isinstance(channel, dict) else channel
        if call:
            channel_pk = call.order.channel.pk
        elif isinstance(channel_pk, bool) or not (
            isinstance(channel_pk, int) and 0 < channel_pk <= const.MAX_DB_INTEGER
        ):
            channel_pk = False
        values = {
            "webhook": arrival.webhook,
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
            "order_id": sale_order.id if sale_order else False,
            "user_id": arrival.user.id,
            "token_id": arrival.token.id if arrival.token else False,
            "response_body": json.dumps(outcome.body, ensure_ascii=False) if outcome.body is not None else False,
            "company_id": arrival.user.company_id.id,
            "payload": json.dumps(document, ensure_ascii=False) if document is not None else False,
        }
        return self.sudo().create(values)

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


def _short_text(value, limit=128):
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)[:limit]
    return False
