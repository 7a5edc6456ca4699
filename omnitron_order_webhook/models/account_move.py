from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        # The invoice number and date of its Omnitron items (status 450 when not shipped yet).
        invoices = posted.filtered(lambda move: move.move_type == "out_invoice")
        self.env["omnitron.outbound"]._enqueue(invoices.invoice_line_ids.sale_line_ids.order_id, "items")
        credit_notes = posted.filtered(lambda move: move.move_type == "out_refund")
        # A credit note a matter waited for is posted: the accountant's matter closes, and a
        # return waiting for its number asks Omnitron now.
        self.env["omnitron.matter"].sudo()._settle(credit_notes)
        self.env["omnitron.order.return"].sudo()._credit_notes_settled(credit_notes)
        return posted

    def button_cancel(self):
        result = super().button_cancel()
        cancelled = self.filtered(lambda move: move.state == "cancel")
        self.env["omnitron.matter"].sudo()._settle(cancelled)
        self.env["omnitron.order.return"].sudo()._credit_notes_settled(cancelled)
        return result
