import logging
from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

from ..core import taxes as omnitron_taxes

_logger = logging.getLogger(__name__)


class AccountTax(models.Model):
    _inherit = "account.tax"

    omnitron_rate = fields.Float(
        string="Omnitron Rate (%)",
        digits=(16, 4),
        copy=False,
        help="Orders from Omnitron whose tax_rate is this rate are taxed with this tax. Only a price-included "
        "percent sale tax of this very rate may carry it, and one per rate and company. Empty: the webhook "
        "uses the company's sale tax of the rate (or a price-included twin of it).",
    )

    omnitron_name_suffix = fields.Char(
        copy=False,
        readonly=True,
        help="Set on the taxes the addon names (a twin, the demo's tax): their name is rendered in the reader's "
        "language from their rate, followed by this suffix.",
    )
    omnitron_named = fields.Boolean(copy=False, readonly=True)

    def init(self):
        # At most one tax per rate and company. A partial index, since an
        # unmarked tax stores 0 (or NULL); its violation by two concurrent
        # orders makes Odoo replay the later one, which finds the first's twin.
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS account_tax_omnitron_rate_uniq "
            "ON account_tax (company_id, omnitron_rate) WHERE omnitron_rate > 0"
        )

    @api.constrains("omnitron_rate", "type_tax_use", "amount_type", "amount", "price_include_override", "company_id")
    def _check_omnitron_rate(self):
        for tax in self.filtered("omnitron_rate"):
            if tax.type_tax_use != "sale" or tax.amount_type != "percent" or not tax.price_include:
                raise ValidationError(
                    self.env._(
                        "Only a price-included percent sale tax can carry an Omnitron rate; %(tax)s cannot.",
                        tax=tax.display_name,
                    )
                )
            if float_compare(tax.amount, tax.omnitron_rate, precision_digits=4):
                raise ValidationError(
                    self.env._(
                        "%(tax)s is a tax of %(amount)s%%: it can only book Omnitron's rate of %(amount)s%%, "
                        "not %(rate)s%%.",
                        tax=tax.display_name,
                        amount=tax.amount,
                        rate=tax.omnitron_rate,
                    )
                )

    @api.depends("type_tax_use", "tax_scope", "name", "omnitron_named", "omnitron_name_suffix", "amount")
    @api.depends_context("lang", "append_type_to_tax_name")
    def _compute_display_name(self):
        result = super()._compute_display_name()
        for tax in self.filtered("omnitron_named"):
            # The stored name, translated where the language was installed when the tax was
            # made, is replaced by the rate in the reader's language (any language, any time).
            rendered = tax._omnitron_rate_name(tax.amount) + (tax.omnitron_name_suffix or "")
            tax.display_name = rendered + (tax.display_name or "")[len(tax.name or "") :]
        return result

    @api.model_create_multi
    def create(self, vals_list):
        default_company_id = self.env.context.get("default_company_id") or self.env.company.id
        self._check_omnitron_rates_free(
            [
                (vals["omnitron_rate"], vals.get("company_id") or default_company_id)
                for vals in vals_list
                if vals.get("omnitron_rate")
            ]
        )
        taxes = super().create(vals_list)
        taxes.filtered("omnitron_rate")._omnitron_keep_to_its_rate()
        return taxes

    def write(self, vals):
        if vals.get("omnitron_rate") or ("company_id" in vals and any(self.mapped("omnitron_rate"))):
            self._check_omnitron_rates_free(
                [
                    (vals.get("omnitron_rate") or tax.omnitron_rate, vals.get("company_id") or tax.company_id.id)
                    for tax in self
                    if vals.get("omnitron_rate") or tax.omnitron_rate
                ],
                excluded=self,
            )
        result = super().write(vals)
        if vals.get("omnitron_rate") or ("amount" in vals and any(self.mapped("omnitron_rate"))):
            self.filtered("omnitron_rate")._omnitron_keep_to_its_rate()
        return result

    def _omnitron_keep_to_its_rate(self):
        """A tax marked for a rate its chart lacks does not report under another rate.

        Such a tax is usually a copy of the chart's tax of another rate (the
        demo's 8 % is a copy of l10n_tr's 10 %): it keeps that tax's accounts,
        but its own rate gets its own tax group (the invoice's VAT line) and
        it loses the other rate's tax-report tags, which the admin chooses.
        A rate the chart has is left alone: its group and tags are the chart's.
        """
        for tax in self:
            siblings = self.with_context(active_test=False).search(
                [("company_id", "=", tax.company_id.id), ("type_tax_use", "=", "sale"), ("id", "!=", tax.id)]
            )
            if siblings.filtered(lambda other, tax=tax: not float_compare(other.amount, tax.amount, 4)):
                continue
            if tax.tax_group_id in siblings.tax_group_id:
                tax.tax_group_id = tax._omnitron_rate_group()
            lines = tax.invoice_repartition_line_ids | tax.refund_repartition_line_ids
            other_tags = (
                lines.tag_ids & (siblings.invoice_repartition_line_ids | siblings.refund_repartition_line_ids).tag_ids
            )
            if other_tags:
                lines.write({"tag_ids": [fields.Command.unlink(tag.id) for tag in other_tags]})
                _logger.info(
                    "%s, marked for Omnitron rate %s%%, lost the report tags of other rates: %s",
                    tax.name,
                    tax.omnitron_rate,
                    ", ".join(other_tags.mapped("name")),
                )

    def _omnitron_rate_group(self):
        """The tax group of this tax's rate in its company: found by its name ("VAT %8"), else made.

        A new group keeps the accounts and country of the tax's current group
        and is named in every installed language.
        """
        self.ensure_one()
        rate_text = omnitron_taxes.format_rate(Decimal(str(self.amount)))
        Group = self.env["account.tax.group"].with_context(lang="en_US")
        name = Group.env._("VAT %%%(rate)s", rate=rate_text)
        group = Group.search([*Group._check_company_domain(self.company_id), ("name", "=", name)], limit=1)
        if group:
            return group
        source = self.tax_group_id
        group = source.copy({"name": name, "company_id": self.company_id.id, "sequence": source.sequence})
        for code, _name in self.env["res.lang"].get_installed():
            group.with_context(lang=code).name = group.with_context(lang=code).env._("VAT %%%(rate)s", rate=rate_text)
        return group

    def _omnitron_rate_name(self, rate):
        """What the addon names a price-included tax of ``rate``, in the reader's language."""
        return self.env._("%(rate)s%% VAT (incl.)", rate=omnitron_taxes.format_rate(Decimal(str(rate))))

    def _omnitron_name_in_every_language(self, rate, suffix=""):
        """Store the rendered name in every installed language (search, reports) and render it when read."""
        self.ensure_one()
        for code, _name in self.env["res.lang"].get_installed():
            self.with_context(lang=code).name = self.with_context(lang=code)._omnitron_rate_name(rate) + suffix
        self.write({"omnitron_named": True, "omnitron_name_suffix": suffix or False})

    @api.model
    def _check_omnitron_rates_free(self, marks, excluded=None):
        """One tax per Omnitron rate and company, said in words before the unique index says it in SQL.

        ``marks`` are the (rate, company id) pairs about to be written.
        """
        seen = set()
        for rate, company_id in marks:
            clash = self.with_context(active_test=False).search(
                [
                    ("id", "not in", excluded.ids if excluded else []),
                    ("company_id", "=", company_id),
                    ("omnitron_rate", "=", rate),
                ],
                limit=1,
            )
            if clash or (rate, company_id) in seen:
                raise ValidationError(
                    self.env._(
                        "%(other)s is already marked for Omnitron rate %(rate)s%% in %(company)s.",
                        other=clash.display_name or self.env._("Another tax"),
                        rate=rate,
                        company=self.env["res.company"].browse(company_id).name,
                    )
                )
            seen.add((rate, company_id))

    @api.model
    def _omnitron_choose(self, rates, company):
        """Which tax books each Omnitron rate in ``company`` (core/taxes.py decides)."""
        if not rates:
            return omnitron_taxes.choose_taxes([], [])
        Tax = self.with_context(active_test=False)
        found = Tax.search(
            [
                *Tax._check_company_domain(company),
                ("type_tax_use", "=", "sale"),
                ("amount_type", "=", "percent"),
                "|",
                ("active", "=", True),
                ("omnitron_rate", ">", 0),
            ]
        )
        lineage = list(reversed(company.parent_ids.ids))  # the company first, then its parents
        return omnitron_taxes.choose_taxes(
            rates,
            [
                omnitron_taxes.SaleTax(
                    id=tax.id,
                    name=tax.name,
                    amount=Decimal(str(tax.amount)),
                    price_include=tax.price_include,
                    omnitron_rate=Decimal(str(tax.omnitron_rate)) if tax.omnitron_rate else None,
                    active=tax.active,
                    company_rank=lineage.index(tax.company_id.id) if tax.company_id.id in lineage else len(lineage),
                    sequence=tax.sequence,
                )
                for tax in found
            ],
        )

    def _omnitron_create_twin(self, rate):
        """A price-included copy of this price-excluded sale tax, marked for Omnitron ``rate``.

        Same repartition lines (accounts and tax-report tags), tax group,
        country and company as the chart's tax, so the VAT lands where the
        accountant expects it. Named in every installed language so staff
        recognise it; created once per company (a unique index on the mark).
        """
        self.ensure_one()
        rate_text = omnitron_taxes.format_rate(rate)
        name = self.env._("%(rate)s%% VAT (incl.)", rate=rate_text)
        # Odoo wants sale tax names unique across a company tree: a branch's
        # own twin next to its parent's is named after its company.
        same_name = self.with_context(active_test=False).search_count(
            [
                ("company_id", "child_of", self.company_id.root_id.id),
                ("name", "=", name),
                ("type_tax_use", "=", "sale"),
            ],
            limit=1,
        )
        suffix = f" ({self.company_id.name})" if same_name else ""
        twin = self.copy(
            {
                "name": name + suffix,
                "price_include_override": "tax_included",
                "omnitron_rate": float(rate),
                "active": True,
            }
        )
        twin._omnitron_name_in_every_language(rate, suffix)
        _logger.info("Created %s, a price-included twin of %s, for Omnitron rate %s%%", twin.name, self.name, rate_text)
        return twin

    @api.model
    def _omnitron_install_demo_tax(self):
        """DEMO DATA ONLY (demo/omnitron_demo.xml): mark a tax for the spec's 8 % rate.

        Today's Turkish chart has no 8 % sale tax, so the spec's sample would
        be answered ``tax_not_configured``. The demo gives the main company a
        price-included copy of the chart's 10 % sale tax with amount 8 (same
        accounts and tags), marked for Omnitron rate 8. Nothing without l10n_tr.
        """
        company = self.env.ref("base.main_company")
        source = (
            self.env["account.chart.template"].with_company(company).ref("tr_s_10", raise_if_not_found=False)
            if company.chart_template == "tr"
            else None
        )
        if not source or self.search_count([("company_id", "=", company.id), ("omnitron_rate", "=", 8.0)]):
            return False
        tax = source.copy(
            {
                "name": "8% VAT (incl.) (demo)",
                "amount": 8.0,
                "price_include_override": "tax_included",
                "omnitron_rate": 8.0,
            }
        )
        tax._omnitron_name_in_every_language(Decimal(8), " (demo)")
        return tax

    @api.model
    def _omnitron_install_demo_carrier_tax(self):
        """DEMO DATA ONLY: the demo carrier's product bears the chart's 20 % KDV, as Turkish shipping does.

        Omnitron often sends the shipping's tax rate null; the import then takes
        the carrier product's rate (core/mapping.shipping_tax_rate). Untaxed,
        every demo invoice would carry shipping without KDV, which an e-Arşiv
        invoice refuses. Nothing without l10n_tr.
        """
        company = self.env.ref("base.main_company")
        product = self.env.ref("omnitron_order_webhook.demo_omnitron_carrier_product", raise_if_not_found=False)
        tax = (
            self.env["account.chart.template"].with_company(company).ref("tr_s_20", raise_if_not_found=False)
            if company.chart_template == "tr"
            else None
        )
        if not (product and tax):
            return False
        product.taxes_id = [Command.set(tax.ids)]
        return tax
