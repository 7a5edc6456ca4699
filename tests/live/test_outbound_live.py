"""Fulfilment back to Omnitron, live: queue_job's runner, real workers, real HTTP to the contract double.

The Odoo tier runs each job by hand inside the test's transaction. Here a real
Odoo (bin/run's 4 workers with queue_job's runner, as bin/run configures it:
``live_jobs``) runs them the way production does: the runner picks a job,
calls back into a worker over HTTP, the worker calls Omnitron's API (the
contract double, ``omnitron_order_webhook/tests/omnitron_api_double.py``, a
real HTTP server in this process) and records what it accepted; a 5xx puts the
job back with the job function's retry pattern (60 s, then 5, 15 and 60
minutes; 5 tries in all). The tests check what reached "Omnitron": every
order's is_send and every item's status, tracking number and cargo company,
once each, nothing lost through an outage or a server restart.
"""

import collections
import concurrent.futures
import contextlib
import importlib.util
import sys
import time

import pytest
from live_odoo import REPO

from .conftest import record
from .test_order_life import order_body

DOUBLE_PATH = REPO / "omnitron_order_webhook" / "tests" / "omnitron_api_double.py"
USERNAME, PASSWORD = "odoo-erp-live", "live-Omnitron-pw"
SECTION = "Fulfilment to Omnitron (queue_job)"

BULK = 50  # deliveries validated at once
IN_FLIGHT = 16  # XML-RPC calls in flight: within Odoo's listen backlog
OUTAGE = 60  # seconds of 500s from Omnitron
# The first test's retry pattern (set on the job function, as an admin can): a try
# every 20 s, so the 5 tries span 80 s, beyond the outage (see its docstring).
FAST_RETRIES = "{1: 20, 2: 20, 3: 20, 4: 20}"
JOB_FUNCTION = ("omnitron_order_webhook", "job_function_sale_order_omnitron_send")
BULK_DEADLINE = 240  # seconds for the 50 updates to arrive: the outage, then the tries after it
RESTART_ORDERS = 5


def load_double():
    """The contract double, by file path: the addon's tests package imports Odoo's test modules."""
    name = "omnitron_api_double_live"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, DOUBLE_PATH)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # before running it: dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


double = load_double()


@pytest.fixture(scope="module")
def api(live_jobs):
    """The double, started, and the live server's Omnitron account (the sender's) sending to it."""
    server = double.OmnitronApiDouble(username=USERNAME, password=PASSWORD).start()
    live_jobs.connect_account(server.url, USERNAME, PASSWORD, cancellation_reason_id=7, timeout_seconds=10)
    yield server
    server.stop()


# -- helpers ---------------------------------------------------------------------


@contextlib.contextmanager
def retry_pattern(live, pattern):
    """The Omnitron job function's retry pattern set to ``pattern`` (its form's text field), then back."""
    model, res_id = live.rpc("ir.model.data", "check_object_reference", *JOB_FUNCTION)
    [before] = live.rpc(model, "read", [res_id], ["edit_retry_pattern"])
    live.rpc(model, "write", [res_id], {"edit_retry_pattern": pattern})
    try:
        yield
    finally:
        live.rpc(model, "write", [res_id], {"edit_retry_pattern": before["edit_retry_pattern"]})


