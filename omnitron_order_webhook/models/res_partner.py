from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    omnitron_channel_pk = fields.Integer(string="Omnitron Channel", readonly=True, copy=False, index=True)
    omnitron_customer_pk = fields.Integer(string="Omnitron Customer", readonly=True, copy=False)
    omnitron_address_key = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of an imported address's content, so an identical address is reused.",
    )
    omnitron_township = fields.Char(string="Township")
    omnitron_district = fields.Char(string="District")
    omnitron_tax_office = fields.Char(string="Tax Office")
    omnitron_tax_number = fields.Char(
        string="Address Tax Number",
        help="The tax number Omnitron sent with this address. Odoo shares one VAT number per customer, "
        "so an address's own number is kept here.",
    )

    _sql_constraints = [
        # One partner per Omnitron customer and company; the database, not a
        # search, is the guard against two concurrent deliveries creating twice.
        (
            "omnitron_customer_uniq",
            "unique(omnitron_channel_pk, omnitron_customer_pk, company_id)",
            "This Omnitron customer already has a partner in this company.",
        ),
        (
            "omnitron_address_uniq",
            "unique(parent_id, omnitron_address_key)",
            "This Omnitron address already exists for this customer.",
        ),
    ]
