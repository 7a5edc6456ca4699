from odoo import models

from .omnitron_price_sync import VARIANT_PRICE_FIELDS


class ProductProduct(models.Model):
    _inherit = "product.product"

    def write(self, vals):
        result = super().write(vals)
        if VARIANT_PRICE_FIELDS & set(vals):
            # A variant's SKU or attributes (its price extra) changed: its price on Omnitron follows.
            self.env["omnitron.price.sync"]._mark(self.ids)
        return result
