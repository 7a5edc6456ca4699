from odoo import fields, models


class ProductPricelist(models.Model):
    _inherit = "product.pricelist"

    omnitron_key = fields.Char(
        readonly=True,
        copy=False,
        help="Set when the Omnitron webhook created this pricelist, so it is created once per company.",
    )

    _sql_constraints = [
        # Two deliveries needing the same new pricelist at once must not create it twice.
        (
            "omnitron_key_uniq",
            "unique(omnitron_key, company_id)",
            "The Omnitron webhook already created this pricelist in this company.",
        ),
    ]
