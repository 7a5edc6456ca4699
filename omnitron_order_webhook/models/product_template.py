from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    omnitron_product_id = fields.Integer(
        string="Omnitron Product ID",
        readonly=True,
        copy=False,
        help="Omnitron's product pk, set when the webhook created this product.",
    )
