from odoo import fields, models

from .omnitron_price_sync import TEMPLATE_PRICE_FIELDS


class ProductTemplate(models.Model):
    _inherit = "product.template"

    omnitron_product_pk = fields.Integer(
        string="Omnitron Product ID",
        readonly=True,
        copy=False,
        help="Omnitron's product pk, set when the webhook created this product.",
    )
    omnitron_sku = fields.Char(
        string="Omnitron SKU",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Set when the webhook created this product: the sku it was created for.",
    )

    omnitron_stock_excluded = fields.Boolean(
        string="Not Sent to Omnitron's Stock",
        help="Omnitron's stock lists never get this product's number (it is sold from Omnitron's own stock).",
    )

    _sql_constraints = [
        # Two deliveries naming the same new sku at once must not create it twice.
        (
            "omnitron_sku_uniq",
            "unique(omnitron_sku, company_id)",
            "The webhook already created a product for this sku in this company.",
        ),
    ]

    def write(self, vals):
        result = super().write(vals)
        if TEMPLATE_PRICE_FIELDS & set(vals):
            # A list price, tax or SKU changed: the variants' prices on Omnitron's price lists follow.
            self.env["omnitron.price.sync"]._mark(self.with_context(active_test=False).product_variant_ids.ids)
        return result