def wait_until(predicate, timeout, interval=0.5):
    """``predicate()``'s first true value within ``timeout`` seconds, else its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def import_orders(live, prefix, count, first_pk):
    """Import ``count`` orders (status 400, one item each) through the webhook; their facts by item pk."""
    bodies = []
    for index in range(count):
        body = order_body(f"{prefix}-{index:03d}", first_pk + index, first_pk + 500 + index)
        body["payload"]["orderitem_set"][0]["pk"] = first_pk + 1000 + index
        bodies.append(body)
    # The first alone (it creates the product), the others four at a time.
    answers = [live.post(bodies[0])]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers += list(pool.map(live.post, bodies[1:]))
    assert [answer.status for answer in answers] == [204] * count, [a for a in answers if a.status != 204][:3]
    numbers = [body["payload"]["number"] for body in bodies]
    rows = live.query(
        "SELECT so.omnitron_number, so.id, so.omnitron_pk, sol.omnitron_item_pk FROM sale_order so "
        "JOIN sale_order_line sol ON sol.order_id = so.id AND sol.omnitron_item_pk IS NOT NULL "
        "WHERE so.omnitron_number = ANY(%s)",
        (numbers,),
    )
    assert len(rows) == count, rows
    return {item_pk: {"number": number, "order_id": order_id, "pk": pk} for number, order_id, pk, item_pk in rows}


def prepare_deliveries(live, orders):
    """Each order's open delivery gets a tracking number and its quantities picked, as ship() does."""
    order_ids = [order["order_id"] for order in orders.values()]
    rows = live.query(
        "SELECT sp.id, sp.sale_id FROM stock_picking sp JOIN stock_picking_type spt ON spt.id = sp.picking_type_id "
        "WHERE sp.sale_id = ANY(%s) AND spt.code = 'outgoing' AND sp.state NOT IN ('done', 'cancel')",
        (order_ids,),
    )
    picking_of = {sale_id: picking_id for picking_id, sale_id in rows}
    assert len(rows) == len(picking_of) == len(orders), f"one open delivery per order: {rows}"
    for item_pk, order in orders.items():
        order["picking_id"] = picking_of[order["order_id"]]
        order["tracking"] = f"YK-{item_pk}"
        live.rpc("stock.picking", "write", [order["picking_id"]], {"carrier_tracking_ref": order["tracking"]})
    domain = [("picking_id", "in", list(picking_of.values()))]
    moves = live.rpc("stock.move", "search_read", domain, ["product_uom_qty"])
    by_quantity = collections.defaultdict(list)
    for move in moves:
        by_quantity[move["product_uom_qty"]].append(move["id"])
    for quantity, move_ids in by_quantity.items():
        live.rpc("stock.move", "write", move_ids, {"quantity": quantity, "picked": True})


def validate(live, picking_id):
    """The Validate button, as an admin (True once done). ``skip_sms``: stock_sms (installed with the
    merchant's apps) would ask to confirm SMS to customers first, then send them through Odoo's IAP."""
    return live.rpc("stock.picking", "button_validate", [picking_id], context={"skip_sms": True})


def accepted(api, path_suffix, method="PATCH"):
    return api.calls_to(path_suffix, method, ok_only=True)


def is_send_paths(orders):
    return sorted(f"/api/v1/orders/{order['pk']}/" for order in orders.values())


def expected_items(orders):
    return sorted(
        (
            {"id": item_pk, "status": "500", "tracking_number": order["tracking"], "shipping_company": "yurtici"}
            for item_pk, order in orders.items()
        ),
        key=lambda entry: entry["id"],
    )


def sent_items(calls):
    """Every item entry of these bulk updates, by item id (one call may carry several)."""
    return sorted((entry for call in calls for entry in call.body["orderitem_set"]), key=lambda entry: entry["id"])


def jobs(live, orders, kind=None):
    """(state, retry) of each Omnitron job of these orders (``kind``: 'items' or 'mark_sent')."""
    sql = "SELECT state, retry FROM queue_job WHERE omnitron_order_id = ANY(%s)"
    params = [[order["order_id"] for order in orders.values()]]
    if kind:
        sql += " AND (args #>> '{}')::jsonb ->> 0 = %s"  # queue_job keeps its args as JSON text
        params.append(kind)
    return live.query(sql, params)


def all_done(live, orders, expected):
    rows = jobs(live, orders)
    return len(rows) == expected and all(state == "done" for state, _retry in rows)


def tries(rows):
    """'n × k tries' over the jobs, from queue_job's retry counter (the try that ran last)."""
    counted = collections.Counter(retry for _state, retry in rows)
    return ", ".join(f"{n} × {retry} {'try' if retry == 1 else 'tries'}" for retry, n in sorted(counted.items()))


def check_lines_and_sync_state(live, orders):
    order_ids = [order["order_id"] for order in orders.values()]
    lines = live.query(
        "SELECT omnitron_item_pk, omnitron_status, omnitron_tracking_number FROM sale_order_line "
        "WHERE order_id = ANY(%s) AND omnitron_item_pk IS NOT NULL",
        (order_ids,),
    )
    assert sorted(lines) == sorted((pk, "500", order["tracking"]) for pk, order in orders.items()), (
        "each line records what Omnitron accepted"
    )
    states = live.query(
        "SELECT omnitron_sync_state, count(*) FROM sale_order WHERE id = ANY(%s) GROUP BY 1", (order_ids,)
    )
    assert states == [("done", len(orders))], states


# -- tests -----------------------------------------------------------------------


