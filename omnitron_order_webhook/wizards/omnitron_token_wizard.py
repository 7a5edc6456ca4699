from odoo import api, fields, models


class OmnitronTokenWizard(models.TransientModel):
    """Shows a freshly generated token once; never saved (see res.users)."""

    _name = "omnitron.token.wizard"
    _description = "New Omnitron Token"

    user_id = fields.Many2one("res.users", readonly=True)
    token = fields.Char(readonly=True)
    revoked = fields.Char(string="Revoked Tokens", readonly=True, help="Prefixes of the tokens this one replaced.")
    webhook_url = fields.Char(string="Order Webhook", compute="_compute_webhook_urls")
    cancellation_plan_url = fields.Char(string="Cancellation-Plan Webhook", compute="_compute_webhook_urls")

    @api.depends("token")  # a dependency, so the dialog's new record computes them
    def _compute_webhook_urls(self):
        for wizard in self:
            urls = self.env["res.config.settings"]._omnitron_webhook_urls()
            wizard.webhook_url, wizard.cancellation_plan_url = urls
