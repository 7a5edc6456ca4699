from odoo import fields, models
from odoo.exceptions import AccessError


class ResUsers(models.Model):
    _inherit = "res.users"

    omnitron_token_ids = fields.One2many(
        "omnitron.token", "user_id", string="Omnitron Tokens", groups="base.group_system"
    )

    def omnitron_generate_token(self):
        """Return a new Omnitron token for this user, in clear, this one time.

        Public so an administrator can call it over RPC. The user keeps the
        previous token too (at most two), so the sender can switch without
        downtime; ``omnitron_revoke_tokens`` ends them all.
        """
        self.ensure_one()
        self._omnitron_check_admin()
        return self.env["omnitron.token"]._generate(self)

    def omnitron_revoke_tokens(self):
        """Revoke every Omnitron token of these users."""
        self._omnitron_check_admin()
        self.env["omnitron.token"].sudo().search([("user_id", "in", self.ids)]).unlink()
        return True

    def _omnitron_check_admin(self):
        if not self.env.is_superuser() and not self.env.user.has_group("base.group_system"):
            raise AccessError(self.env._("Only an administrator can manage Omnitron tokens."))