def test_fifty_deliveries_validated_at_once_make_fifty_bulk_updates_none_lost_through_a_minute_of_5xx(live_jobs, api):
    """50 deliveries validated together while Omnitron answers 500 for a minute: 50 updates arrive, once each.

    The retry pattern is lowered for this test's database to a try every 20 s
    (``FAST_RETRIES``; the addon's is 60 s, then 5, 15, 60 minutes), so the
    60-second outage outlasts the first delays: each job meets it on 3 or 4
    of its 5 tries and gets through after it. With the addon's own pattern the
    first retry would fall at the outage's very end (Odoo stores the eta to the
    second, so up to a second early) and a job meeting it twice waits 5 minutes.
    """
    live = live_jobs
    api.reset()
    started = time.monotonic()
    orders = import_orders(live, "OUT-BULK", BULK, 61000)
    imported_in = time.monotonic() - started
    # The imports' own jobs (is_send) first, with Omnitron up: one login between them.
    assert wait_until(lambda: len(accepted(api, "/")) >= BULK, 120), f"{len(accepted(api, '/'))} is_send accepted"
    assert wait_until(lambda: all_done(live, orders, BULK), 30), tries(jobs(live, orders))
    prepare_deliveries(live, orders)
    replays_before = live.server_log().count("tries left, try again")

    with retry_pattern(live, FAST_RETRIES):
        # All 50 at once: one XML-RPC call per delivery, as many in flight as Odoo's
        # listen backlog takes (8 per worker; with 50 in flight, some connections were reset).
        api.fail_for(OUTAGE)
        outage_start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(IN_FLIGHT) as pool:
            futures = {pool.submit(validate, live, order["picking_id"]): pk for pk, order in orders.items()}
            results = {}
            for future in concurrent.futures.as_completed(futures):
                try:
                    results[futures[future]] = future.result()
                except Exception as error:  # noqa: BLE001 - reported below, with the others
                    results[futures[future]] = error
        validated_in = time.monotonic() - outage_start
        failures = {pk: result for pk, result in results.items() if result is not True}
        assert not failures, f"{len(failures)} validations did not end with True: {list(failures.items())[:3]}"
        done = live.query(
            "SELECT count(*) FROM stock_picking WHERE id = ANY(%s) AND state = 'done'",
            ([order["picking_id"] for order in orders.values()],),
        )[0][0]
        assert done == BULK, f"{done} of {BULK} deliveries done"

        arrived = wait_until(lambda: len(accepted(api, double.BULK_STATUS_PATH)) >= BULK, BULK_DEADLINE)
        all_in = time.monotonic() - outage_start
        assert arrived, (
            f"{len(accepted(api, double.BULK_STATUS_PATH))} of {BULK} bulk updates accepted after {all_in:.0f} s; "
            f"items jobs: {tries(jobs(live, orders, 'items'))}; {collections.Counter(jobs(live, orders))}"
        )
        # Every job finished (nothing left to send a second time), then the counts.
        assert wait_until(lambda: all_done(live, orders, 2 * BULK), 60), collections.Counter(jobs(live, orders))

    updates = accepted(api, double.BULK_STATUS_PATH)
    assert len(updates) == BULK, f"{len(updates)} accepted bulk updates for {BULK} orders"
    assert sent_items(updates) == expected_items(orders), "one entry per item, once, with 500, its tracking, yurtici"
    assert [len(call.body["orderitem_set"]) for call in updates] == [1] * BULK, "one update per order"
    assert sorted(call.path for call in accepted(api, "/", "PATCH") if call.path != double.BULK_STATUS_PATH) == (
        is_send_paths(orders)
    ), "every order marked sent once"
    logins = len(api.logins())
    assert logins <= 3, f"{logins} logins"
    # A bulk-update job first reads the order's detail (the live read): that is the call that meets
    # the outage; the update itself, when the read got through.
    refused_reads = [
        call
        for call in api.calls_to("/detailed_integration/", "GET")
        if call.status >= 500 and "/orders_integration/" in call.path
    ]
    refused = [call for call in api.calls_to(double.BULK_STATUS_PATH, "PATCH") if call.status >= 500]
    read_pks = {int(call.path.split("/")[-3]) for call in refused_reads}
    met_outage = {entry["id"] for call in refused for entry in call.body["orderitem_set"]}
    met_outage |= {item for item, order in orders.items() if order["pk"] in read_pks}
    refused += refused_reads
    assert met_outage == set(orders), f"{len(met_outage)} of {BULK} orders' jobs met the outage"
    assert all(call.at < outage_start + OUTAGE for call in refused)
    item_jobs = jobs(live, orders, "items")
    assert len(item_jobs) == BULK and all(retry >= 2 for _state, retry in item_jobs), tries(item_jobs)
    check_lines_and_sync_state(live, orders)
    record(
        SECTION,
        f"{BULK} imported orders' deliveries validated at once (one XML-RPC call each, {IN_FLIGHT} in flight, "
        f"bin/run's 4 workers) while Omnitron answers 500 for {OUTAGE} s; queue_job's runner, channel root.omnitron:1, "
        "a retry every 20 s for the test (5 tries)",
        f"{BULK} bulk updates accepted, each item once (500, its tracking number, yurtici), {BULK} is_send once each, "
        f"{logins} login; every order's job met the outage ({len(refused)} × 500); items jobs: {tries(item_jobs)}, "
        f"0 failed; validations took {validated_in:.1f} s "
        f"({live.server_log().count('tries left, try again') - replays_before} concurrency replays), "
        f"the last update arrived {all_in:.0f} s after the outage began ({BULK} imports: {imported_in:.0f} s)",
    )


