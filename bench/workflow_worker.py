"""The money steps of an order, both ways, in-process: OCA's automatic workflow against Odoo by hand.

Runs inside Odoo (``python3 workflow_worker.py CONF DB``) and reads one JSON
line per pair of shipped Omnitron orders on stdin: ``{"workflow": id, "by_hand": id}``.
The first order goes through OCA's job the way its cron does (its own
methods: create the invoice, post it, register the payment into the order's
payment-rule journal and reconcile); the second through the same steps done
by hand with the ORM (``_create_invoices``, ``action_post``, Odoo's
*Register Payment* wizard into the same journal). Each is its own
transaction. Answers one JSON line:
``{"workflow": {"ms", "queries"}, "by_hand": {"ms", "queries"}}``.
"""

import json
import sys
import time

import odoo
from odoo import api
from odoo.tools import config


def main(conf, dbname):
    config.parse_config(["-c", conf, "-d", dbname])
    registry = odoo.modules.registry.Registry(dbname)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        pair = json.loads(line)
        answer = {}
        for way in ("workflow", "by_hand"):
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
                order = env["sale.order"].browse(pair[way])
                started, queries = time.perf_counter(), cr.sql_log_count
                (by_workflow if way == "workflow" else by_hand)(env, order)
                cr.commit()
                answer[way] = {
                    "ms": (time.perf_counter() - started) * 1000,
                    "queries": cr.sql_log_count - queries,
                    "paid": order.invoice_ids.payment_state,
                }
        print(json.dumps(answer), flush=True)


def by_workflow(env, order):
    """OCA's steps, as ``automatic.workflow.job.run_with_workflow`` calls them for one order."""
    job = env["automatic.workflow.job"]
    workflow = order.workflow_process_id
    job._do_create_invoice(order, workflow.create_invoice_filter_id._get_eval_domain())
    invoice = order.invoice_ids
    job._do_validate_invoice(invoice, workflow.validate_invoice_filter_id._get_eval_domain())
    job._do_register_payment(invoice, workflow.payment_filter_id._get_eval_domain())


def by_hand(env, order):
    """What an accountant does for one order: invoice, post, register the payment (reconciled by Odoo)."""
    invoice = order._create_invoices()
    invoice.action_post()
    wizard = (
        env["account.payment.register"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"journal_id": order.omnitron_payment_journal_id.id})
    )
    wizard.action_create_payments()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
