from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # The invoice number and date of its Omnitron items (status 450 when not shipped yet).
        invoices = posted.filtered(lambda move: move.move_type == "out_invoice")
        self.env["omnitron.outbound"]._enqueue(invoices.invoice_line_ids.sale_line_ids.order_id, "items")
        # A credit note a matter waited for is posted: the accountant's matter closes.
        self.env["omnitron.matter"].sudo()._settle(posted.filtered(lambda move: move.move_type == "out_refund"))
        return posted

    def button_cancel(self):
        result = super().button_cancel()
        self.env["omnitron.matter"].sudo()._settle(self.filtered(lambda move: move.state == "cancel"))
        return result
