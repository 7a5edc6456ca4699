from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    def _action_confirm(self, merge=True, merge_into=False):
        moves = super()._action_confirm(merge=merge, merge_into=merge_into)
        # Demand confirmed (not yet reserved) is less to sell: its products are marked.
        self._omnitron_mark_demand(moves)
        return moves

    def _action_cancel(self):
        marked = self.filtered(lambda move: move.state not in ("done", "cancel"))
        result = super()._action_cancel()
        self._omnitron_mark_demand(marked)
        return result

    def _omnitron_mark_demand(self, moves):
        self.env["omnitron.stock.sync"]._mark(
            (move.product_id.id, move.location_id.warehouse_id.id) for move in moves if move.location_id.warehouse_id
        )
