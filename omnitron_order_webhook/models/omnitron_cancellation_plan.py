from odoo import fields, models


class OmnitronCancellationPlan(models.Model):
    """A cancellation or refund plan Omnitron posted for an imported order.

    Kept so a plan delivered twice is recognised (``duplicate_plan``) and so
    staff see on the order what was asked and when. The plan's own fields are
    not documented beyond its pk: the whole delivery stays in its event.
    """

    _name = "omnitron.cancellation.plan"
    _description = "Omnitron Cancellation Plan"
    _order = "received_at desc, id desc"
    _rec_name = "plan_pk"

    plan_pk = fields.Integer(string="Omnitron Plan ID", required=True, readonly=True)
    plan_type = fields.Selection(
        [("cancel", "Cancellation"), ("refund", "Refund")], required=True, readonly=True, default="cancel"
    )
    order_status = fields.Char(string="Omnitron Order Status", readonly=True)
    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True, index=True)
    item_pks = fields.Char(
        string="Omnitron Items", readonly=True, help="The Omnitron items the plan names (empty: it names none)."
    )
    answers_odoo = fields.Boolean(
        string="Answers Odoo's Request",
        readonly=True,
        help="Omnitron made this plan for a cancellation or return made in Odoo: nothing was held or flagged.",
    )
    event_uuid = fields.Char(string="Event UUID", readonly=True)
    received_at = fields.Datetime(readonly=True, required=True, default=fields.Datetime.now)

    _sql_constraints = [
        # Two deliveries of one plan racing each other: the second one's insert
        # fails here and its request is replayed, which then finds the plan.
        ("plan_pk_company_uniq", "unique(plan_pk, company_id)", "This Omnitron cancellation plan is recorded already."),
    ]
