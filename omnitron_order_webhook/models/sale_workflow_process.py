from odoo import fields, models


class SaleWorkflowProcess(models.Model):
    _inherit = "sale.workflow.process"

    # OCA's name is a plain Char: translated here, so Turkish staff read the
    # workflows this addon creates (rules, orders, filters) in Turkish.
    name = fields.Char(translate=True)

    omnitron_builtin = fields.Boolean(
        string="Omnitron's",
        readonly=True,
        help="Created with the Omnitron addon for Omnitron orders (prepaid, pay on delivery, marketplace); yours "
        "to change.",
    )
