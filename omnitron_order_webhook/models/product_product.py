from odoo import fields, models


class ProductProduct(models.Model):
    _inherit = "product.product"

    omnitron_sku = fields.Char(
        string="Omnitron SKU",
        readonly=True,
        copy=False,
        help="Set when the webhook created this product: the sku it was created for.",
    )

    _sql_constraints = [
        # Two deliveries naming the same new sku at once must not create it twice.
        ("omnitron_sku_uniq", "unique(omnitron_sku)", "The webhook already created a product for this sku."),
    ]
