from odoo import SUPERUSER_ID, api, fields, models


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

    def write(self, vals):
        result = super().write(vals)
        if {"currency_id", "company_id", "active"} & set(vals):
            # Prices in another currency, or of another company: the lists priced from it are counted again.
            self.env["omnitron.price.sync"]._pricelists_changed(self)
        return result

    @api.model
    def _omnitron_for_order(self, currency, company):
        """The pricelist of an order Omnitron sent in ``currency`` (empty: none).

        Only pricelists Odoo's settings know about: while the pricelist feature
        (*Sales › Settings › Pricelists*) is off, saving the settings archives
        every pricelist, and each visit warns that it will. So, in this order:

        - the company's default pricelist in that currency (its first by
          sequence, as Odoo picks a customer's), when it has one;
        - none, when the order is in the company's currency: a sale order
          without a pricelist is in its company's currency, as in any Odoo
          where the feature is off;
        - otherwise only a pricelist can carry the currency: the feature is
          switched on as Odoo does when a second currency is activated
          (``_omnitron_enable_pricelists``), then a pricelist in that currency
          is created once per company.
        """
        pricelist = self.search(
            [("currency_id", "=", currency.id), *self._check_company_domain(company)],
            order="company_id, sequence, id",
            limit=1,
        )
        if pricelist or currency == company.currency_id:
            return pricelist
        self._omnitron_enable_pricelists()
        key = f"pricelist:{currency.name}"
        # One the webhook created before, archived since: brought back rather than
        # created twice (omnitron_key is unique per company).
        keyed = self.with_context(active_test=False).search(
            [("omnitron_key", "=", key), ("company_id", "=", company.id)], limit=1
        )
        if keyed:
            keyed.action_unarchive()
            return keyed
        return self.create(
            {
                "name": f"Omnitron {currency.name}",
                "currency_id": currency.id,
                "company_id": company.id,
                "omnitron_key": key,
            }
        )

    @api.model
    def _omnitron_enable_pricelists(self):
        """Switch Odoo's pricelist feature on, as its settings do.

        Not a group given to some users: the settings show *Pricelists* on
        when ``base.group_user`` implies ``product.group_product_pricelist``
        (res.config.settings' ``implied_group``), and switching it on creates
        or reactivates each company's default pricelist. This is what Odoo
        itself does when a second currency is activated
        (product's ``res.currency._activate_group_multi_currency``).
        """
        employees = self.env.ref("base.group_user").sudo()
        feature = self.env.ref("product.group_product_pricelist")
        if feature in employees.implied_ids:
            return
        employees._apply_group(feature)
        # As superuser: Odoo creates the default pricelists only for a user who
        # has the feature, and the webhook's sender is no employee.
        self.env["res.company"].with_user(SUPERUSER_ID)._activate_or_create_pricelists()
