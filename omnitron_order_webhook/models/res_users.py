from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command


class ResUsers(models.Model):
    _inherit = "res.users"

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

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        if self.env.context.get("omnitron_new_sender"):
            # Created from Sales > Omnitron > Senders & Tokens: a sender. (A
            # default_groups_id would be overwritten by the form's group fields.)
            users.write({"groups_id": [Command.link(self.env.ref("omnitron_order_webhook.group_omnitron_sender").id)]})
        return users

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
        if any(user.company_id not in self.env.user.company_ids for user in self):
            raise AccessError(self.env._("You may not manage tokens of users of companies you cannot access."))
