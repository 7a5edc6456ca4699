from odoo import api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError, ValidationError
from odoo.fields import Command


class ResUsers(models.Model):
    _inherit = "res.users"

    omnitron_account_id = fields.Many2one(
        "omnitron.account",
        index="btree_not_null",
        groups="omnitron_order_webhook.group_omnitron_manager",
        ondelete="restrict",
        help="The Omnitron whose orders this sender posts: its tokens import them into that account's company.",
    )
    omnitron_token_ids = fields.One2many(
        "omnitron.token", "user_id", string="Omnitron Tokens", groups="omnitron_order_webhook.group_omnitron_manager"
    )
    omnitron_is_sender = fields.Boolean(
        compute="_compute_omnitron_is_sender", groups="omnitron_order_webhook.group_omnitron_manager"
    )
    omnitron_token_count = fields.Integer(
        string="Tokens", compute="_compute_omnitron_token_stats", groups="omnitron_order_webhook.group_omnitron_manager"
    )
    omnitron_last_delivery = fields.Datetime(
        string="Last Delivery",
        compute="_compute_omnitron_token_stats",
        groups="omnitron_order_webhook.group_omnitron_manager",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            self.env.context.get("omnitron_new_sender")
            and "omnitron_account_id" in fields_list
            and not values.get("omnitron_account_id")
        ):
            # A company with one Omnitron: its new senders post that one's orders.
            accounts = self.env["omnitron.account"].search([("company_id", "=", self.env.company.id)], limit=2)
            if len(accounts) == 1:
                values["omnitron_account_id"] = accounts.id
        return values

    @api.onchange("omnitron_account_id")
    def _onchange_omnitron_account_id(self):
        """A sender belongs to its account's company (its form shows the company as the account's)."""
        if self.omnitron_account_id and self.omnitron_account_id.company_id != self.company_id:
            self.company_id = self.omnitron_account_id.company_id
            self.company_ids = [Command.set(self.company_id.ids)]

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("omnitron_new_sender"):
            return super().create(vals_list)
        # Created from Sales > Omnitron > Senders & Tokens: a machine identity.
        # The sender group only (not Odoo's default groups for new users, which
        # make an internal user), so a share user; no password and no
        # invitation e-mail: it authenticates with its tokens alone.
        sender_group = self.env.ref("omnitron_order_webhook.group_omnitron_sender")
        for vals in vals_list:
            # A sender belongs to its account's company.
            if vals.get("omnitron_account_id") and not vals.get("company_id"):
                vals["company_id"] = self.env["omnitron.account"].browse(vals["omnitron_account_id"]).company_id.id
        vals_list = [
            {
                **{
                    key: value
                    for key, value in vals.items()
                    if key != "password" and not key.startswith(("in_group_", "sel_groups_"))
                },
                "groups_id": [Command.set(sender_group.ids)],
                # The sender's form sets its company only: that company is its one allowed company.
                **({"company_ids": [Command.set([vals["company_id"]])]} if vals.get("company_id") else {}),
            }
            for vals in vals_list
        ]
        return super(ResUsers, self.with_context(no_reset_password=True)).create(vals_list)

    @api.constrains("groups_id")
    def _check_omnitron_sender_is_a_machine(self):
        """A sender's tokens import orders as it: it must not be a person's account too."""
        sender_group = self.env.ref("omnitron_order_webhook.group_omnitron_sender", raise_if_not_found=False)
        if not sender_group:
            return
        people = self.env.ref("base.group_user") | self.env.ref("base.group_portal")
        for user in self.filtered(lambda user: sender_group in user.groups_id and user.groups_id & people):
            raise ValidationError(
                self.env._(
                    "%(user)s (%(login)s) is a person's account (an internal or portal user) and cannot also be an "
                    "Omnitron sender, whose tokens import orders in its name. Create a sender from Sales › Omnitron › "
                    "Senders & Tokens instead.",
                    user=user.name,
                    login=user.login,
                )
            )

    @api.constrains("groups_id", "omnitron_account_id", "company_id")
    def _check_omnitron_sender_account(self):
        """A sender posts one Omnitron's orders into that Omnitron's company: its account says which."""
        sender_group = self.env.ref("omnitron_order_webhook.group_omnitron_sender", raise_if_not_found=False)
        if not sender_group:
            return
        for user in self.sudo():
            account = user.omnitron_account_id
            if sender_group in user.groups_id and not account:
                raise ValidationError(
                    self.env._(
                        "%(user)s (%(login)s) is an Omnitron sender: choose the Omnitron account whose orders it "
                        "posts.",
                        user=user.name,
                        login=user.login,
                    )
                )
            if account and account.company_id != user.company_id:
                raise ValidationError(
                    self.env._(
                        "%(user)s posts the orders of %(account)s, an Omnitron of %(account_company)s: the sender "
                        "must belong to that company, not to %(company)s.",
                        user=user.name,
                        account=account.name,
                        account_company=account.company_id.name,
                        company=user.company_id.name,
                    )
                )

    def _check_credentials(self, credential, env):
        # A sender is a machine: it authenticates with its Omnitron tokens only,
        # never by password (on the login page or over RPC), even if one was set.
        if credential.get("type") == "password" and self.env.user.has_group(
            "omnitron_order_webhook.group_omnitron_sender"
        ):
            raise AccessDenied()
        return super()._check_credentials(credential, env)

    def _compute_omnitron_is_sender(self):
        sender_group = self.env.ref("omnitron_order_webhook.group_omnitron_sender")
        for user in self:
            user.omnitron_is_sender = sender_group in user.groups_id

    def _compute_omnitron_token_stats(self):
        for user in self:
            user_tokens = user.sudo().omnitron_token_ids
            user.omnitron_token_count = len(user_tokens)
            user.omnitron_last_delivery = max(filter(None, user_tokens.mapped("last_used")), default=False)

    def omnitron_generate_token(self):
        """Return a new Omnitron token for this user, in clear, this one time.

        Public so an administrator can call it over RPC. The user keeps the
        previous token too (at most two), so the sender can switch without
        downtime; ``omnitron_revoke_tokens`` ends them all.
        """
        self.ensure_one()
        self._omnitron_check_manager()
        if not self.env.is_superuser() and not self.has_group("omnitron_order_webhook.group_omnitron_sender"):
            raise UserError(self.env._("Give %(user)s the group Omnitron Order Sender first.", user=self.display_name))
        return self.env["omnitron.token"]._generate(self)[0]

    def omnitron_revoke_tokens(self):
        """Revoke every Omnitron token of these users."""
        self._omnitron_check_manager()
        self.env["omnitron.token"].sudo().search([("user_id", "in", self.ids)]).unlink()
        return True

    def action_omnitron_generate_token(self):
        """Button: generate a token and show it once in a dialog.

        The token travels only in the dialog's context: the dialog is never
        saved, so the clear token is stored nowhere.
        """
        self.ensure_one()
        self._omnitron_check_manager()
        if not self.has_group("omnitron_order_webhook.group_omnitron_sender"):
            raise UserError(self.env._("Give %(user)s the group Omnitron Order Sender first.", user=self.display_name))
        token, revoked = self.env["omnitron.token"]._generate(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New Omnitron token"),
            "res_model": "omnitron.token.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_token": token,
                "default_user_id": self.id,
                "default_revoked": ", ".join(revoked) or False,
            },
        }

    def _omnitron_check_manager(self):
        """Every token path (generate, revoke all, revoke one) passes here: an
        Omnitron administrator, managing users of companies they can access."""
        if self.env.is_superuser():
            return
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_manager"):
            raise AccessError(self.env._("Only an Omnitron administrator can manage Omnitron tokens."))
        if any(
            user.company_id not in self.env.user.company_ids
            or (user.sudo().omnitron_account_id.company_id - self.env.user.company_ids)
            for user in self
        ):
            raise AccessError(self.env._("You may not manage tokens of users of companies you cannot access."))
