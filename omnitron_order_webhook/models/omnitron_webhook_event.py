import base64
import dataclasses
import json
import logging
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..core import const, payload_display, responses
from ..core import settings as omnitron_settings
from ..core import taxes as omnitron_taxes
from ..core.arrival import Arrival
from ..core.settings import ConfigError
from ..core.validation import InvalidPayload

_logger = logging.getLogger(__name__)


class OmnitronWebhookEvent(models.Model):
    """One row per authenticated delivery: what arrived and what we answered."""

    _name = "omnitron.webhook.event"
    _inherit = ["mail.thread", "mail.activity.mixin"]  # the activity of a delivery that needs a person
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

    def _reason_label(self):
        """The reason as people read it, in the reader's language (False without one)."""
        return dict(self._fields["reason"]._description_selection(self.env)).get(self.reason, False)

    @api.depends("reason", "detail", "payload", "order_id", "state")
    @api.depends_context("lang")
    def _compute_explanation(self):
        for event in self:
            event.explanation = event._explain() or event.detail or False

    def _explain(self):
        """The reason as a sentence in the reader's language, naming the settings' labels and the fix.

        Rendered when shown, from the stored delivery (``detail`` stays the
        English sentence Omnitron was answered with).
        """
        self.ensure_one()
        order = self._payload_order()
        reason = self.reason
        if reason == const.REASON_CARGO_COMPANY_NOT_FOUND:
            cargo = order.get("cargo_company") if isinstance(order.get("cargo_company"), dict) else {}
            return self.env._(
                "No shipping method has the Omnitron shipping company “%(company)s” and ERP code “%(code)s”. "
                "Press “Set up the carrier”, save it, and the order is imported.",
                company=cargo.get("shipping_company") or "",
                code=cargo.get("erp_code") or "",
            )
        if reason == const.REASON_PRODUCT_NOT_FOUND:
            return self.env._(
                "No product has the internal reference %(skus)s, and “%(setting)s” is off in the Omnitron "
                "settings. Press “Create the products” (or turn the setting on), and the order is imported.",
                skus=", ".join(self._missing_skus()) or "-",
                setting=self._setting_label("create_missing_products"),
            )
        if reason == const.REASON_PRODUCT_AMBIGUOUS:
            return self.env._(
                "Several products share an internal reference of this order (%(skus)s). Keep one product per "
                "reference, then press “Reprocess”.",
                skus=", ".join(self._payload_skus()) or "-",
            )
        if reason == const.REASON_CURRENCY_NOT_ACTIVE:
            return self.env._(
                "The currency %(currency)s is not active. An administrator activates it under Accounting › "
                "Configuration › Currencies, then presses “Reprocess”.",
                currency=str(order.get("currency") or "").upper(),
            )
        if reason == const.REASON_TAX_NOT_CONFIGURED:
            return self.env._(
                "A tax rate of this order has no sale tax Odoo can use: %(detail)s Press “Open the taxes”, "
                "mark the tax to use, then “Reprocess”.",
                detail=self.detail or "",
            )
        if reason == const.REASON_BELOW_MIN_OMNITRON_ID:
            return self.env._(
                "Omnitron ID %(pk)s is below the “%(setting)s” of the Omnitron settings, so the order was "
                "deliberately not imported.",
                pk=order.get("pk", ""),
                setting=self._setting_label("min_order_omnitron_id"),
            )
        if reason == const.REASON_CHANNEL_NOT_ALLOWED:
            return self.env._(
                "Channel %(channel)s is not one of the “Allowed Channels” of the Omnitron settings, so the "
                "order was deliberately not imported.",
                channel=self.channel_id.display_name or self.channel_pk,
            )
        if reason == const.REASON_PROPERTY_MISMATCH:
            return self.env._(
                "A “Property Rules” filter of the Omnitron settings refused this order: %(detail)s",
                detail=self.detail or "",
            )
        if reason == const.REASON_DUPLICATE_ORDER:
            return self.env._(
                "This order was imported before%(order)s; this delivery changed nothing. Nothing to do.",
                order=self.env._(" as %(name)s", name=self.order_id.name) if self.order_id else "",
            )
        if reason == const.REASON_OUTDATED_UPDATE:
            return self.env._(
                "This delivery is older than what the order already shows; nothing was changed. Nothing to do."
            )
        if reason == const.ERROR_CONFIG:
            return self.env._(
                "Nothing was imported because of the configuration: %(detail)s Once it is corrected, press "
                "“Reprocess”.",
                detail=self.detail or "",
            )
        if reason == const.ERROR_INTERNAL:
            return self.env._(
                "An unexpected error stopped the import and nothing was saved (%(detail)s). Press “Reprocess” to "
                "try again; if it fails again, the server log has the details under this event's UUID.",
                detail=self.detail or "",
            )
        if reason in (const.ERROR_INVALID_PAYLOAD, const.ERROR_INVALID_JSON):
            return self.env._(
                "Omnitron sent a delivery Odoo cannot read, so the order is not in Odoo: %(detail)s Ask Omnitron "
                "to correct the order and send it again.",
                detail=self.detail or "",
            )
        return False

    def _setting_label(self, name):
        """A setting's label as the settings form shows it, in the reader's language."""
        setting = omnitron_settings.SETTINGS_BY_NAME[name]
        return self.env._(setting.label)

    def _payload_order(self):
        """The order object of the stored delivery (flat under ``order`` for a plan), or {}."""
        try:
            document = json.loads(self.payload or "{}")
        except ValueError:
            return {}
        order = document.get("payload") if isinstance(document, dict) else None
        order = order if isinstance(order, dict) else {}
        if self.webhook == const.WEBHOOK_CANCELLATION_PLAN:
            order = order.get("order") if isinstance(order.get("order"), dict) else {}
        return order

    def _payload_skus(self):
        items = self._payload_order().get("orderitem_set")
        skus = {
            item["product"]["sku"]
            for item in (items if isinstance(items, list) else [])
            if isinstance(item, dict) and isinstance(item.get("product"), dict) and item["product"].get("sku")
        }
        return sorted(str(sku) for sku in skus)

    def _missing_skus(self):
        skus = self._payload_skus()
        known = (
            self.env["product.product"]
            .with_context(active_test=False)
            .sudo()
            .search([("default_code", "in", skus)])
            .mapped("default_code")
        )
        return [sku for sku in skus if sku not in known]

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

    def _cause_parts(self):
        """What this delivery waits for, as data (codes, references, rates), never a sentence."""
        self.ensure_one()
        order = self._payload_order()
        if self.reason == const.REASON_CARGO_COMPANY_NOT_FOUND:
            cargo = order.get("cargo_company") if isinstance(order.get("cargo_company"), dict) else {}
            return [f"{cargo.get('shipping_company') or ''} / {cargo.get('erp_code') or ''}"]
        if self.reason == const.REASON_PRODUCT_NOT_FOUND:
            return self._missing_skus()
        if self.reason == const.REASON_PRODUCT_AMBIGUOUS:
            return self._payload_skus()
        if self.reason == const.REASON_TAX_NOT_CONFIGURED:
            return self._payload_rates()
        if self.reason == const.REASON_CURRENCY_NOT_ACTIVE:
            return [str(order.get("currency") or "").upper()]
        return []

    def _payload_rates(self):
        """The non-zero tax rates of the stored delivery's items and shipping ("8%")."""
        order = self._payload_order()
        items = order.get("orderitem_set") if isinstance(order.get("orderitem_set"), list) else []
        rates = [item.get("tax_rate") for item in items if isinstance(item, dict)] + [order.get("shipping_tax_rate")]
        found = set()
        for rate in rates:
            try:
                value = Decimal(str(rate)) if rate not in (None, "") else Decimal(0)
            except ArithmeticError:
                continue
            if value:
                found.add(value)
        return [f"{omnitron_taxes.format_rate(rate)}%" for rate in sorted(found)]

    def _waiting_for_the_same_cause(self):
        """The other deliveries of the company that need attention for this one's reason and cause."""
        self.ensure_one()
        parts = set(self._cause_parts())
        if not parts:
            return self.browse()
        candidates = self.search(
            [
                ("needs_attention", "=", True),
                ("reason", "=", self.reason),
                ("company_id", "=", self.company_id.id),
                ("id", "!=", self.id),
            ]
        )
        return candidates.filtered(lambda event: event.can_reprocess and parts & set(event._cause_parts()))

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

    def _omnitron_tell_people(self, sale_order):
        """After a delivery: a chatter line on its order, an activity when a person must act."""
        self.ensure_one()
        if sale_order:
            self._log_on_order(sale_order.sudo())
        if self.state in (const.STATE_DONE, const.STATE_UPDATED):
            self._resolve_earlier()
        elif self.needs_attention:
            self._schedule_attention()

    def _same_order_needing_attention(self):
        """Other deliveries of this order (same webhook, channel and company) that need a person."""
        if not self.order_number:
            return self.browse()
        return self.sudo().search(
            [
                ("needs_attention", "=", True),
                ("order_number", "=", self.order_number),
                ("channel_pk", "=", self.channel_pk),
                ("company_id", "=", self.company_id.id),
                ("webhook", "=", self.webhook),
                ("id", "!=", self.id),
            ]
        )

    def _resolve_earlier(self):
        """Omnitron sent the order again and it went through: its earlier failures need nobody."""
        earlier = self._same_order_needing_attention()
        if earlier:
            earlier.write({"resolved_by_event_id": self.id})
            earlier._settle(self.env._("Resolved by a later delivery (event %(event)s).", event=self.event_uuid))

    def _log_on_order(self, sale_order):
        # The chatter is in the company's language, whoever's delivery it was.
        event = self.with_context(lang=sale_order._omnitron_company_lang())
        channel = event.channel_id.display_name or str(event.channel_pk or "")
        if event.state == const.STATE_DONE:
            body = event.env._(
                "Imported from Omnitron (channel %(channel)s, event %(event)s).",
                channel=channel,
                event=event.event_uuid,
            )
        elif event.state == const.STATE_IGNORED:
            body = event.env._(
                "Omnitron delivered this order again (event %(event)s): %(reason)s; nothing was changed.",
                event=event.event_uuid,
                reason=event._reason_label() or event.reason,
            )
        else:
            return  # an applied update or plan has its own note, with what it changed
        sale_order._message_log(body=Markup("<p>%s</p>") % body)

    def _schedule_attention(self):
        """An activity for the channel's salesperson, else an Omnitron administrator.

        The salesperson gets it only as an Omnitron user: others cannot open the event.
        """
        salesperson = self.channel_id.user_id.filtered(
            lambda user: user.active and user.has_group("omnitron_order_webhook.group_omnitron_user")
        )
        responsible = salesperson or self.company_id._omnitron_administrator()
        if not responsible:
            return
        # Written in the language of whoever must act.
        event = self.with_context(lang=responsible.lang or self.env.lang)
        # Omnitron retries a failed delivery: one open activity per order is enough.
        others = event._same_order_needing_attention()
        if others and event.env["mail.activity"].sudo().search_count(
            [("res_model", "=", event._name), ("res_id", "in", others.ids)], limit=1
        ):
            return
        event.sudo().activity_schedule(
            "mail.mail_activity_data_warning",
            summary=event.env._(
                "Omnitron: %(reason)s (%(order)s)",
                reason=event._reason_label() or event.state,
                order=event.order_number or event.event_uuid or event.id,
            ),
            note=event.explanation or "",
            user_id=responsible.id,
        )

    def _settle(self, feedback):
        """The event needs nobody any more: its activities are done, with why."""
        activities = self.sudo().activity_ids
        if activities:
            activities.action_feedback(feedback=feedback)

    def action_dismiss(self):
        """Open the dialog that dismisses deliveries nobody has to fix (with a note)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dismiss"),
            "res_model": "omnitron.event.dismiss",
            "view_mode": "form",
            "target": "new",
            "context": {"default_event_ids": self.filtered("needs_attention").ids},
        }

    def _dismiss(self, note):
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_user"):
            raise AccessError(self.env._("Only Omnitron users can dismiss deliveries."))
        events = self.filtered("needs_attention")
        if not events:
            raise UserError(self.env._("None of these deliveries needs attention."))
        events.sudo().write(
            {"dismissed_at": fields.Datetime.now(), "dismissed_by_id": self.env.uid, "dismiss_note": note}
        )
        for event in events:
            event._settle(self.env._("Dismissed by %(user)s: %(note)s", user=self.env.user.name, note=note))
        return events

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
        return events._reprocess_all(reception, settings)

    def _reprocess_all(self, reception, settings):
        new_events = self.browse()
        for event in self:
            new_events |= event._reprocess(reception, settings)
        if len(new_events) == 1 and new_events.state == const.STATE_DONE:
            # Fixed: the deliveries blocked by the same carrier, product or tax can go too.
            others = self._waiting_for_the_same_cause()
            if others:
                return self._offer_the_others(others, new_events.order_id)
        if len(new_events) == 1 and new_events.order_id and new_events.state == const.STATE_DONE:
            return {
                "type": "ir.actions.act_window",
                "res_model": "sale.order",
                "res_id": new_events.order_id.id,
                "view_mode": "form",
                "target": "current",
            }
        if len(new_events) == 1:
            # Not imported this time either: the new event says why.
            return {
                "type": "ir.actions.act_window",
                "res_model": "omnitron.webhook.event",
                "res_id": new_events.id,
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

    def _offer_the_others(self, others, sale_order):
        """The dialog after a fix: reprocess the N other deliveries waiting for the same cause?"""
        self.ensure_one()
        wizard = (
            self.env["omnitron.event.reprocess"]
            .sudo()
            .create({"event_id": self.id, "event_ids": [fields.Command.set(others.ids)], "order_id": sale_order.id})
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Fixed"),
            "res_model": "omnitron.event.reprocess",
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_notify_administrator(self):
        """For staff who cannot fix a delivery: an activity for an Omnitron administrator of its company."""
        self.ensure_one()
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_user"):
            raise AccessError(self.env._("Only Omnitron users can ask an administrator about a delivery."))
        administrator = (self.company_id or self.env.company)._omnitron_administrator()
        if not administrator:
            raise UserError(self.env._("This company has no Omnitron administrator to notify."))
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._(
                "Omnitron: %(reason)s (%(order)s), asked by %(user)s",
                reason=self._reason_label() or self.state,
                order=self.order_number or self.event_uuid or self.id,
                user=self.env.user.name,
            ),
            note=self.explanation or "",
            user_id=administrator.id,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(user)s was asked to fix it.", user=administrator.name),
                "next": {"type": "ir.actions.act_window_close"},
            },
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
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Set up the carrier"),
            "res_model": "delivery.carrier",
            "view_mode": "form",
            "views": [(self.env.ref("omnitron_order_webhook.delivery_carrier_view_form_omnitron_quick").id, "form")],
            "target": "new",
            "context": {
                "default_product_id": self.env["delivery.carrier"]
                ._omnitron_delivery_product(self.company_id or self.env.company)
                .id,
                "default_omnitron_shipping_company": cargo.get("shipping_company") or False,
                "default_omnitron_erp_code": cargo.get("erp_code") or False,
                "default_name": cargo.get("name") or False,
                "omnitron_event_id": self.id,
            },
        }

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
        self._settle(
            self.env._(
                "Reprocessed by %(user)s: %(state)s",
                user=self.env.user.name,
                state=dict(new_event._fields["state"]._description_selection(self.env))[new_event.state],
            )
        )
        if new_event.needs_attention and not new_event.activity_ids:
            # It failed again: the activity moves to the new event (this one's was just closed).
            new_event._schedule_attention()
        return new_event

    def _check_fixer(self):
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_manager"):
            raise AccessError(self.env._("Only an Omnitron administrator can reprocess deliveries."))
        self.ensure_one()
        if not self.can_reprocess:
            raise UserError(self.env._("This delivery was reprocessed already, or cannot be."))
        try:
            return self.env["omnitron.webhook.reception"].sudo()._settings()
        except ConfigError as error:
            raise UserError(str(error)) from None

    def action_create_products_and_reprocess(self):
        """Fix of product_not_found: create the missing products as the webhook would, for this order only."""
        settings = self._check_fixer()
        settings = dataclasses.replace(settings, create_missing_products=True)
        return self._reprocess_all(self.env["omnitron.webhook.reception"].sudo(), settings)

    def action_open_settings(self):
        """Fix of the filters and of configuration errors: the Omnitron block of the Sales settings."""
        action = self.env["ir.actions.actions"]._for_xml_id("sale.action_sale_config_settings")
        action["context"] = {"module": "sale_management", "bin_size": False}
        return action

    def action_open_taxes(self):
        """Fix of tax_not_configured: the sale taxes, to mark the one Omnitron's rate uses."""
        action = self.env["ir.actions.actions"]._for_xml_id("account.action_tax_form")
        action["context"] = {"search_default_sale": 1}
        return action

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
            channel = self.env["omnitron.channel"].sudo()._find(arrival.user.company_id, channel_pk)
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
            "order_id": sale_order.id if sale_order else False,
            "user_id": arrival.user.id,
            "token_id": arrival.token.id if arrival.token else False,
            "response_body": json.dumps(outcome.body, ensure_ascii=False) if outcome.body is not None else False,
            "company_id": arrival.user.company_id.id,
            "payload": json.dumps(document, ensure_ascii=False) if document is not None else False,
        }
        # An event is a log row: no creation message, no follower, no tracking.
        return (
            self.sudo()
            .with_context(tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True)
            .create(values)
        )

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
