from odoo import fields, models


class SaleReport(models.Model):
    """Sales Analysis by Omnitron channel (marketplace)."""

    _inherit = "sale.report"

    omnitron_channel_id = fields.Many2one("omnitron.channel", readonly=True)

    def _select_additional_fields(self):
        res = super()._select_additional_fields()
        res["omnitron_channel_id"] = "s.omnitron_channel_id"
        return res

    def _group_by_sale(self):
        return super()._group_by_sale() + ",\n            s.omnitron_channel_id"
