from odoo import api, fields, models

from ..core import tokens


class OmnitronToken(models.Model):
    """A token Omnitron presents as ``Authorization: Token <key>``.

    Only a SHA-256 digest is stored, found through a short clear prefix the way
    ``res.users.apikeys`` does; the token itself is shown once, when generated.
    """

    _name = "omnitron.token"
    _description = "Omnitron Sender Token"
    _order = "create_date desc, id desc"
    _rec_name = "index"

    # A user keeps at most this many tokens: the new one and the one it replaces,
    # so a sender can rotate without downtime.
    _max_tokens_per_user = 2

    user_id = fields.Many2one("res.users", required=True, readonly=True, ondelete="cascade", index=True)
    index = fields.Char(string="Prefix", required=True, readonly=True, index=True)
    key_digest = fields.Char(required=True, readonly=True, groups="base.group_system", copy=False)
    last_used = fields.Datetime(
        compute="_compute_last_used",
        help="When the token last authenticated a delivery, from the webhook events (kept for their retention).",
    )

    def _compute_last_used(self):
        # Read from the event log rather than written on every delivery: a
        # write per request would make concurrent deliveries of one sender
        # contend for the token's row.
        last_by_token = {}
        if self.ids:
            groups = (
                self.env["omnitron.webhook.event"]
                .sudo()
                ._read_group([("token_id", "in", self.ids)], ["token_id"], ["received_at:max"])
            )
            last_by_token = {token.id: last for token, last in groups}
        for token in self:
            token.last_used = last_by_token.get(token.id, False)

    @api.model
    def _generate(self, user):
        """Create a token for ``user``; return it in clear, once, with the prefixes of the tokens it revoked."""
        token, index, key_digest = tokens.new_token()
        self.sudo().create({"user_id": user.id, "index": index, "key_digest": key_digest})
        outdated = self.sudo().search([("user_id", "=", user.id)])[self._max_tokens_per_user :]
        revoked = outdated.mapped("index")
        outdated.unlink()
        return token, revoked

    @api.model
    def _authenticate(self, token):
        """The token record matching ``token`` whose user is active, or an empty recordset."""
        candidates = self.sudo().search([("index", "=", token[: tokens.INDEX_SIZE])])
        for candidate in candidates:
            if tokens.matches(token, candidate.key_digest) and candidate.user_id.active:
                return candidate
        return self.browse()

    def action_revoke(self):
        """Revoke these tokens (button of the user form's token list and of the token's form)."""
        self.user_id._omnitron_check_manager()
        users = self.user_id
        self.sudo().unlink()
        if len(users) == 1 and self.env.context.get("from_token_form"):
            return {"type": "ir.actions.act_window", "res_model": "res.users", "res_id": users.id, "view_mode": "form"}
        return True
