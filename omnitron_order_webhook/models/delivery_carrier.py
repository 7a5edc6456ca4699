from odoo import api, fields, models
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

    @api.model
    def _omnitron_delivery_product(self, company):
        """The delivery product a new shipping method of ``company`` is prefilled with.

        A product the company's shipping methods already use, else the
        delivery module's own, else a service product of its *Deliveries*
        category, else a "Delivery" service product made as the delivery
        module's is (not sold or bought on its own, invoiced on order).
        """
        Carrier = self.sudo().with_company(company)
        used = Carrier.search([*Carrier._check_company_domain(company)], order="sequence, id").product_id
        used = used.filtered(lambda product: product.active and product.company_id in (company, company.browse()))
        if used:
            return used[:1]
        standard = self.env.ref("delivery.product_product_delivery", raise_if_not_found=False)
        if standard and standard.sudo().active and standard.sudo().company_id in (company, company.browse()):
            return standard
        category = self.env.ref("delivery.product_category_deliveries", raise_if_not_found=False)
        if category:
            Product = self.env["product.product"].sudo()
            made = Product.search(
                [
                    *Product._check_company_domain(company),
                    ("categ_id", "=", category.id),
                    ("type", "=", "service"),
                ],
                order="company_id, id",
                limit=1,
            )
            if made:
                return made
        values = {
            "name": self.env._("Delivery"),
            "type": "service",
            "sale_ok": False,
            "purchase_ok": False,
            "list_price": 0.0,
            "invoice_policy": "order",
            "company_id": company.id,
        }
        if category:
            values["categ_id"] = category.id
        return self.env["product.product"].sudo().create(values)

    def action_omnitron_save_and_reprocess(self):
        """The dialog opened from an event ignored for its cargo company: saved, then the event reprocessed."""
        self.ensure_one()
        event = self.env["omnitron.webhook.event"].browse(self.env.context.get("omnitron_event_id")).exists()
        if not event:
            raise UserError(self.env._("The delivery to reprocess is gone; the carrier was saved."))
        # The dialog's default_* keys (name, codes) must not reach the records the import creates.
        return event.with_context(clean_context(self.env.context)).action_reprocess()
