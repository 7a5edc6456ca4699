from odoo import fields, models


class OmnitronStockState(models.Model):
    """What Omnitron was last sent of one product on one stock list: the only truth about Omnitron's number.

    The drain sends a product's number only when it differs from ``sent_qty``
    (``core/stock.changed_rows``); a SKU Omnitron does not know is kept as
    *Not in Omnitron* and not sent again until the product's SKU changes.
    """

    _name = "omnitron.stock.state"
    _description = "Omnitron Stock Sent"
    _order = "stock_list_id, product_id"

    stock_list_id = fields.Many2one("omnitron.stock.list", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="stock_list_id.company_id", store=True)
    product_id = fields.Many2one("product.product", required=True, index=True, ondelete="cascade")
    sku = fields.Char(string="SKU Sent", readonly=True)
    sent_qty = fields.Integer(string="Last Sent", readonly=True)
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
        ("omnitron_stock_state_uniq", "unique(stock_list_id, product_id)", "One last-sent row per product and list."),
    ]
