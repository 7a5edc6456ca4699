import dataclasses
import json

from odoo import fields, models
from odoo.exceptions import UserError

from ..core import const, responses
from ..core.arrival import Arrival
from ..core.settings import ConfigError
from ..core.validation import InvalidPayload


class OmnitronEventFixes(models.AbstractModel):
    """Reprocessing a delivery once its cause is fixed, and the one-click fixes: the fixes room.

    *Reprocess* (one, or all selected), the offer to reprocess the other
    deliveries waiting for the same cause, *Set up the carrier*, *Create the
    products*, *Open the settings*, *Open the taxes*; who may press them.
    Mixed into ``omnitron.webhook.event``.
    """

    _name = "omnitron.event.fixes"
    _description = "Omnitron Event: Reprocess and Fixes"

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

    def action_reprocess(self):
        """Run the import again for ignored or failed deliveries (button and list action).

        The stored payload goes through the same validation, filters and import
        as a new delivery, for the original sender; the outcome is a new event
        linked to this one. With one event, the new order (or event) is opened.
        """
        self._check_pressing_user(
            "omnitron_order_webhook.group_omnitron_manager",
            self.env._("Only an Omnitron administrator can reprocess deliveries."),
        )
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

    def action_open_order(self):
        """Button: the sale order this delivery created or changed."""
        self.ensure_one()
        return self.order_id.get_formview_action()

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
        account = (self.account_id or self.user_id.omnitron_account_id).sudo()
        if not self.user_id or not account:
            raise UserError(
                self.env._(
                    "The sender or the Omnitron account of delivery %(event)s no longer exists; it cannot be "
                    "reprocessed.",
                    event=self.display_name,
                )
            )
        user = self.user_id.with_context(active_test=False)
        arrival = Arrival.now(
            user,
            account=account,
            settings=settings,
            webhook=self.webhook,
            source=const.SOURCE_REPROCESS,
            secrets=account._secrets,
        ).with_body(json.loads(self.payload))
        try:
            call = arrival.parse()
        except InvalidPayload as error:
            new_event = self._record(arrival, responses.invalid_payload(error.errors))
        else:
            _outcome, new_event = reception._receive(arrival, call)
        new_event.sudo().origin_event_id = self
        # Who pressed it: the new event's user stays the sender whose delivery it was.
        pressed = self.env._(
            "Reprocessed by %(user)s from %(event)s.", user=self.env.user.name, event=self.display_name
        )
        new_event.sudo().message_post(body=pressed, subtype_xmlid="mail.mt_note")
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
        self._check_pressing_user(
            "omnitron_order_webhook.group_omnitron_manager",
            self.env._("Only an Omnitron administrator can reprocess deliveries."),
        )
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
