import logging
from decimal import Decimal

from odoo import api, models
from odoo.fields import Command
from odoo.tools.translate import LazyTranslate

from ..core import const, filters, mapping, payments, responses
from ..core import taxes as omnitron_taxes
from ..core.validation import FieldError
from .omnitron_outbound import FROM_OMNITRON, KIND_MARK_SENT
from .omnitron_phrases import say
from .omnitron_webhook_reception import Refusal

_lt = LazyTranslate(__name__)

# How a payment kind reads inside a sentence, in the reader's language.
KIND_WORDS = {
    payments.CARD: _lt("card"),
    payments.PAY_ON_DELIVERY: _lt("pay on delivery"),
    payments.FUNDS_TRANSFER: _lt("funds transfer"),
    payments.LOYALTY: _lt("loyalty points"),
    payments.WALLET: _lt("wallet (BEX)"),
    payments.CASH_REGISTER: _lt("cash register"),
    payments.MARKETPLACE: _lt("the marketplace"),
    payments.OTHER: _lt("another way"),
}

_logger = logging.getLogger(__name__)


class OmnitronOrderImport(models.AbstractModel):
    """The flow that turns a new Omnitron order into a sale order.

    Called by ``omnitron.webhook.reception._receive``, which owns the
    transaction (savepoint, replays, event row, report); this model only does
    the import's steps, and raises ``Refusal`` to answer 202 or 400 without
    writing anything. Other addons extend the import by inheriting the
    ``_prepare_*`` and ``_find_*`` methods. In this file, ``omnitron_order``
    is the validated order of the webhook (core/validation.py) and
    ``sale_order`` the Odoo record.
    """

    _name = "omnitron.order.import"
    _description = "Omnitron Order Import"

    @api.model
    def _import(self, arrival, call, channel):
        """Create the sale order of ``call`` for ``arrival``'s sender; return (outcome, sale order).

        ``channel`` is the order's ``omnitron.channel``, whose defaults it takes.
        """
        refused = filters.check_filters(
            arrival.settings, call.order, arrival.document["payload"], own_channels=channel._accepted_siblings
        )
        if not refused and not channel.accept_orders:
            refused = filters.channel_refused(
                channel.channel_pk, channel._accepted_siblings(), "of this Omnitron account (Orders Accepted is off)"
            )
        if refused:
            raise Refusal(refused)
        company = arrival.company
        steps = (
            self.with_user(arrival.user)
            .with_company(company)
            .sudo()
            .with_context(
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                no_vat_validation=True,
                **{FROM_OMNITRON: True},  # what the import does is Omnitron's word: never sent back
            )
        )
        payment = payments.payment_kind(arrival.document["payload"])
        outcome, sale_order = steps._create_sale_order(call.order, company, arrival.settings, channel, payment)
        # Omnitron is told the order was taken, once this transaction commits.
        self.env["omnitron.outbound"]._enqueue(sale_order, KIND_MARK_SENT)
        return outcome, sale_order

    def _create_sale_order(self, omnitron_order, company, settings, channel, payment=None):
        # Not imported yet: the reception looked (``_find_imported``) before
        # choosing this flow, and the order's unique constraint guards races.
        self._check_company_setup(company, channel)
        carrier = self._find_carrier(omnitron_order.cargo_company, company)
        currency = self._find_currency(omnitron_order)
        countries = self._find_countries(omnitron_order)
        shipping_rate = mapping.shipping_tax_rate(omnitron_order, self._carrier_tax_rate(carrier, company))
        taxes = self._find_or_create_taxes(mapping.tax_rates(omnitron_order, shipping_rate), company)
        products = self._find_or_create_products(omnitron_order.items, company, settings)
        customer = self.env["res.partner"]._omnitron_find_or_create_customer(
            omnitron_order,
            company,
            lang=channel.customer_lang,
            match_across_channels=channel.match_customers_across_channels,
        )
        invoice_address = customer._omnitron_find_or_create_address(
            omnitron_order.billing_address, "invoice", countries[omnitron_order.billing_address.country_code]
        )
        invoice_address._omnitron_e_invoice_status(omnitron_order.billing_address)
        delivery_address = customer._omnitron_find_or_create_address(
            omnitron_order.shipping_address,
            "delivery",
            countries[omnitron_order.shipping_address.country_code],
        )
        values = self._prepare_order_values(
            omnitron_order,
            company=company,
            currency=currency,
            customer=customer,
            invoice_address=invoice_address,
            delivery_address=delivery_address,
            carrier=carrier,
            products=products,
            taxes=taxes,
            shipping_rate=shipping_rate,
        )
        values.update(channel._order_defaults())
        payment = payment or payments.payment_kind({})
        workflow, journal, unmatched = self.env["omnitron.payment.rule"]._workflow_for(channel, payment)
        values.update(
            omnitron_payment_kind=payment.kind,
            omnitron_payment_raw=payment.raw or False,
            workflow_process_id=workflow.id,
            omnitron_payment_journal_id=journal.id,
        )
        sale_order = self.env["sale.order"].create(values)
        if unmatched:
            self._flag_unmatched_payment(sale_order, payment)
        if not sale_order.warehouse_id:
            # Checked on the order Odoo made (its warehouse is looked up anyway) rather
            # than by a query of our own; the refusal rolls the whole import back.
            self._refuse_setup([self._no_warehouse(company)])
        self._apply_status(sale_order, omnitron_order)
        self.env["omnitron.order.cancellation"]._deliver_shipped(
            sale_order, [item for item in omnitron_order.items if item.status in const.SHIPPED_ITEM_STATUSES]
        )
        mismatch = mapping.amount_mismatch(sale_order.amount_total, omnitron_order, sale_order.currency_id.rounding)
        if mismatch:
            sale_order.omnitron_amount_mismatch = True
        detail = (
            say(_lt("Created %(order)s. %(mismatch)s"), order=sale_order.name, mismatch=mismatch)
            if mismatch
            else say(_lt("Created %(order)s."), order=sale_order.name)
        )
        return responses.Outcome.created(detail), sale_order

    def _flag_unmatched_payment(self, sale_order, payment):
        """Paid in a way no payment rule of the account covers: flagged, never given a guessed workflow."""
        # What Omnitron's staff typed (a type or slug) is shown; a transaction set's name is no word of theirs.
        raw = payment.raw if payment.source in ("payment_type", "slug", "payment_option") else None
        template = (
            _lt(
                "Paid by %(kind)s (%(raw)s): no payment rule of %(account)s covers it, so no automatic workflow "
                "invoices it. Add a rule in Sales › Omnitron › Payment Rules and apply it to the orders waiting "
                "for one, or set the workflow on this order."
            )
            if raw
            else _lt(
                "Paid by %(kind)s: no payment rule of %(account)s covers it, so no automatic workflow invoices it. "
                "Add a rule in Sales › Omnitron › Payment Rules and apply it to the orders waiting for one, or set "
                "the workflow on this order."
            )
        )
        params = {"kind": say(KIND_WORDS[payment.kind]), "account": sale_order.omnitron_account_id.name}
        if raw:
            params["raw"] = raw
        note = say(template, **params)
        self.env["omnitron.order.update"]._flag(sale_order, "omnitron_payment_unmatched", note)

    @api.model
    def _duplicate(self, omnitron_order):
        return responses.Outcome.ignored(
            const.REASON_DUPLICATE_ORDER,
            f"Order {omnitron_order.number} of channel {omnitron_order.channel.pk} was imported before; "
            "nothing was changed.",
        )

    def _check_company_setup(self, company, channel):
        """Refuse, naming them, the set-up problems that keep ``company`` from booking and shipping an order.

        Odoo 18 gives a company created outside its tests no warehouse: the
        order could not be confirmed (its delivery needs one).
        """
        problems = company._omnitron_booking_problems()
        if problems:
            if not channel.warehouse_id and not self._company_has_warehouse(company):
                problems.append(self._no_warehouse(company))
            self._refuse_setup(problems)

    def _company_has_warehouse(self, company):
        warehouses = self.env["stock.warehouse"].with_context(active_test=True)
        return bool(warehouses.search_count([("company_id", "=", company.id)], limit=1))

    def _no_warehouse(self, company):
        return f"company {company.name} has no warehouse: create one in Inventory > Configuration > Warehouses"

    def _refuse_setup(self, problems):
        raise Refusal(
            responses.company_config_error(
                "The order cannot be booked: " + "; ".join(problems) + "; then reprocess this event."
            )
        )

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
            raise Refusal(
                responses.Outcome.ignored(
                    const.REASON_CARGO_COMPANY_NOT_FOUND,
                    f"No delivery carrier of {company.name} has Omnitron shipping company "
                    f"{cargo.shipping_company!r} and ERP code {cargo.erp_code!r}; "
                    "add these codes to a carrier and send the order again.",
                )
            )
        return carrier

    def _find_currency(self, omnitron_order):
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", omnitron_order.currency)], limit=1)
        )
        if not currency:
            raise Refusal(
                responses.invalid_payload(
                    [
                        FieldError(
                            "payload.currency", f"{omnitron_order.currency.lower()!r} is not a currency Odoo knows"
                        )
                    ]
                )
            )
        if not currency.active:
            # Activating a currency changes every company's books: the admin's decision.
            raise Refusal(
                responses.Outcome.ignored(
                    const.REASON_CURRENCY_NOT_ACTIVE,
                    f"The currency {currency.name} is not active in Odoo; an administrator activates it "
                    "(Accounting > Configuration > Currencies), then reprocesses this event.",
                )
            )
        return currency

    def _find_countries(self, omnitron_order):
        codes = {omnitron_order.billing_address.country_code, omnitron_order.shipping_address.country_code}
        countries = self.env["res.country"].search([("code", "in", list(codes))])
        by_code = {country.code: country for country in countries}
        errors = [
            FieldError(f"payload.{key}.country.code", f"{address.country_code.lower()!r} is not a country Odoo knows")
            for key, address in (
                ("billing_address", omnitron_order.billing_address),
                ("shipping_address", omnitron_order.shipping_address),
            )
            if address.country_code not in by_code
        ]
        if errors:
            raise Refusal(responses.invalid_payload(errors))
        return by_code

    def _find_or_create_products(self, items, company, settings):
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
        # An archived product is a candidate only when no active one has the sku:
        # archiving an old product must not make every order for its sku ambiguous.
        by_sku = {sku: [p for p in matches if p.active] or matches for sku, matches in by_sku.items()}
        ambiguous = sorted(sku for sku, matches in by_sku.items() if len(matches) > 1)
        if ambiguous:
            raise Refusal(
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
        if missing and not settings.create_missing_products:
            raise Refusal(
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

    @api.model
    def _carrier_tax_rate(self, carrier, company):
        """The rate of the carrier product's sale tax in ``company``, when it has exactly one percentage tax."""
        percentages = carrier.product_id.taxes_id._filter_taxes_by_company(company).filtered(
            lambda tax: tax.amount_type == "percent" and tax.amount
        )
        return Decimal(str(percentages.amount)) if len(percentages) == 1 else None

    def _find_or_create_taxes(self, rates, company):
        """The sale tax of every rate (core/taxes.py's rule); a missing one refuses the order.

        Every rate is decided before anything is created, so an order with one
        rate Odoo cannot book creates no tax at all.
        """
        Tax = self.env["account.tax"]
        choice = Tax._omnitron_choose(rates, company)
        if not choice.complete:
            raise Refusal(
                responses.Outcome.ignored(
                    const.REASON_TAX_NOT_CONFIGURED, omnitron_taxes.not_configured_detail(company.name, choice)
                )
            )
        taxes = {rate: Tax.browse(tax_id) for rate, tax_id in choice.use.items()}
        for rate, source_id in choice.twin_of.items():
            taxes[rate] = Tax.browse(source_id)._omnitron_create_twin(rate)
        return taxes

    def _prepare_order_values(
        self,
        omnitron_order,
        *,
        company,
        currency,
        customer,
        invoice_address,
        delivery_address,
        carrier,
        products,
        taxes,
        shipping_rate,
    ):
        per_row = mapping.prices_per_row(omnitron_order)
        lines = [
            {
                **mapping.line_values(item, per_row),
                "product_id": products[item.product.sku].id,
                "tax_id": [Command.set([taxes[item.tax_rate].id] if item.tax_rate else [])],
            }
            for item in omnitron_order.items
        ]
        shipping_taxes = [taxes[shipping_rate].id] if shipping_rate else []
        lines.append(
            {
                "name": carrier.name,
                "product_id": carrier.product_id.id,
                "product_uom_qty": 1.0,
                "price_unit": float(omnitron_order.shipping_amount),
                "tax_id": [Command.set(shipping_taxes)],
                "is_delivery": True,
            }
        )
        return {
            **mapping.order_values(omnitron_order),
            "company_id": company.id,
            "partner_id": customer.id,
            "partner_invoice_id": invoice_address.id,
            "partner_shipping_id": delivery_address.id,
            "pricelist_id": self.env["product.pricelist"]._omnitron_for_order(currency, company).id,
            # Omnitron already applied its taxes; a fiscal position must not remap them.
            "fiscal_position_id": False,
            "user_id": False,
            "carrier_id": carrier.id,
            "order_line": [Command.create(line) for line in lines],
        }

    def _apply_status(self, sale_order, omnitron_order):
        state = mapping.order_state(omnitron_order.status)
        if state == "sale":
            sale_order.action_confirm()
            # Confirming stamps today's date; the order was placed earlier.
            sale_order.date_order = omnitron_order.date_placed
        elif state == "cancel":
            sale_order._action_cancel()
        if omnitron_order.status == const.STATUS_CANCELLATION_WAITING:
            self.env["omnitron.order.cancellation"]._request(sale_order, "cancel")
