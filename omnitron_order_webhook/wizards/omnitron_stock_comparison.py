from odoo import api, fields, models

from ..core import client_actions


class OmnitronStockComparison(models.TransientModel):
    """Odoo's number beside Omnitron's for each SKU of a stock list, read before anything is written."""

    _name = "omnitron.stock.comparison"
    _description = "Omnitron Stock Comparison"

    stock_list_id = fields.Many2one("omnitron.stock.list", required=True, readonly=True, ondelete="cascade")
    line_ids = fields.One2many("omnitron.stock.comparison.line", "comparison_id", readonly=True)
    differing_count = fields.Integer(string="Differing", compute="_compute_counts")
    line_count = fields.Integer(string="SKUs", compute="_compute_counts")

    @api.depends("line_ids.differs")
    def _compute_counts(self):
        for comparison in self:
            comparison.line_count = len(comparison.line_ids)
            comparison.differing_count = len(comparison.line_ids.filtered("differs"))

    def action_send_differences(self):
        """Send Odoo's number for what differs now (the drain over all products: only differences are written)."""
        self.ensure_one()
        stock_list = self.stock_list_id
        stock_list.check_access("read")
        stock_list.account_id._check_manager()
        states = self.env["omnitron.stock.state"].sudo().search([("stock_list_id", "=", stock_list.id)])
        held = {line.sku: line for line in self.line_ids}
        for state in states:
            line = held.get(state.sku)
            if line is None or not line.in_omnitron:
                state.unlink()
            elif line.omnitron_stock != state.sent_qty:
                state.sent_qty = line.omnitron_stock
        self.env["omnitron.stock.sync"]._enqueue_drain(stock_list, full=True)
        return client_actions.notification(
            self.env._(
                "Odoo's numbers of %(count)s SKUs are being sent to Omnitron.",
                count=len(self.line_ids.filtered(lambda line: line.differs and line.in_odoo)),
            )
        )


class OmnitronStockComparisonLine(models.TransientModel):
    _name = "omnitron.stock.comparison.line"
    _description = "Omnitron Stock Comparison Line"
    _order = "differs desc, sku"

    comparison_id = fields.Many2one("omnitron.stock.comparison", required=True, ondelete="cascade")
    sku = fields.Char(string="SKU", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    odoo_stock = fields.Integer(string="Odoo", readonly=True)
    in_odoo = fields.Boolean(readonly=True)
    omnitron_stock = fields.Integer(string="Omnitron", readonly=True)
    in_omnitron = fields.Boolean(readonly=True)
    sold_quantity_unreported = fields.Integer(string="Reserved in Omnitron", readonly=True)
    differs = fields.Boolean(compute="_compute_differs", store=True)

    @api.depends("odoo_stock", "omnitron_stock", "in_odoo", "in_omnitron")
    def _compute_differs(self):
        for line in self:
            line.differs = line.in_odoo != line.in_omnitron or line.odoo_stock != line.omnitron_stock