def test_a_server_restart_while_jobs_are_pending_loses_none(live_jobs, api):
    """Jobs waiting for their retry when Odoo stops (every process, as systemd stops it) run after the restart.

    The addon's own retry pattern: each job failed once before the stop and is
    tried again 60 s later, by the restarted server's runner, Omnitron back.
    """
    live = live_jobs
    api.reset()
    api.fail_for(900)  # Omnitron down until told otherwise
    orders = import_orders(live, "OUT-RESTART", RESTART_ORDERS, 71000)
    prepare_deliveries(live, orders)
    for order in orders.values():
        assert validate(live, order["picking_id"]) is True
    expected_jobs = 2 * RESTART_ORDERS  # each order's is_send and its items

    def all_waiting():
        rows = jobs(live, orders)
        return len(rows) == expected_jobs and all(state == "pending" and retry >= 1 for state, retry in rows)

    assert wait_until(all_waiting, 60), f"jobs not all waiting for a retry: {collections.Counter(jobs(live, orders))}"
    refused_before_stop = len([call for call in api.calls if call.status >= 500])
    assert refused_before_stop >= expected_jobs

    stopped = time.monotonic()
    live.restart()
    restart_took = time.monotonic() - stopped
    rows = jobs(live, orders)
    assert len(rows) == expected_jobs and {state for state, _ in rows} <= {"pending", "enqueued", "started"}, rows
    api.fail_for(0)  # Omnitron is back

    def all_arrived():
        return (
            len(accepted(api, double.BULK_STATUS_PATH)) >= RESTART_ORDERS
            and len(accepted(api, "/", "PATCH")) >= 2 * RESTART_ORDERS
        )

    arrived = wait_until(all_arrived, 240)
    all_in = time.monotonic() - stopped
    assert arrived, (
        f"after {all_in:.0f} s: {len(accepted(api, double.BULK_STATUS_PATH))} bulk updates, "
        f"{len(accepted(api, '/', 'PATCH'))} PATCHes accepted; jobs {collections.Counter(jobs(live, orders))}"
    )
    assert wait_until(lambda: all_done(live, orders, expected_jobs), 60), collections.Counter(jobs(live, orders))

    updates = accepted(api, double.BULK_STATUS_PATH)
    assert sent_items(updates) == expected_items(orders), "each item once, with 500, its tracking, yurtici"
    assert len(updates) == RESTART_ORDERS
    assert sorted(call.path for call in accepted(api, "/", "PATCH") if call.path != double.BULK_STATUS_PATH) == (
        is_send_paths(orders)
    ), "every order marked sent once"
    assert len(api.logins()) <= 3
    check_lines_and_sync_state(live, orders)
    record(
        SECTION,
        f"{RESTART_ORDERS} orders imported and shipped while Omnitron answers 500; Odoo stopped (SIGTERM to every "
        f"process) with their {expected_jobs} jobs waiting for a retry, started again, Omnitron back",
        f"every call arrived once after the restart ({RESTART_ORDERS} is_send, {RESTART_ORDERS} bulk updates), "
        f"jobs: {tries(jobs(live, orders))}, 0 failed; restart took {restart_took:.0f} s, "
        f"the last call arrived {all_in:.0f} s after the stop",
    )


