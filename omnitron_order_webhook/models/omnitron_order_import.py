import functools
import logging
import sys

import psycopg2
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.tools import config as odoo_config

from ..core import const, filters, mapping, reporting, responses
from ..core import settings as omnitron_settings
from ..core.validation import FieldError

_logger = logging.getLogger(__name__)

# Unique constraints whose violation means "another delivery created the same
# customer or address a moment ago": the whole request is replayed, and the
# replay finds the record. The order's own constraint means a duplicate order.
_RETRY_CONSTRAINTS = {
    "res_partner_omnitron_customer_uniq",
    "res_partner_omnitron_address_uniq",
    "product_template_omnitron_sku_uniq",
    "account_tax_omnitron_key_uniq",
    "account_tax_group_omnitron_key_uniq",
    "product_pricelist_omnitron_key_uniq",
}
_DUPLICATE_ORDER_CONSTRAINT = "sale_order_omnitron_channel_number_uniq"


class _Ignore(Exception):
    """Raised inside the import to answer 202 with a reason."""

    def __init__(self, outcome):
        super().__init__(outcome.detail)
        self.outcome = outcome


class OmnitronOrderImport(models.AbstractModel):
    """The service that turns a validated Omnitron delivery into a sale order.

    ``_receive`` is the unit of work the controller calls: it decides whether
    the order is imported, ignored or refused, creates every record inside one
    savepoint (all or nothing) and writes the event row of the delivery.
    Other addons extend the import by inheriting the ``_prepare_*`` methods.
    """

    _name = "omnitron.order.import"
    _description = "Omnitron Order Import"

    @api.model
    def _omnitron_settings(self):
        """The admin's settings, parsed (raises core.settings.ConfigError)."""
        params = self.env["ir.config_parameter"].sudo()
        return omnitron_settings.parse_settings({key: params.get_param(key) for key in omnitron_settings.ALL_KEYS})

    @api.model
    def _receive(
        self,
        delivery,
        document,
        user,
        *,
        started,
        started_clock,
        settings,
        raw_document=None,
        token=None,
        sender_token=None,
    ):
        """Import ``delivery`` for sender ``user``; return (outcome, event).

        ``document`` is the body without channel.conf (stored and filtered
        on); ``raw_document`` and ``token`` (clear) only tell the Sentry report
        which values to keep out; ``sender_token`` is the token record the
        event is logged under (none when reprocessed from the back office).
        """
        company = user.company_id
        env_self = (
            self.with_user(user)
            .with_company(company)
            .sudo()
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                no_vat_validation=True,
                omnitron_settings=settings,
            )
        )
        order = self.env["sale.order"]
        failure = None
        try:
            refused = filters.check_filters(settings, delivery.order, document["payload"])
            if refused:
                raise _Ignore(refused)
            with self.env.cr.savepoint():
                outcome, order = env_self._import_order(delivery.order, company)
        except _Ignore as ignored:
            outcome = ignored.outcome
        except psycopg2.IntegrityError as error:
            constraint = getattr(error.diag, "constraint_name", None)
            if constraint in _RETRY_CONSTRAINTS:
                _raise_serialization_failure(self.env.cr, constraint)
            if constraint != _DUPLICATE_ORDER_CONSTRAINT:
                outcome, failure = self._failed(delivery, error), sys.exc_info()
            else:
                outcome = _duplicate(delivery.order)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            if error.pgcode in (
                errorcodes.SERIALIZATION_FAILURE,
                errorcodes.DEADLOCK_DETECTED,
                errorcodes.LOCK_NOT_AVAILABLE,
            ):
                raise  # Odoo replays the whole request on these
            if self.env.cr._cnx.closed:
                return self._connection_lost(
                    delivery, document, user, error, started, started_clock, raw_document, token, sender_token, settings
                )
            outcome, failure = self._failed(delivery, error), sys.exc_info()
        except Exception as error:  # noqa: BLE001 - any failure must leave nothing behind
            outcome, failure = self._failed(delivery, error), sys.exc_info()
        send_report = self._prepare_report_safely(outcome, delivery, failure, raw_document or document, token, settings)
        if send_report:
            # Sent once Odoo flushes to commit, after the request's last statement.
            # A request Odoo replays after a serialization failure rolls back
            # first, which drops the hook: one delivery, one report.
            self.env.cr.precommit.add(send_report)
        if outcome.state != responses.STATE_DONE:
            order = self.env["sale.order"]
        event = self.env["omnitron.webhook.event"]._record(
            user=user,
            outcome=outcome,
            started=started,
            started_clock=started_clock,
            delivery=delivery,
            document=document,
            order=order,
            token=sender_token,
        )
        return outcome, event

    def _connection_lost(
        self, delivery, document, user, error, started, started_clock, raw_document, token, sender_token, settings
    ):
        """The database connection died mid-import: nothing was committed.

        The request's cursor is unusable, so the event is written through a
        new connection and the report sent at once; the dead cursor is closed
        so Odoo does not try to commit on it, and the sender gets our 500.
        """
        outcome = self._failed(delivery, error)
        failure = sys.exc_info()
        with self.env.registry.cursor() as cursor:
            event = (
                self.with_env(self.env(cr=cursor))
                .env["omnitron.webhook.event"]
                ._record(
                    user=user.with_env(self.env(cr=cursor)),
                    outcome=outcome,
                    started=started,
                    started_clock=started_clock,
                    delivery=delivery,
                    document=document,
                    token=sender_token.with_env(self.env(cr=cursor)) if sender_token else None,
                )
            )
            event_id = event.id
        send_report = self._prepare_report_safely(outcome, delivery, failure, raw_document or document, token, settings)
        if send_report:
            send_report()
        self.env.cr.close()
        return outcome, self.env["omnitron.webhook.event"].browse(event_id)

    def _failed(self, delivery, error):
        _logger.exception(
            "Omnitron order %s (event %s) failed to import; nothing was saved",
            delivery.order.number,
            delivery.event_uuid,
        )
        self.env.invalidate_all(flush=False)
        outcome = responses.internal_error(delivery.event_uuid)
        # The event keeps what went wrong for the back office; the answer does not.
        return responses.Outcome(
            outcome.status, outcome.body, outcome.state, outcome.reason, f"{type(error).__name__}: {error}"
        )

    # ------------------------------------------------------------------
    # Reporting to Sentry
    # ------------------------------------------------------------------

    def _prepare_report_safely(self, *args):
        """Reporting must never turn an answer into an error."""
        try:
            return self._prepare_report(*args)
        except Exception:  # noqa: BLE001
            _logger.warning("Could not prepare the Sentry report of an Omnitron delivery", exc_info=True)
            return None

    def _prepare_report(self, outcome, delivery, failure, document, token, settings):
        """The Sentry report of a 202 or a 500, ready to send; None when there is nothing to send."""
        if outcome.state not in (responses.STATE_IGNORED, responses.STATE_FAILED):
            return None
        client = reporting.client_for(self._sentry_dsn(settings))
        if client is None:
            return None
        common = {
            "reason": outcome.reason,
            "tags": reporting.tags_for(
                outcome.reason, delivery.order.channel.pk, delivery.order.number, delivery.event_uuid
            ),
            "sensitive_values": reporting.sensitive_values_of(document, token),
        }
        if failure is not None:
            return functools.partial(reporting.report_failure, client, failure, **common)
        return functools.partial(reporting.report_ignored, client, detail=outcome.detail, **common)

    @api.model
    def _report_config_error(self, error):
        """Report settings the webhook cannot use (only the config file's DSN is trusted then)."""
        _logger.error("Omnitron webhook settings are not valid: %s", error)
        client = reporting.client_for(self._sentry_dsn(None))
        if client is not None:
            tags = reporting.tags_for(responses.config_error(error).reason, None, None, None)
            self.env.cr.precommit.add(
                functools.partial(reporting.report_failure, client, error, reason="config_error", tags=tags)
            )

    @api.model
    def _sentry_dsn(self, settings):
        return (settings.sentry_dsn if settings else None) or odoo_config.get("omnitron_sentry_dsn") or None

    # ------------------------------------------------------------------
    # The import, step by step
    # ------------------------------------------------------------------

    def _import_order(self, order, company):
        """Create the sale order of ``order``; return (outcome, sale order)."""
        self._check_not_imported(order)
        carrier = self._find_carrier(order.cargo_company, company)
        currency = self._find_currency(order)
        countries = self._find_countries(order)
        products = self._find_or_create_products(order.items, company)
        taxes = self._find_or_create_taxes(mapping.tax_rates(order), company)
        customer = self._find_or_create_customer(order, company)
        invoice_address = self._find_or_create_address(
            customer, order.billing_address, "invoice", countries[order.billing_address.country_code]
        )
        delivery_address = self._find_or_create_address(
            customer, order.shipping_address, "delivery", countries[order.shipping_address.country_code]
        )
        values = self._prepare_order_values(
            order,
            company=company,
            currency=currency,
            customer=customer,
            invoice_address=invoice_address,
            delivery_address=delivery_address,
            carrier=carrier,
            products=products,
            taxes=taxes,
        )
        sale_order = self.env["sale.order"].create(values)
        self._apply_status(sale_order, order)
        mismatch = mapping.amount_mismatch(sale_order.amount_total, order, sale_order.currency_id.rounding)
        if mismatch:
            sale_order.write({"omnitron_amount_mismatch": True, "omnitron_amount_mismatch_detail": mismatch})
        detail = f"Created {sale_order.name}." + (f" {mismatch}" if mismatch else "")
        return responses.Outcome.created(detail), sale_order

    def _check_not_imported(self, order):
        exists = self.env["sale.order"].search_count(
            [("omnitron_channel_id", "=", order.channel.pk), ("omnitron_number", "=", order.number)], limit=1
        )
        if exists:
            raise _Ignore(_duplicate(order))

    def _find_carrier(self, cargo, company):
        carrier = self.env["delivery.carrier"].search(
            [
                ("omnitron_shipping_company", "=", cargo.shipping_company),
                ("omnitron_erp_code", "=", cargo.erp_code),
                ("company_id", "in", [company.id, False]),
            ],
            order="company_id, id",  # a carrier of the company wins over a shared one
            limit=1,
        )
        if not carrier:
            raise _Ignore(
                responses.Outcome.ignored(
                    const.REASON_CARGO_COMPANY_NOT_FOUND,
                    f"No delivery carrier of {company.name} has Omnitron shipping company "
                    f"{cargo.shipping_company!r} and ERP code {cargo.erp_code!r}; "
                    "add these codes to a carrier and send the order again.",
                )
            )
        return carrier

    def _find_currency(self, order):
        currency = (
            self.env["res.currency"].with_context(active_test=False).search([("name", "=", order.currency)], limit=1)
        )
        if not currency:
            raise _Ignore(
                responses.invalid_payload(
                    [FieldError("payload.currency", f"{order.currency.lower()!r} is not a currency Odoo knows")]
                )
            )
        if not currency.active:
            # The merchant sells in this currency: the order must be in it.
            currency.active = True
        return currency

    def _find_countries(self, order):
        codes = {order.billing_address.country_code, order.shipping_address.country_code}
        countries = self.env["res.country"].search([("code", "in", list(codes))])
        by_code = {country.code: country for country in countries}
        errors = [
            FieldError(f"payload.{key}.country.code", f"{address.country_code.lower()!r} is not a country Odoo knows")
            for key, address in (
                ("billing_address", order.billing_address),
                ("shipping_address", order.shipping_address),
            )
            if address.country_code not in by_code
        ]
        if errors:
            raise _Ignore(responses.invalid_payload(errors))
        return by_code

    def _find_or_create_products(self, items, company):
        """Products by sku (``default_code``), one query for the whole order."""
        skus = sorted({item.product.sku for item in items})
        found = (
            self.env["product.product"]
            .with_context(active_test=False)
            .search([("default_code", "in", skus), *self.env["product.product"]._check_company_domain(company)])
        )
        by_sku = {}
        for product in found:
            by_sku.setdefault(product.default_code, []).append(product)
        ambiguous = sorted(sku for sku, matches in by_sku.items() if len(matches) > 1)
        if ambiguous:
            raise _Ignore(
                responses.Outcome.ignored(
                    const.REASON_PRODUCT_AMBIGUOUS,
                    "Several products have the internal reference "
                    + ", ".join(map(repr, ambiguous))
                    + "; keep one product per sku and send the order again.",
                )
            )
        result = {sku: matches[0] for sku, matches in by_sku.items()}
        missing = {}
        for item in items:
            if item.product.sku not in result:
                missing.setdefault(item.product.sku, item.product)
        if missing and not self.env.context["omnitron_settings"].create_missing_products:
            raise _Ignore(
                responses.Outcome.ignored(
                    const.REASON_PRODUCT_NOT_FOUND,
                    "No product has the internal reference "
                    + ", ".join(map(repr, sorted(missing)))
                    + "; creating missing products is switched off in the Omnitron settings.",
                )
            )
        if missing:
            # A product the webhook created for this sku earlier, whose
            # reference someone changed since, is the same product.
            created_before = (
                self.env["product.product"]
                .with_context(active_test=False)
                .search([("omnitron_sku", "in", list(missing)), ("company_id", "=", company.id)])
            )
            for product in created_before:
                result[product.omnitron_sku] = product
                missing.pop(product.omnitron_sku, None)
        if missing:
            created = self.env["product.product"].create(
                [{**self._prepare_product_values(product), "company_id": company.id} for product in missing.values()]
            )
            result.update(zip(missing, created, strict=True))
        return result

    def _prepare_product_values(self, product):
        return mapping.product_values(product)

    def _find_or_create_taxes(self, rates, company):
        """Price-included sale taxes by rate, created when the company lacks one.

        A branch uses its parents' taxes (Odoo's company domain for taxes), and
        a tax the webhook creates belongs to the root company: Odoo wants tax
        names unique across a company tree.
        """
        Tax = self.env["account.tax"]
        taxes = {}
        for rate in rates:
            key = f"vat:{mapping.normalize_rate(rate)}"
            tax = Tax.with_context(active_test=False).search(
                [("omnitron_key", "=", key), ("company_id", "=", company.root_id.id)], limit=1
            ) or Tax.search(
                [
                    *Tax._check_company_domain(company),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", float(rate)),
                    ("price_include", "=", True),
                    ("children_tax_ids", "=", False),
                ],
                order="sequence, id",
                limit=1,
            )
            taxes[rate] = tax or self._create_tax(rate, company.root_id, key)
        return taxes

    def _create_tax(self, rate, company, key):
        Tax = self.env["account.tax"]
        values = {
            "name": mapping.tax_name(rate),
            "type_tax_use": "sale",
            "amount_type": "percent",
            "amount": float(rate),
            "price_include_override": "tax_included",
            "company_id": company.id,
        }
        # A tax group of its own, so the order's totals say "VAT 8%" rather
        # than the name of whichever group the company happens to have first.
        country = Tax.new(values).country_id
        TaxGroup = self.env["account.tax.group"]
        group = TaxGroup.search([("omnitron_key", "=", key), ("company_id", "=", company.id)], limit=1)
        group = group or TaxGroup.create(
            {
                "name": mapping.tax_group_name(rate),
                "company_id": company.id,
                "country_id": country.id,
                "omnitron_key": key,
            }
        )
        return Tax.create({**values, "tax_group_id": group.id, "omnitron_key": key})

    def _find_or_create_customer(self, order, company):
        Partner = self.env["res.partner"].with_context(active_test=False)
        customer = Partner.search(
            [
                ("omnitron_channel_id", "=", order.channel.pk),
                ("omnitron_customer_id", "=", order.customer.pk),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
        tax_number = mapping.customer_tax_number(order)
        if customer:
            if tax_number and not customer.vat:
                customer.vat = tax_number
            return customer
        return Partner.create({**mapping.customer_values(order), "vat": tax_number, "company_id": company.id})

    def _find_or_create_address(self, customer, address, address_type, country):
        values = mapping.address_values(address, address_type, customer.name)
        existing = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [("parent_id", "=", customer.id), ("omnitron_address_key", "=", values["omnitron_address_key"])],
                limit=1,
            )
        )
        if existing:
            return existing
        return self.env["res.partner"].create(
            {**values, "parent_id": customer.id, "country_id": country.id, "company_id": customer.company_id.id}
        )

    def _find_pricelist(self, currency, company):
        Pricelist = self.env["product.pricelist"]
        key = f"pricelist:{currency.name}"
        keyed = Pricelist.with_context(active_test=False).search(
            [("omnitron_key", "=", key), ("company_id", "=", company.id)], limit=1
        )
        if keyed:
            return keyed
        pricelist = Pricelist.search(
            [("currency_id", "=", currency.id), *Pricelist._check_company_domain(company)],
            order="company_id, sequence, id",
            limit=1,
        )
        return pricelist or Pricelist.create(
            {
                "name": f"Omnitron {currency.name}",
                "currency_id": currency.id,
                "company_id": company.id,
                "omnitron_key": key,
            }
        )

    def _prepare_order_values(
        self, order, *, company, currency, customer, invoice_address, delivery_address, carrier, products, taxes
    ):
        lines = [
            {
                **mapping.line_values(item),
                "product_id": products[item.product.sku].id,
                "tax_id": [fields.Command.set([taxes[item.tax_rate].id] if item.tax_rate else [])],
            }
            for item in order.items
        ]
        shipping_taxes = [taxes[order.shipping_tax_rate].id] if order.shipping_tax_rate else []
        lines.append(
            {
                "name": carrier.name,
                "product_id": carrier.product_id.id,
                "product_uom_qty": 1.0,
                "price_unit": float(order.shipping_amount),
                "tax_id": [fields.Command.set(shipping_taxes)],
                "is_delivery": True,
            }
        )
        return {
            **mapping.order_values(order),
            "company_id": company.id,
            "partner_id": customer.id,
            "partner_invoice_id": invoice_address.id,
            "partner_shipping_id": delivery_address.id,
            "pricelist_id": self._find_pricelist(currency, company).id,
            # Omnitron already applied its taxes; a fiscal position must not remap them.
            "fiscal_position_id": False,
            "user_id": False,
            "carrier_id": carrier.id,
            "order_line": [fields.Command.create(line) for line in lines],
        }

    def _apply_status(self, sale_order, order):
        state = mapping.order_state(order.status)
        if state == "sale":
            sale_order.action_confirm()
            # Confirming stamps today's date; the order was placed earlier.
            sale_order.date_order = order.date_placed
        elif state == "cancel":
            sale_order._action_cancel()


def _duplicate(order):
    return responses.Outcome.ignored(
        const.REASON_DUPLICATE_ORDER,
        f"Order {order.number} of channel {order.channel.pk} was imported before; nothing was changed.",
    )


def _raise_serialization_failure(cr, constraint):
    """Make Odoo replay the request: a concurrent delivery created this record.

    At REPEATABLE READ the current transaction cannot see the row the other
    one committed; a fresh transaction can. Odoo retries on SQLSTATE 40001.
    """
    _logger.info("Concurrent Omnitron import hit %s; the request will be replayed", constraint)
    cr.execute(
        "DO $$BEGIN RAISE EXCEPTION 'concurrent Omnitron import (%%)', %s "
        "USING ERRCODE = 'serialization_failure'; END$$",
        [constraint],
    )
