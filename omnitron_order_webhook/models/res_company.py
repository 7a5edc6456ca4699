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

    def _omnitron_administrator(self):
        """Who acts when no salesperson is set: an Omnitron administrator of the company, else the admin."""
        self.ensure_one()
        group = self.env.ref("omnitron_order_webhook.group_omnitron_manager")
        managers = group.sudo().users.filtered(lambda user: user.active and not user.share and self in user.company_ids)
        admin = self.env.ref("base.user_admin")
        return managers.sorted("id")[:1] or (admin if self in admin.company_ids else self.env["res.users"])
