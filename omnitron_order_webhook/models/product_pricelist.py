from odoo import api, fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    omnitron_key = fields.Char(
        readonly=True,
        copy=False,
        help="Set when the Omnitron webhook created this pricelist, so it is created once per company.",
    )

    _sql_constraints = [
        # Two deliveries needing the same new pricelist at once must not create it twice.
        (
            "omnitron_key_uniq",
            "unique(omnitron_key, company_id)",
            "The Omnitron webhook already created this pricelist in this company.",
        ),
    ]

    @api.model
    def _omnitron_find_or_create(self, currency, company):
        """A pricelist in the order's currency: the company's, or one created once for Omnitron."""
        Pricelist = self
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
