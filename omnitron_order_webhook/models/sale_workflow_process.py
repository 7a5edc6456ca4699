from odoo import fields, models


class SaleWorkflowProcess(models.Model):
    _inherit = "sale.workflow.process"

    omnitron_builtin = fields.Boolean(
        string="Omnitron's",
        readonly=True,
        help="Created with the Omnitron addon for Omnitron orders (prepaid, pay on delivery, marketplace); yours "
        "to change.",
    )
