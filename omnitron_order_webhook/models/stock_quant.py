from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _update_available_quantity(self, product_id, location_id, *args, **kwargs):
        # Every change of a quant's quantity or reservation passes here (receipts, deliveries,
        # adjustments, scrap, reservations): its (product, warehouse) is marked for Omnitron's stock.
        result = super()._update_available_quantity(product_id, location_id, *args, **kwargs)
        if location_id.warehouse_id:
            self.env["omnitron.stock.sync"]._mark([(product_id.id, location_id.warehouse_id.id)])
        return result
