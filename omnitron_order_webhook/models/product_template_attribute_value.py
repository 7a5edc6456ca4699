from odoo import models


class ProductTemplateAttributeValue(models.Model):
    _inherit = "product.template.attribute.value"

    def write(self, vals):
        result = super().write(vals)
        if "price_extra" in vals:
            # A variant's extra price is part of its list price: its price on Omnitron follows.
            self.env["omnitron.price.sync"]._mark(self.ptav_product_variant_ids.ids)
        return result
