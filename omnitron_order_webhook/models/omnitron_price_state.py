from odoo import fields, models


class OmnitronPriceState(models.Model):
    """What Omnitron was last sent of one product on one price list: the only truth about Omnitron's price.

    The drain sends a product's figures only when they differ from these
    (``core/prices.changed_prices``); a SKU Omnitron does not know is kept as
    *Not in Omnitron* and not sent again until the product's SKU changes.
    """

    _name = "omnitron.price.state"
    _description = "Omnitron Price Sent"
    _order = "price_list_id, product_id"

    price_list_id = fields.Many2one("omnitron.price.list", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="price_list_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True, index=True, ondelete="cascade")
    sku = fields.Char(string="SKU Sent", readonly=True)
    # Amounts as sent (two decimals, in the price list's currency): Float would compare 119.99 with 119.9899.
    sent_price = fields.Char(string="Price Sent", readonly=True)
    sent_retail_price = fields.Char(string="List Price Sent", readonly=True)
    sent_tax_rate = fields.Char(string="Tax Rate Sent", readonly=True)
    sent_at = fields.Datetime(readonly=True)
    state = fields.Selection(
        [("synced", "Sent"), ("error", "Error"), ("not_in_omnitron", "Not in Omnitron")],
        required=True,
        default="synced",
        readonly=True,
        index=True,
    )
    error = fields.Text(readonly=True)

    _sql_constraints = [
        ("omnitron_price_state_uniq", "unique(price_list_id, product_id)", "One last-sent row per product and list."),
    ]
