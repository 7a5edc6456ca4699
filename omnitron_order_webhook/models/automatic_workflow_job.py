import psycopg2

from odoo import api, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools.translate import LazyTranslate

from .omnitron_phrases import say

_lt = LazyTranslate(__name__)

# The context key under which a run collects what each step did to Omnitron orders.
STEPS_KEY = "omnitron_workflow_steps"


class AutomaticWorkflowJob(models.Model):
    """OCA's automatic workflow, made to say when it fails on an Omnitron order.

    OCA's cron runs each step of each order in a savepoint that logs and
    discards any error (``sale_automatic_workflow``'s ``savepoint``): nobody
    would see an Omnitron order that is never invoiced or paid. Each step is
    watched here (the error is noted, then raised again so OCA's savepoint
    rolls the step back as it always did); once the run is over, a failed
    order is flagged with the error in words and its responsible gets one
    activity, and an order whose steps now succeed loses the flag.

    The payment of an Omnitron order goes to its payment rule's journal.
    """

    _inherit = "automatic.workflow.job"

    @api.model
    def run_with_workflow(self, sale_workflow):
        steps = {"failed": {}, "succeeded": set()}
        result = super(AutomaticWorkflowJob, self.with_context(**{STEPS_KEY: steps})).run_with_workflow(sale_workflow)
        self._omnitron_tell(steps)
        return result

    def _omnitron_watch(self, step, sale_orders, run):
        steps = self.env.context.get(STEPS_KEY)
        omnitron_ids = sale_orders.filtered("omnitron_pk").ids
        if steps is None or not omnitron_ids:
            return run()
        try:
            result = run()
        except psycopg2.OperationalError as error:
            if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY:
                _note_failure(steps, omnitron_ids, step, error)
            # Else another transaction was writing the order (a job telling Omnitron of its
            # delivery): nobody's to fix, the next run of the workflow takes it again.
            raise
        except Exception as error:
            _note_failure(steps, omnitron_ids, step, error)
            raise
        steps["succeeded"].update(omnitron_ids)
        return result

    def _do_validate_sale_order(self, sale, domain_filter):
        return self._omnitron_watch(
            "confirm", sale, lambda: super(AutomaticWorkflowJob, self)._do_validate_sale_order(sale, domain_filter)
        )

    def _do_create_invoice(self, sale, domain_filter):
        return self._omnitron_watch(
            "invoice", sale, lambda: super(AutomaticWorkflowJob, self)._do_create_invoice(sale, domain_filter)
        )

    def _do_validate_invoice(self, invoice, domain_filter):
        return self._omnitron_watch(
            "post",
            _orders_of(invoice),
            lambda: super(AutomaticWorkflowJob, self)._do_validate_invoice(invoice, domain_filter),
        )

    def _do_register_payment(self, invoice, domain_filter):
        return self._omnitron_watch(
            "pay",
            _orders_of(invoice),
            lambda: super(AutomaticWorkflowJob, self)._do_register_payment(invoice, domain_filter),
        )

    def _do_sale_done(self, sale, domain_filter):
        return self._omnitron_watch(
            "lock", sale, lambda: super(AutomaticWorkflowJob, self)._do_sale_done(sale, domain_filter)
        )

    def _prepare_dict_account_payment(self, invoice):
        values = super()._prepare_dict_account_payment(invoice)
        journal = _orders_of(invoice).omnitron_payment_journal_id[:1]
        if journal:
            values["journal_id"] = journal.id
        return values

    def _omnitron_tell(self, steps):
        """Flag the orders a step failed on; clear the flag of the orders whose steps succeeded."""
        update = self.env["omnitron.order.update"].sudo()
        orders = self.env["sale.order"].sudo()
        for order_id, (step, error) in steps["failed"].items():
            sale_order = orders.browse(order_id)
            note = say(
                WORKFLOW_FAILED_NOTE,
                workflow=sale_order.workflow_process_id.name,
                step=say(STEP_WORDS[step]),
                error=error,
            )
            sale_order.omnitron_workflow_error = error
            update._flag(sale_order, "omnitron_workflow_failed", note)
        cleared = orders.browse(steps["succeeded"] - set(steps["failed"])).filtered("omnitron_workflow_failed")
        for sale_order in cleared:
            update._unflag(sale_order, "omnitron_workflow_failed")
            sale_order.omnitron_workflow_error = False


WORKFLOW_FAILED_NOTE = _lt(
    "The automatic workflow %(workflow)s could not %(step)s this order: %(error)s. Fix the cause; the next run "
    "tries again and clears this flag when it succeeds."
)
STEP_WORDS = {
    "confirm": _lt("confirm"),
    "invoice": _lt("invoice"),
    "post": _lt("post the invoice of"),
    "pay": _lt("register the payment of"),
    "lock": _lt("lock"),
}


def _note_failure(steps, order_ids, step, error):
    for order_id in order_ids:
        steps["failed"][order_id] = (step, " ".join(str(error).split()) or type(error).__name__)


def _orders_of(invoice):
    return invoice.line_ids.sale_line_ids.order_id
