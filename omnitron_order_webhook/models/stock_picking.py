from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        result = super()._action_done()
        # One job per order (a pending one merges): its items' status 500 and tracking.
        shipped = self.filtered(lambda picking: picking.state == "done" and picking.picking_type_code == "outgoing")
        self.env["omnitron.outbound"]._enqueue(shipped.sale_id, "items")
        return result
