from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context


class DeliveryCarrier(models.Model):
    _inherit = "delivery.carrier"

    omnitron_shipping_company = fields.Char(
        index=True,
        help="Omnitron's shipping company code (cargo_company.shipping_company), e.g. yurtici, aras, mng.",
    )
    omnitron_erp_code = fields.Char(
        string="Omnitron ERP Code",
        help="Omnitron's cargo company ERP code (cargo_company.erp_code), e.g. yurtici_kargo.",
    )

    _sql_constraints = [
        (
            "omnitron_codes_uniq",
            "unique(omnitron_shipping_company, omnitron_erp_code, company_id)",
            "Another carrier of this company already has these Omnitron codes.",
        ),
    ]

    def action_omnitron_save_and_reprocess(self):
        """The dialog opened from an event ignored for its cargo company: saved, then the event reprocessed."""
        self.ensure_one()
        event = self.env["omnitron.webhook.event"].browse(self.env.context.get("omnitron_event_id")).exists()
        if not event:
            raise UserError(self.env._("The delivery to reprocess is gone; the carrier was saved."))
        # The dialog's default_* keys (name, codes) must not reach the records the import creates.
        return event.with_context(clean_context(self.env.context)).action_reprocess()
