from odoo import api, models


class ProductPricelistItem(models.Model):
    _inherit = "product.pricelist.item"

    # A rule may change the price of many products at once: the price lists priced from its pricelist
    # are counted again (only what differs is sent).

    @api.model_create_multi
    def create(self, vals_list):
        items = super().create(vals_list)
        self.env["omnitron.price.sync"]._pricelists_changed(items.pricelist_id)
        return items

    def write(self, vals):
        before = self.pricelist_id
        result = super().write(vals)
        self.env["omnitron.price.sync"]._pricelists_changed(before | self.pricelist_id)
        return result

    def unlink(self):
        pricelists = self.pricelist_id
        result = super().unlink()
        self.env["omnitron.price.sync"]._pricelists_changed(pricelists)
        return result