PARTIAL_CANCELS = 20  # orders of two items whose second item staff cancel in Odoo
PLAN_PATH = "/api/v1/oms/cancellation_plan/"


def test_partial_cancels_made_in_odoo_come_back_as_plans_that_hold_nothing(live_jobs, api):
    """20 orders of two items; staff cancel the second item of each in Odoo.

    Each cancel is one call to Omnitron, which (as Akinon documents) creates a
    cancellation plan and posts it to the addon's plan route, with the
    sender's token, over real HTTP. Each plan names only the item Odoo asked
    for: it is recorded as answering Odoo, and the first item's delivery is
    not held, nobody gets an activity.
    """
    live = live_jobs
    api.reset()
    api.plan_webhook = (live.url + PLAN_PATH, live.token)
    try:
        bodies = []
        for index in range(PARTIAL_CANCELS):
            body = order_body(f"OUT-PLAN-{index:03d}", 74000 + index, 74500 + index)
            first = body["payload"]["orderitem_set"][0]
            first["pk"] = 741000 + index * 2
            second = {**first, "pk": first["pk"] + 1, "product": {**first["product"], "sku": "PLAN-SECOND"}}
            body["payload"]["orderitem_set"].append(second)
            body["payload"]["amount"] = f"{2 * float(first['price']) + float(body['payload']['shipping_amount']):.2f}"
            api.add_order(body["payload"], is_send=True)  # Omnitron holds the order its plans name
            bodies.append(body)
        answers = [live.post(body) for body in bodies]
        assert [answer.status for answer in answers] == [204] * PARTIAL_CANCELS, answers[:3]
        numbers = [body["payload"]["number"] for body in bodies]
        second_lines = [
            row[0]
            for row in live.query(
                "SELECT sol.id FROM sale_order_line sol JOIN sale_order so ON so.id = sol.order_id "
                "WHERE so.omnitron_number = ANY(%s) AND sol.omnitron_item_pk %% 2 = 1",
                (numbers,),
            )
        ]
        assert len(second_lines) == PARTIAL_CANCELS
        activities_before = live.query("SELECT count(*) FROM mail_activity")[0][0]
        started = time.monotonic()
        for line_id in second_lines:
            live.rpc("sale.order.line", "write", [line_id], {"product_uom_qty": 0})

        def plans_recorded():
            return live.query(
                "SELECT count(*) FROM omnitron_cancellation_plan p JOIN sale_order so ON so.id = p.sale_order_id "
                "WHERE so.omnitron_number = ANY(%s)",
                (numbers,),
            )[0][0]

        assert wait_until(lambda: plans_recorded() >= PARTIAL_CANCELS, 180), (
            f"{plans_recorded()} plans recorded, {len(api.plans)} posted, "
            f"{len(accepted(api, '/cancel/', 'POST'))} cancels accepted"
        )
        took = time.monotonic() - started
        cancels = accepted(api, "/cancel/", "POST")
        assert len(cancels) == PARTIAL_CANCELS, len(cancels)
        assert sorted(call.body["cancel_items"][0] for call in cancels) == sorted(
            741001 + index * 2 for index in range(PARTIAL_CANCELS)
        )
        rows = live.query(
            "SELECT bool_and(p.answers_odoo), count(*) FILTER (WHERE so.omnitron_hold IS NOT NULL), "
            "count(*) FILTER (WHERE so.omnitron_plan_request IS NOT NULL) "
            "FROM omnitron_cancellation_plan p JOIN sale_order so ON so.id = p.sale_order_id "
            "WHERE so.omnitron_number = ANY(%s)",
            (numbers,),
        )
        assert rows == [(True, 0, 0)], rows
        assert live.query("SELECT count(*) FROM mail_activity")[0][0] == activities_before, "nobody is told"
        # (a delivery's hold is its order's: omnitron_hold above)
        record(
            SECTION,
            f"{PARTIAL_CANCELS} orders of two items; staff cancel the second item of each in Odoo; the double, as "
            "Akinon documents, posts a cancellation plan for every cancel to the plan route (real HTTP, the "
            "sender's token)",
            f"{len(cancels)} cancel calls, each naming its one item; {PARTIAL_CANCELS} plans recorded as answering "
            f"Odoo in {took:.0f} s; no order or delivery held or flagged, no activity",
        )
    finally:
        api.plan_webhook = None
