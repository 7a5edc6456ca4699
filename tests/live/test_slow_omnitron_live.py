"""A slow Omnitron, live: bin/run's workers and job capacities, real HTTP to the contract double.

An Omnitron that answers one byte every 2 s never trips a per-read timeout;
every call is bounded as a whole (the account's timeout), and the job runner
never takes more workers than leaves two for the webhook (core/capacity.py),
so Omnitron's webhook orders are answered as fast as on a quiet day while
every job and the pull wait on it. A refund Omnitron takes but answers after
the deadline is read back before its retry: asked once, never twice.
"""

import concurrent.futures
import statistics
import time

from .conftest import record
from .test_order_life import order_body
from .test_outbound_live import (
    FAST_RETRIES,
    api,  # noqa: F401  (the module's fixture: the double and the account sending to it)
    import_orders,
    prepare_deliveries,
    retry_pattern,
    validate,
    wait_until,
)
from .test_returns_live import order_body_of, return_in_odoo, take_back

SECTION = "A slow Omnitron"
ORDERS = 50
POSTERS = 2  # webhook deliveries in flight at once, in both phases
WARM_UP = 10  # orders posted before the quiet phase is timed: every worker has served some
DRIBBLE = 2.0  # seconds between two bytes of every answer of the slow Omnitron
LATE_RETURNS = 20


def p95(values):
    return statistics.quantiles(values, n=20)[-1]


def timed_posts(live, prefix, first_pk, count=ORDERS):
    """Post ``count`` new orders, ``POSTERS`` at a time: (answers, seconds each)."""
    bodies = [order_body(f"{prefix}-{index:03d}", first_pk + index, first_pk + 500 + index) for index in range(count)]
    for index, body in enumerate(bodies):
        body["payload"]["orderitem_set"][0]["pk"] = first_pk + 1000 + index

    def post(body):
        started = time.monotonic()
        answer = live.post(body)
        return answer, time.monotonic() - started

    with concurrent.futures.ThreadPoolExecutor(POSTERS) as pool:
        results = list(pool.map(post, bodies))
    return [answer for answer, _ in results], [seconds for _, seconds in results]


def jobs_in_a_call(live):
    return live.query("SELECT count(*) FROM queue_job WHERE state = 'started' AND channel LIKE 'root.omnitron%%'")[0][0]


def test_an_omnitron_dribbling_a_byte_every_two_seconds_never_slows_the_webhook(live_jobs, api):  # noqa: F811
    live = live_jobs
    api.reset()
    timed_posts(live, "SLOW-WARM", 90000, WARM_UP)  # not counted: the product, the caches, every worker
    answers, quiet = timed_posts(live, "SLOW-QUIET", 91000)
    assert [answer.status for answer in answers] == [204] * ORDERS, answers[:3]
    # Their is_send jobs done, so the slow phase starts with nothing waiting.
    marked = ORDERS + WARM_UP
    assert wait_until(lambda: api.count_calls("PATCH", r"/api/v1/orders/\d+/", ok_only=True) >= marked, 120)

    api.dribble_next(DRIBBLE, count=10**6)  # every answer from now on, a byte every 2 s
    live.account_write(catch_up_enabled=True, catch_up_statuses="400")
    try:
        live.rpc("omnitron.account", "action_pull_now", [live.account_id])
        timed_posts(live, "SLOW-FIRST", 92000, 2)  # their is_send jobs take the outbound channel
        # Both job slots are in a call to the slow Omnitron (the pull and an is_send) before the
        # timed orders arrive: what an Omnitron dribbling to every job does.
        assert wait_until(lambda: jobs_in_a_call(live) == 2, 30), jobs_in_a_call(live)
        answers, slow = timed_posts(live, "SLOW-BUSY", 93000)
        busy = jobs_in_a_call(live)
        assert [answer.status for answer in answers] == [204] * ORDERS, answers[:3]

        def pull_failed():
            return live.account("catch_up_last_error")["catch_up_last_error"]

        error = wait_until(pull_failed, 120)
    finally:
        api.reset()
        live.account_write(catch_up_enabled=False)
    assert error and "did not answer within 10 seconds" in error, error
    assert busy >= 1, "the jobs were still waiting on Omnitron when the last order was answered"
    quiet_p95, slow_p95 = p95(quiet), p95(slow)
    assert slow_p95 <= 1.5 * quiet_p95, (quiet_p95, slow_p95)
    record(
        SECTION,
        f"{ORDERS} webhook orders ({POSTERS} at a time) on a quiet day, then {ORDERS} more while Omnitron answers "
        f"every call one byte every {DRIBBLE:g} s and both job slots wait on it (the pull, an is_send); bin/run's "
        "4 workers and channels root:2",
        f"every order answered 204; p95 {quiet_p95 * 1000:.0f} ms quiet, {slow_p95 * 1000:.0f} ms slow "
        f"({slow_p95 / quiet_p95:.2f} ×); {busy} job(s) still in a call after the last order; the pull's failure "
        f'recorded: "{error[:80]}…"',
    )


def test_twenty_refunds_omnitron_answers_after_the_deadline_are_asked_once_each(live_jobs, api):  # noqa: F811
    live = live_jobs
    api.reset()
    orders = import_orders(live, "RET-LATE", LATE_RETURNS, 93000)
    for item_pk, order in orders.items():
        api.add_order(order_body_of(order, item_pk)["payload"], is_send=True)  # Omnitron holds each order
    prepare_deliveries(live, orders)
    for order in orders.values():
        assert validate(live, order["picking_id"]) is True
    receipt_ids = [return_in_odoo(live, order["picking_id"]) for order in orders.values()]
    # Omnitron takes each refund, but answers 1 s after the account's 2 s deadline.
    live.account_write(timeout_seconds=2)
    api.hang_next(3, count=LATE_RETURNS, path="/cancel/")
    try:
        with retry_pattern(live, FAST_RETRIES):
            started = time.monotonic()
            take_back(live, receipt_ids)
            expected = sorted(orders)

            def all_refunded():
                rows = live.query(
                    "SELECT count(*) FROM sale_order_line WHERE omnitron_item_pk = ANY(%s) AND omnitron_status = '600'",
                    (expected,),
                )
                return rows[0][0] == LATE_RETURNS

            done = wait_until(all_refunded, 300)
            took = time.monotonic() - started
    finally:
        live.account_write(timeout_seconds=10)
    time.sleep(3)
    calls = api.calls_to("/cancel/", "POST")
    assert done, f"after {took:.0f} s: {len(calls)} cancel calls"
    assert len(calls) == LATE_RETURNS, f"{len(calls)} cancel calls for {LATE_RETURNS} refunds"
    assert sorted(item for call in calls for item in call.body["cancel_items"]) == expected, "each item once"
    read_back = len(api.calls_to("/detailed_integration/", "GET"))
    retried = live.query(
        "SELECT count(*) FROM queue_job WHERE state = 'done' AND retry > 1 AND result LIKE '%%cancelled or refunded "
        "already%%'"
    )[0][0]
    assert retried == LATE_RETURNS, retried
    record(
        SECTION,
        f"{LATE_RETURNS} returns made in Odoo; Omnitron takes each refund but answers 1 s after the account's "
        "2 s deadline",
        f"{len(calls)} cancel calls (not {2 * LATE_RETURNS}), each item once; every retry read the order back first "
        f"({read_back} detail reads) and found it refunded; all lines at 600 after {took:.0f} s",
    )
