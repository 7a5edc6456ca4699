import json
from decimal import Decimal

from odoo import models

from ..core import const
from ..core import settings as omnitron_settings
from ..core import taxes as omnitron_taxes


class OmnitronEventExplanation(models.AbstractModel):
    """Why a delivery was not imported, in the reader's language: the event's explanation room.

    The sentences are literal (``self.env._("...")``) so the translation export
    finds them, and all live here, in one place; they are rendered when read,
    from the stored delivery (its reason, detail and payload), never stored as
    text. Also what a delivery waits for (its *cause*: cargo codes, skus, tax
    rates), read from its payload. Mixed into ``omnitron.webhook.event``.
    """

    _name = "omnitron.event.explanation"
    _description = "Omnitron Event: Why It Needs a Person"

    def _reason_label(self):
        """The reason as people read it, in the reader's language (False without one)."""
        return dict(self._fields["reason"]._description_selection(self.env)).get(self.reason, False)

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
        return self.env["omnitron.phrases"]._setting_label(omnitron_settings.SETTINGS_BY_NAME[name])

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
