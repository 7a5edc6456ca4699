from odoo import api, fields, models

from ..core import const


class OmnitronEventReprocess(models.TransientModel):
    """After a fix: the other deliveries blocked by the same carrier, product or tax, to reprocess at once."""

    _name = "omnitron.event.reprocess"
    _description = "Reprocess the Deliveries Waiting for the Same Fix"

    event_id = fields.Many2one("omnitron.webhook.event", string="Fixed Delivery", readonly=True)
    event_ids = fields.Many2many("omnitron.webhook.event", string="Deliveries", readonly=True)
    order_id = fields.Many2one("sale.order", string="Imported Order", readonly=True)
    message = fields.Char(compute="_compute_message")

    @api.depends("event_id", "event_ids")
    @api.depends_context("lang")
    def _compute_message(self):
        for wizard in self:
            count = len(wizard.event_ids)
            reason = wizard.event_id.reason
            if reason == const.REASON_CARGO_COMPANY_NOT_FOUND:
                one = self.env._("One other delivery is waiting for this carrier.")
                many = self.env._("%(count)s other deliveries are waiting for this carrier.", count=count)
            elif reason in (const.REASON_PRODUCT_NOT_FOUND, const.REASON_PRODUCT_AMBIGUOUS):
                one = self.env._("One other delivery is waiting for these products.")
                many = self.env._("%(count)s other deliveries are waiting for these products.", count=count)
            elif reason == const.REASON_TAX_NOT_CONFIGURED:
                one = self.env._("One other delivery is waiting for this tax.")
                many = self.env._("%(count)s other deliveries are waiting for this tax.", count=count)
            else:
                one = self.env._("One other delivery is waiting for the same fix.")
                many = self.env._("%(count)s other deliveries are waiting for the same fix.", count=count)
            wizard.message = one if count == 1 else many

    def action_reprocess(self):
        """Reprocess each waiting delivery through the event's own reprocess (its checks and access)."""
        self.ensure_one()
        events = self.event_ids.with_env(self.env)
        return events.action_reprocess()

    def action_open_order(self):
        self.ensure_one()
        if not self.order_id:
            return {"type": "ir.actions.act_window_close"}
        return self.order_id.get_formview_action()
