from odoo import fields, models


class AccountTaxGroup(models.Model):
    _inherit = "account.tax.group"

    omnitron_key = fields.Char(
        readonly=True,
        copy=False,
        help="Set when the Omnitron webhook created this tax group, so it is created once per company.",
    )

    _sql_constraints = [
        # Two deliveries needing the same new tax group at once must not create it twice.
        (
            "omnitron_key_uniq",
            "unique(omnitron_key, company_id)",
            "The Omnitron webhook already created this tax group in this company.",
        ),
    ]
