import json
import logging
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..core import const, responses
from ..core.settings import ConfigError
from ..core.validation import InvalidPayload, parse_delivery

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
    order_number = fields.Char(readonly=True, index=True)
    channel_id = fields.Integer(string="Channel ID", readonly=True)
    received_at = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now, index=True)
    duration_ms = fields.Integer(string="Duration (ms)", readonly=True)
    http_status = fields.Integer(string="HTTP Status", readonly=True)
    state = fields.Selection(
        [("done", "Done"), ("ignored", "Ignored"), ("rejected", "Rejected"), ("failed", "Failed")],
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
    reprocessed_event_id = fields.Many2one(
        "omnitron.webhook.event",
        string="Reprocessed as",
        readonly=True,
        ondelete="set null",
        help="The newer event created when this delivery was reprocessed.",
    )
    can_reprocess = fields.Boolean(compute="_compute_can_reprocess")
    payload_pretty = fields.Text(string="Payload (formatted)", compute="_compute_payload_pretty")
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    payload = fields.Text(readonly=True, help="The request body, without channel.conf (the channel's credentials).")

    @api.depends("order_number", "event_uuid", "reason")
    def _compute_display_name(self):
        for event in self:
            subject = f"Order {event.order_number}" if event.order_number else f"Event {event.event_uuid or event.id}"
            event.display_name = f"{subject} ({event.reason})" if event.reason else subject

    @api.depends("state", "payload", "reprocessed_event_id")
    def _compute_can_reprocess(self):
        for event in self:
            event.can_reprocess = bool(
                event.state in ("ignored", "failed") and event.payload and not event.reprocessed_event_id
            )

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for event in self:
            try:
                event.payload_pretty = (
                    json.dumps(json.loads(event.payload), indent=2, ensure_ascii=False) if event.payload else False
                )
            except ValueError:
                event.payload_pretty = event.payload

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
        service = self.env["omnitron.order.import"].sudo()
        try:
            settings = service._omnitron_settings()
        except ConfigError as error:
            raise UserError(str(error)) from None
        new_events = self.browse()
        for event in events:
            new_events |= event._reprocess(service, settings)
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

    def _reprocess(self, service, settings):
        self.ensure_one()
        if not self.user_id:
            raise UserError(
                self.env._(
                    "The sender of delivery %(event)s no longer exists; it cannot be reprocessed.",
                    event=self.display_name,
                )
            )
        started, started_clock = fields.Datetime.now(), time.monotonic()
        user = self.user_id.with_context(active_test=False)
        document = json.loads(self.payload)
        try:
            delivery = parse_delivery(document)
        except InvalidPayload as error:
            new_event = self._record(
                user=user,
                outcome=responses.invalid_payload(error.errors),
                started=started,
                started_clock=started_clock,
                document=document,
            )
        else:
            _outcome, new_event = service._receive(
                delivery, document, user, started=started, started_clock=started_clock, settings=settings
            )
        new_event.sudo().origin_event_id = self
        self.sudo().reprocessed_event_id = new_event
        return new_event

    @api.model
    def _record(self, *, user, outcome, started, started_clock, delivery=None, document=None, order=None, token=None):
        """Write the event row of one delivery (``document`` is already scrubbed).

        ``started`` is when the request arrived (UTC), ``started_clock`` the
        ``time.monotonic()`` reading then, for the duration.
        """
        order_data = document.get("payload") if isinstance(document, dict) else None
        order_data = order_data if isinstance(order_data, dict) else {}
        event_data = document.get("event") if isinstance(document, dict) else None
        event_data = event_data if isinstance(event_data, dict) else {}
        channel = order_data.get("channel")
        channel_pk = channel.get("pk") if isinstance(channel, dict) else None
        values = {
            "event_uuid": delivery.event_uuid if delivery else _short_text(event_data.get("uuid")),
            "event_type": delivery.event_type if delivery else _short_text(event_data.get("type")),
            "order_number": delivery.order.number if delivery else _short_text(order_data.get("number")),
            "channel_id": (
                delivery.order.channel.pk
                if delivery
                else channel_pk
                if isinstance(channel_pk, int) and 0 < channel_pk <= const.MAX_DB_INTEGER
                else False
            ),
            "received_at": started,
            "duration_ms": int((time.monotonic() - started_clock) * 1000),
            "http_status": outcome.status,
            "state": outcome.state,
            "reason": outcome.reason,
            "detail": outcome.detail,
            "order_id": order.id if order else False,
            "user_id": user.id,
            "token_id": token.id if token else False,
            "response_body": json.dumps(outcome.body, ensure_ascii=False) if outcome.body is not None else False,
            "company_id": user.company_id.id,
            "payload": json.dumps(document, ensure_ascii=False) if document is not None else False,
        }
        return self.sudo().create(values)

    @api.model
    def _gc_events(self):
        """Cron: delete events older than the retention period."""
        try:
            days = self.env["omnitron.order.import"]._omnitron_settings().event_retention_days
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
