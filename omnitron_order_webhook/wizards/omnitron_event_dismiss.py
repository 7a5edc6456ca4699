from odoo import fields, models


class OmnitronEventDismiss(models.TransientModel):
    """Dismiss deliveries that need nobody after all (a test order, an order handled by hand)."""

    _name = "omnitron.event.dismiss"
    _description = "Dismiss Omnitron Deliveries"

    event_ids = fields.Many2many("omnitron.webhook.event", string="Deliveries", readonly=True)
    note = fields.Text(required=True, help="Why nobody has to act on these deliveries; kept on each of them.")

    def action_dismiss(self):
        self.ensure_one()
        self.event_ids._dismiss(self.note)
        return {"type": "ir.actions.act_window_close"}
