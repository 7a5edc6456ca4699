from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core import matters

# Who does a role's work when no person is set: someone of the company with its rights.
ROLE_GROUPS = {
    matters.WAREHOUSE: "stock.group_stock_user",
    matters.ACCOUNTANT: "account.group_account_invoice",
}


class ResCompany(models.Model):
    _inherit = "res.company"

    # The people Omnitron's matters go to (core/matters.py): configurable in Settings.
    omnitron_warehouse_user_id = fields.Many2one(
        "res.users",
        string="Omnitron Warehouse Person",
        help="Gets held deliveries, returns to receive and over-returns of Omnitron orders. Empty: an Inventory "
        "user of the company who is no administrator, else an Omnitron administrator.",
    )
    omnitron_accountant_user_id = fields.Many2one(
        "res.users",
        string="Omnitron Accountant",
        help="Gets refunds to settle, credit notes to check, late cancellations and failed automatic workflows "
        "of Omnitron orders. Empty: a Billing user of the company who is no administrator, else an Omnitron "
        "administrator.",
    )
    omnitron_administrator_user_id = fields.Many2one(
        "res.users",
        string="Omnitron Administrator",
        help="Gets what the connection's rules lack (a payment no rule covers), and whatever has no one else. "
        "Empty: the first Omnitron administrator of the company.",
    )

    @api.constrains("omnitron_warehouse_user_id", "omnitron_accountant_user_id", "omnitron_administrator_user_id")
    def _check_omnitron_people(self):
        for company in self:
            for field in (
                "omnitron_warehouse_user_id",
                "omnitron_accountant_user_id",
                "omnitron_administrator_user_id",
            ):
                user = company[field]
                if user and (user.share or company not in user.company_ids):
                    raise ValidationError(
                        self.env._(
                            "%(field)s: %(user)s is not an internal user of %(company)s, so cannot act on its "
                            "Omnitron orders.",
                            field=company._fields[field].get_description(self.env)["string"],
                            user=user.name,
                            company=company.name,
                        )
                    )

    def _omnitron_person(self, role, sale_order=None):
        """The user who acts for ``role`` (core/matters.py) in this company, on ``sale_order``."""
        self.ensure_one()
        if role == matters.SALESPERSON and sale_order and sale_order.user_id and not sale_order.user_id.share:
            return sale_order.user_id
        configured = {
            matters.WAREHOUSE: self.omnitron_warehouse_user_id,
            matters.ACCOUNTANT: self.omnitron_accountant_user_id,
        }.get(role) or self.env["res.users"]
        if configured.active and not configured.share:
            return configured
        if role in ROLE_GROUPS:
            members = self._omnitron_members(ROLE_GROUPS[role])
            staff = members.filtered(lambda user: not user._is_system())
            if staff:
                return staff.sorted("id")[:1]
        return self._omnitron_administrator()

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
        chosen = self.omnitron_administrator_user_id
        if chosen.active and not chosen.share:
            return chosen
        managers = self._omnitron_members("omnitron_order_webhook.group_omnitron_manager")
        admin = self.env.ref("base.user_admin")
        return managers.sorted("id")[:1] or (admin if self in admin.company_ids else self.env["res.users"])

    def _omnitron_members(self, group_xmlid):
        """The active internal users of this company in ``group_xmlid`` (senders excluded)."""
        self.ensure_one()
        group = self.env.ref(group_xmlid, raise_if_not_found=False)
        if not group:
            return self.env["res.users"]
        return group.sudo().users.filtered(
            lambda user: (
                user.active
                and not user.share
                and self in user.company_ids
                and not user.has_group("omnitron_order_webhook.group_omnitron_sender")
            )
        )
