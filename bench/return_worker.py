"""A return receipt's validation, both ways, in-process: the addon's against Odoo's own steps by hand.

Runs inside Odoo (``python3 return_worker.py CONF DB``) and reads JSON lines
on stdin: ``{"prepare": order id}`` ships and invoices an imported Omnitron
order and a plain copy of it, answering ``{"plain": id}``; then, once
Omnitron refunded the first, ``{"omnitron": order id, "by_hand": plain id}``
measures the two validations. Both receipts take every item back, their
quantities picked beforehand. The first is the receipt the addon made for Omnitron's
refund: validating it credits what was received (the addon reverses the
posted invoice for those lines). The second is a plain Odoo order's return
made with Odoo's *Return* wizard: validated, then credited as an accountant
does it (*Credit Note* on the invoice: ``account.move.reversal``, draft,
the shipping line taken off: a return credits the goods).
Each is its own transaction. Answers one JSON line:
``{"omnitron": {"ms", "queries", "credited"}, "by_hand": {...}}``.
"""

import json
import sys
import time

import odoo
from odoo import Command, api
from odoo.tools import config


def main(conf, dbname):
    config.parse_config(["-c", conf, "-d", dbname])
    registry = odoo.modules.registry.Registry(dbname)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if "prepare" in request:
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "skip_sms": True})
                answer = {"plain": prepare(env, env["sale.order"].browse(request["prepare"]))}
            print(json.dumps(answer), flush=True)
            continue
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "skip_sms": True})
            receipts = {
                "omnitron": env["stock.picking"].search(
                    [("sale_id", "=", request["omnitron"]), ("omnitron_return_source", "=", "omnitron")]
                ),
                "by_hand": odoo_return(env, env["sale.order"].browse(request["by_hand"])),
            }
            for receipt in receipts.values():
                for move in receipt.move_ids:
                    move.write({"quantity": move.product_uom_qty, "picked": True})
            receipt_ids = {way: receipt.id for way, receipt in receipts.items()}
        answer = {}
        for way in ("omnitron", "by_hand"):
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "skip_sms": True})
                receipt = env["stock.picking"].browse(receipt_ids[way])
                started, queries = time.perf_counter(), cr.sql_log_count
                credit_note = (by_addon if way == "omnitron" else by_hand)(env, receipt)
                cr.commit()
                answer[way] = {
                    "ms": (time.perf_counter() - started) * 1000,
                    "queries": cr.sql_log_count - queries,
                    "credited": credit_note.amount_total,
                    "state": receipt.state,
                }
        print(json.dumps(answer), flush=True)


def prepare(env, order):
    """Ship and invoice ``order`` and a plain copy of it (not measured); the copy's id."""
    plain = order.copy()  # Omnitron's ids are not copied: a plain Odoo order of the same lines
    plain.action_confirm()
    for sale_order in order | plain:
        picking = sale_order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            move.write({"quantity": move.product_uom_qty, "picked": True})
        picking.button_validate()
        sale_order._create_invoices().action_post()
    return plain.id


def odoo_return(env, order):
    """Odoo's *Return* wizard on the plain order's delivery, every item coming back (not measured)."""
    delivery = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p.state == "done")
    wizard = (
        env["stock.return.picking"]
        .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
        .create({"picking_id": delivery.id})
    )
    for line in wizard.product_return_moves:
        line.quantity = line.move_id.quantity
    return wizard._create_return()


def by_addon(env, receipt):
    """Validate: the addon's hook credits what came back."""
    assert receipt.button_validate() is True
    return receipt.omnitron_credit_note_ids


def by_hand(env, receipt):
    """Validate, then Odoo's *Credit Note* on the order's posted invoice (a draft reversal)."""
    assert receipt.button_validate() is True
    invoice = receipt.sale_id.invoice_ids.filtered(lambda move: move.move_type == "out_invoice")
    wizard = (
        env["account.move.reversal"]
        .with_context(active_model="account.move", active_ids=invoice.ids)
        .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
    )
    action = wizard.refund_moves()
    credit_note = env["account.move"].browse(action["res_id"])
    # What came back is the goods: the accountant takes the shipping line off (one save of the form).
    shipping = credit_note.invoice_line_ids.filtered(lambda line: line.sale_line_ids.is_delivery)
    credit_note.write({"invoice_line_ids": [Command.delete(line.id) for line in shipping]})
    return credit_note


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
