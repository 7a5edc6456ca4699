"""Returns, live: a real multi-worker Odoo with queue_job's runner, real HTTP to the contract double.

Omnitron refunds 50 delivered and invoiced orders at once: 50 return receipts
wait for the goods; validating them makes 50 credit notes and not one call to
Omnitron (its own refunds are never echoed). Staff return 20 delivered orders
in Odoo while Omnitron answers 500 for a minute: 20 cancel calls arrive, each
once, each naming its item. Omnitron's delivery of the refund a return job
is asking for, arriving while the job waits for Omnitron's answer, waits for
the job and is no news.
"""

import collections
import concurrent.futures
import copy
import time

from .conftest import record
from .test_order_life import order_body
from .test_outbound_live import (
    FAST_RETRIES,
    OUTAGE,
    api,  # noqa: F401  (the module's fixture: the double and the account sending to it)
    import_orders,
    prepare_deliveries,
    retry_pattern,
    validate,
    wait_until,
)

SECTION = "Returns"
REFUNDS = 50
ODOO_RETURNS = 20
POSTERS = 4
DEADLINE = 240  # seconds for the 20 calls: the outage, then the tries after it


def ship_and_invoice(live, orders):
    """Validate each order's delivery, then invoice and post what shipped (Odoo's *Create Invoice*)."""
    prepare_deliveries(live, orders)
    for order in orders.values():
        assert validate(live, order["picking_id"]) is True
    order_ids = sorted({order["order_id"] for order in orders.values()})
    wizard = live.rpc(
        "sale.advance.payment.inv",
        "create",
        {"advance_payment_method": "delivered"},
        context={"active_model": "sale.order", "active_ids": order_ids},
    )
    live.rpc("sale.advance.payment.inv", "create_invoices", [wizard], context={"active_ids": order_ids})
    invoices = live.rpc(
        "account.move",
        "search",
        [
            ("move_type", "=", "out_invoice"),
            ("state", "=", "draft"),
            ("invoice_line_ids.sale_line_ids.order_id", "in", order_ids),
        ],
    )
    live.rpc("account.move", "action_post", invoices)
    return invoices


def receipts_of(live, orders, source=None):
    sql = (
        "SELECT sp.id, sp.sale_id, sp.state FROM stock_picking sp JOIN stock_picking_type spt "
        "ON spt.id = sp.picking_type_id WHERE sp.sale_id = ANY(%s) AND spt.code = 'incoming' "
        "AND sp.return_id IS NOT NULL"
    )
    params = [[order["order_id"] for order in orders.values()]]
    if source:
        sql += " AND sp.omnitron_return_source = %s"
        params.append(source)
    return live.query(sql, params)


def take_back(live, receipt_ids):
    """Validate return receipts in full, as the warehouse does (their quantities picked, then Validate)."""
    moves = live.rpc("stock.move", "search_read", [("picking_id", "in", receipt_ids)], ["product_uom_qty"])
    by_quantity = collections.defaultdict(list)
    for move in moves:
        by_quantity[move["product_uom_qty"]].append(move["id"])
    for quantity, move_ids in by_quantity.items():
        live.rpc("stock.move", "write", move_ids, {"quantity": quantity, "picked": True})
    for receipt_id in receipt_ids:
        assert validate(live, receipt_id) is True


def return_in_odoo(live, picking_id):
    """Odoo's *Return* on a done delivery, one unit of each line, as staff use it: the receipt's id."""
    wizard = live.rpc(
        "stock.return.picking",
        "create",
        {"picking_id": picking_id},
        context={"active_model": "stock.picking", "active_id": picking_id},
    )
    lines = live.rpc("stock.return.picking.line", "search_read", [("wizard_id", "=", wizard)], ["id"])
    live.rpc("stock.return.picking.line", "write", [line["id"] for line in lines], {"quantity": 1})
    return live.rpc("stock.return.picking", "action_create_returns", [wizard])["res_id"]


def credit_notes_of(live, orders):
    return live.query(
        "SELECT DISTINCT am.id, am.state FROM account_move am JOIN account_move_line aml ON aml.move_id = am.id "
        "JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id "
        "JOIN sale_order_line sol ON sol.id = rel.order_line_id "
        "WHERE am.move_type = 'out_refund' AND sol.order_id = ANY(%s)",
        ([order["order_id"] for order in orders.values()],),
    )


def test_fifty_refunds_at_once_make_fifty_receipts_whose_validation_credits_them_without_a_call(live_jobs, api):  # noqa: F811
    live = live_jobs
    api.reset()
    orders = import_orders(live, "RET-REFUND", REFUNDS, 81000)
    ship_and_invoice(live, orders)
    bodies = []
    for item_pk, order in orders.items():
        body = copy.deepcopy(order_body_of(order, item_pk))
        body["payload"]["orderitem_set"][0]["status"] = "600"
        body["payload"]["refund_amount"] = body["payload"]["orderitem_set"][0]["price"]
        bodies.append(body)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(POSTERS) as pool:
        answers = list(pool.map(live.post, bodies))
    refunds_in = time.monotonic() - started
    assert [answer.status for answer in answers] == [202] * REFUNDS, [a for a in answers if a.status != 202][:3]
    receipts = receipts_of(live, orders, "omnitron")
    assert len(receipts) == REFUNDS and len({sale_id for _id, sale_id, _state in receipts}) == REFUNDS, receipts
    assert {state for _id, _sale, state in receipts} == {"assigned"}
    calls_before = len(api.calls_to("/cancel/", "POST"))
    started = time.monotonic()
    take_back(live, [receipt_id for receipt_id, _sale, _state in receipts])
    validated_in = time.monotonic() - started
    notes = credit_notes_of(live, orders)
    assert len(notes) == REFUNDS and {state for _id, state in notes} == {"draft"}, notes
    time.sleep(5)  # what a runner would send, it would have sent by now
    assert len(api.calls_to("/cancel/", "POST")) == calls_before == 0, "Omnitron's own refunds are never echoed"
    record(
        SECTION,
        f"{REFUNDS} shipped and invoiced orders refunded in Omnitron at once ({POSTERS} posters), their return "
        "receipts validated",
        f"{REFUNDS} return receipts ready to receive ({refunds_in:.1f} s for the refunds), {REFUNDS} draft credit "
        f"notes after validating them ({validated_in:.1f} s), 0 calls to Omnitron",
    )


