import json
import logging
import time
from datetime import timedelta

from odoo import api, fields, models

from ..core import const

_logger = logging.getLogger(__name__)


class OmnitronWebhookEvent(models.Model):
    """One row per authenticated delivery: what arrived and what we answered."""

    _name = "omnitron.webhook.event"
    _description = "Omnitron Webhook Event"
    _order = "received_at desc, id desc"
    _rec_name = "event_uuid"

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
    company_id = fields.Many2one("res.company", readonly=True, index=True)
    payload = fields.Text(readonly=True, help="The request body, without channel.conf (the channel's credentials).")

    @api.model
    def _record(self, *, user, outcome, started, started_clock, delivery=None, document=None, order=None):
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
            "company_id": user.company_id.id,
            "payload": json.dumps(document, ensure_ascii=False) if document is not None else False,
        }
        return self.sudo().create(values)

    @api.model
    def _gc_events(self):
        """Cron: delete events older than the retention period."""
        days = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(const.PARAM_EVENT_RETENTION_DAYS, const.DEFAULT_EVENT_RETENTION_DAYS)
        )
        limit = fields.Datetime.now() - timedelta(days=days)
        old = self.sudo().search([("received_at", "<", limit)])
        _logger.info("Purging %d Omnitron webhook events older than %d days", len(old), days)
        old.unlink()
        return True


def _short_text(value, limit=128):
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)[:limit]
    return False
