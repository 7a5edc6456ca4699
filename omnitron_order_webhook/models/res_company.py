from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _omnitron_booking_problems(self):
        """What keeps this company from booking an order: a chart of accounts and a fiscal country are needed."""
        self.ensure_one()
        problems = []
        if not self.chart_template:
            problems.append(
                f"company {self.name} has no chart of accounts: install its fiscal localisation "
                "(for Türkiye, l10n_tr) in Accounting > Settings"
            )
        if not self.account_fiscal_country_id:
            problems.append(
                f"company {self.name} has no fiscal country: set it in Accounting > Settings > Fiscal Localization"
            )
        return problems
