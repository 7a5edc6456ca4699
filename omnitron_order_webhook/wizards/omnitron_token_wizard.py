from odoo import fields, models


class OmnitronTokenWizard(models.TransientModel):
    """Shows a freshly generated token once; never saved (see res.users)."""

    _name = "omnitron.token.wizard"
    _description = "New Omnitron Token"

    user_id = fields.Many2one("res.users", readonly=True)
    token = fields.Char(readonly=True)