def order_body_of(order, item_pk):
    """The webhook body the order was imported from (import_orders' rule), for its next delivery."""
    pk = order["pk"]
    body = order_body(order["number"], pk, pk + 500)
    body["payload"]["orderitem_set"][0]["pk"] = item_pk
    return body


def test_twenty_returns_made_in_odoo_make_twenty_cancel_calls_each_once_through_a_minute_of_5xx(live_jobs, api):  # noqa: F811
    live = live_jobs
    api.reset()
    orders = import_orders(live, "RET-ODOO", ODOO_RETURNS, 83000)
    prepare_deliveries(live, orders)
    for order in orders.values():
        assert validate(live, order["picking_id"]) is True
    receipt_ids = [return_in_odoo(live, order["picking_id"]) for order in orders.values()]
    with retry_pattern(live, FAST_RETRIES):
        api.fail_for(OUTAGE)
        outage_began = time.monotonic()
        take_back(live, receipt_ids)
        expected = sorted(orders)

        def all_arrived():
            return len(api.calls_to("/cancel/", "POST", ok_only=True)) >= ODOO_RETURNS

        arrived = wait_until(all_arrived, DEADLINE)
        all_in = time.monotonic() - outage_began
    calls = api.calls_to("/cancel/", "POST", ok_only=True)
    assert arrived, f"after {all_in:.0f} s: {len(calls)} cancel calls accepted"
    time.sleep(3)
    calls = api.calls_to("/cancel/", "POST", ok_only=True)
    assert sorted(item for call in calls for item in call.body["cancel_items"]) == expected, "each item once"
    assert all(call.body["is_all"] is False and "refund_invoice_number" not in call.body for call in calls)
    # Each try reads the order back before its cancel (omnitron.outbound._not_cancelled_yet): the
    # outage meets the read or the cancel, whichever comes first.
    refused = [
        call
        for call in api.calls
        if call.status >= 500 and (call.path.endswith("/cancel/") or call.path.endswith("/detailed_integration/"))
    ]
    assert refused, "the outage was met"
    statuses = live.query(
        "SELECT omnitron_status, count(*) FROM sale_order_line WHERE omnitron_item_pk = ANY(%s) GROUP BY 1",
        (expected,),
    )
    assert statuses == [("600", ODOO_RETURNS)], statuses
    record(
        SECTION,
        f"{ODOO_RETURNS} returns made in Odoo (Odoo's Return on the delivery), validated while Omnitron answers "
        f"500 for {OUTAGE} s",
        f"{ODOO_RETURNS} cancel calls accepted, each item once ({len(refused)} × 500 met), the last "
        f"{all_in:.0f} s after the outage began; each line recorded at 600",
    )


def test_omnitrons_delivery_of_a_refund_arriving_while_the_job_asks_for_it_waits_and_is_no_news(live_jobs, api):  # noqa: F811
    live = live_jobs
    api.reset()
    orders = import_orders(live, "RET-RACE", 1, 86000)
    prepare_deliveries(live, orders)
    [(item_pk, order)] = orders.items()
    assert validate(live, order["picking_id"]) is True
    receipt_id = return_in_odoo(live, order["picking_id"])
    api.hang_next(6, path="/cancel/")  # Omnitron takes its time to accept the refund
    take_back(live, [receipt_id])

    def job_asking():
        return live.query(
            "SELECT id FROM queue_job WHERE state = 'started' AND omnitron_order_id = %s AND method_name = "
            "'_omnitron_send' AND args::text LIKE '%%return%%'",
            (order["order_id"],),
        )

    assert wait_until(job_asking, 60, interval=0.1), "the return's job started"
    body = copy.deepcopy(order_body_of(order, item_pk))
    body["payload"]["orderitem_set"][0]["status"] = "600"
    body["payload"]["refund_amount"] = body["payload"]["orderitem_set"][0]["price"]
    started = time.monotonic()
    answer = live.post(body)
    waited = time.monotonic() - started
    assert answer.status == 202 and answer.json()["reason"] == "order_updated", answer
    assert "answered Odoo's refund request" in answer.json()["detail"], answer.json()
    [(refunded, needs_action, asked)] = live.query(
        "SELECT omnitron_refunded, omnitron_needs_action, omnitron_refund_asked FROM sale_order WHERE id = %s",
        (order["order_id"],),
    )
    assert (bool(refunded), bool(needs_action), float(asked or 0)) == (False, False, 0.0)
    assert len(api.calls_to("/cancel/", "POST", ok_only=True)) == 1
    record(
        SECTION,
        "Omnitron's delivery of a refund posted while the return's job waits 6 s for Omnitron to accept it",
        f"the delivery waited {waited:.1f} s for the job, then answered order_updated (Omnitron answered Odoo's "
        "request): no flag, one cancel call",
    )
