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

    @api.model
    def _generate(self, user):
        """Create a token for ``user`` and return it in clear, once."""
        token, index, key_digest = tokens.new_token()
        self.sudo().create({"user_id": user.id, "index": index, "key_digest": key_digest})
        outdated = self.sudo().search([("user_id", "=", user.id)])[self._max_tokens_per_user :]
        outdated.unlink()
        return token

    @api.model
    def _user_for_token(self, token):
        """The active user owning ``token``, or an empty recordset."""
        candidates = self.sudo().search([("index", "=", token[: tokens.INDEX_SIZE])])
        for candidate in candidates:
            if tokens.matches(token, candidate.key_digest) and candidate.user_id.active:
                return candidate.user_id
        return self.env["res.users"]
