"""The catch-up pull, live: orders the webhook missed, pulled from Omnitron by a real multi-worker Odoo.

A real Odoo (bin/run's workers with queue_job's runner, as bin/run runs
it: ``live_jobs``) pulls from the contract double
(``omnitron_order_webhook/tests/omnitron_api_double.py``, a real HTTP server
in this process holding the orders "Omnitron" has not handed to an ERP): the
pull job lists ``GET /api/i1/orders/?is_send=False&status=400&limit=50``
page after page, fetches each order Odoo lacks from its
``detailed_integration/`` and receives it as a webhook delivery; the import
queues the usual mark-sent job (``PATCH /api/v1/orders/{pk}/``), which takes
the order off the double's unsent list. The tests check what Odoo holds
(one sale order per Omnitron order) and what reached "Omnitron" (one
``is_send`` per order), through an Odoo that was down, a webhook racing the
pull, a minute of 5xx and a restart in the middle of a pull.

What drives the runs: the live server runs no cron thread (tools/live_odoo.py
starts every live server with ``--max-cron-threads=0``, so nothing fires
behind a test's back). A thread of the test plays Odoo's cron runner: every
60 s, the cron's own interval, it runs the cron ``ir_cron_omnitron_catch_up``
by XML-RPC (``ir.cron.method_direct_trigger``, the cron form's Run Manually),
which queues the pull of each account whose interval has passed exactly as
the cron's scheduled run does. The race with the webhook and the run during
the outage are started by the account's Pull Now (``action_pull_now``). The
jobs themselves run in the workers, picked by queue_job's runner (channel
``root.omnitron:1``: the pull and the mark-sent jobs one at a time).
"""

import collections
import concurrent.futures
import contextlib
import re
import threading
import time
import xmlrpc.client

import pytest

from .conftest import record
from .test_order_life import order_body
from .test_outbound_live import double, wait_until

USERNAME, PASSWORD = "odoo-erp-pull", "pull-Omnitron-pw"
SECTION = "Catch-up pull (queue_job)"
CRON = ("omnitron_order_webhook", "ir_cron_omnitron_catch_up")
TICK = 60  # seconds between the cron's runs: its interval (1 minute)
RUNNER_SLACK = 60  # seconds beyond the pull intervals for the runner, the imports and the mark-sent jobs
DOWN_BACKLOG = 120  # orders posted while Odoo was down: 3 pages of the pull's 50
RACE = 20  # orders posted by the webhook while the pull takes them
POST_THREADS = 6  # webhook posts in flight: within Odoo's listen backlog
OUTAGE = 55  # seconds of 5xx from Omnitron's API (login excepted), about a minute
OUTAGE_ORDERS = 10
RESTART_BACKLOG = 150  # orders of the pull interrupted by a restart
RESTART_AFTER = 25  # orders the interrupted pull imports before the restart
DETAIL = r"/api/i1/orders_integration/\d+/detailed_integration/"


@pytest.fixture(scope="module")
def api(live_jobs):
    """The double, started, and the live server's Omnitron account connected to it (pull off until a test says)."""
    server = double.OmnitronApiDouble(username=USERNAME, password=PASSWORD).start()
    live_jobs.connect_account(server.url, USERNAME, PASSWORD, cancellation_reason_id=7)
    yield server
    server.stop()


# -- helpers ---------------------------------------------------------------------


def store_orders(api, prefix, count, first_pk):
    """``count`` unsent orders at status 400 in the double (the spec's sample, distinct pks, numbers,
    customers and item pks, each item not yet shipped); their webhook bodies in pk order."""
    bodies = []
    for index in range(count):
        body = order_body(f"{prefix}-{index:03d}", first_pk + index, first_pk + 500 + index)
        body["payload"]["orderitem_set"][0]["pk"] = first_pk + 1000 + index
        api.add_order(body["payload"])
        bodies.append(body)
    return bodies


def pks_of(bodies):
    return [body["payload"]["pk"] for body in bodies]


def sale_orders_per_pk(live, pks):
    """{omnitron pk: number of sale orders} of those Odoo holds."""
    return dict(
        live.query("SELECT omnitron_pk, count(*) FROM sale_order WHERE omnitron_pk = ANY(%s) GROUP BY 1", (pks,))
    )


def is_send_per_pk(api, pks):
    """{pk: accepted is_send PATCHes} at the double, for these orders."""
    paths = collections.Counter(call.path for call in api.calls_to("/", "PATCH", ok_only=True))
    return {pk: paths[f"/api/v1/orders/{pk}/"] for pk in pks}


def unsent(api, pks):
    return [pk for pk in pks if not api.order(pk)["is_send"]]


def all_taken(live, api, pks):
    """Every order imported and off the double's unsent list."""
    return len(sale_orders_per_pk(live, pks)) == len(pks) and not unsent(api, pks)


def jobs_settled(live):
    """No Omnitron job waiting or running (so no is_send is still on its way)."""
    return not live.query("SELECT 1 FROM queue_job WHERE channel LIKE 'root.omnitron%%' AND state <> 'done' LIMIT 1")


def pull_jobs(live, since_id=0):
    """(id, state, retry, result) of the pull jobs after job ``since_id``, oldest first."""
    return live.query(
        "SELECT id, state, retry, result FROM queue_job WHERE method_name = '_omnitron_pull' AND id > %s ORDER BY id",
        (since_id,),
    )


def last_job_id(live):
    return live.query("SELECT coalesce(max(id), 0) FROM queue_job")[0][0]


def events_by_source(live, pks):
    """{(source, state, reason): n} of the order deliveries naming these orders' numbers."""
    rows = live.query(
        "SELECT e.source, e.state, coalesce(e.reason, ''), count(*) FROM omnitron_webhook_event e "
        "JOIN sale_order so ON so.omnitron_number = e.order_number WHERE so.omnitron_pk = ANY(%s) GROUP BY 1, 2, 3",
        (pks,),
    )
    return {(source, state, reason): n for source, state, reason, n in rows}


def account_messages(live):
    """How many messages the account's chatter holds."""
    return live.rpc(
        "mail.message", "search_count", [("model", "=", "omnitron.account"), ("res_id", "=", live.account_id)]
    )


def check_once_each(live, api, pks):
    """One sale order and one accepted is_send per order, and every Omnitron job done."""
    assert wait_until(lambda: jobs_settled(live), 120), live.query(
        "SELECT state, count(*) FROM queue_job WHERE state <> 'done' GROUP BY 1"
    )
    per_pk = sale_orders_per_pk(live, pks)
    assert sorted(per_pk) == sorted(pks), f"{len(per_pk)} of {len(pks)} orders imported"
    assert set(per_pk.values()) == {1}, {pk: n for pk, n in per_pk.items() if n != 1}
    sent = is_send_per_pk(api, pks)
    assert set(sent.values()) == {1}, f"is_send per order: {collections.Counter(sent.values())}"


@contextlib.contextmanager
def cron_ticking(live, every=TICK):
    """Run the catch-up cron now and every ``every`` seconds, as Odoo's cron runner would; yields the tick times.

    A tick the server cannot take (it is restarting) is tried again 2 s later:
    a cron overdue when the server starts runs as soon as it is up.
    """
    cron_id = live.rpc("ir.model.data", "check_object_reference", *CRON)[1]
    stop = threading.Event()
    ticks = []

    def tick():
        while not stop.is_set():
            try:
                live.rpc("ir.cron", "method_direct_trigger", [cron_id])
            except (OSError, xmlrpc.client.Error):
                stop.wait(2)
                continue
            ticks.append(time.monotonic())
            stop.wait(every)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    try:
        yield ticks
    finally:
        stop.set()
        thread.join(60)


def wait_all_taken(live, api, pks, timeout):
    """Seconds until every order is imported and marked sent, or None after ``timeout``."""
    started = time.monotonic()
    if wait_until(lambda: all_taken(live, api, pks), timeout, interval=1):
        return time.monotonic() - started
    return None


def progress(live, api, pks, since_id=0):
    return (
        f"{len(sale_orders_per_pk(live, pks))} of {len(pks)} imported, {len(unsent(api, pks))} still unsent; "
        f"pull jobs {pull_jobs(live, since_id)}"
    )


# -- tests -----------------------------------------------------------------------


def test_orders_posted_while_odoo_was_down_are_pulled_once_each_within_two_intervals(live_jobs, api):
    """120 orders reach Omnitron while Odoo is stopped; started again, it pulls them all within two intervals.

    120 orders are three pages of the pull's 50. The account pulls every
    minute; the cron ticks as soon as the server is up, then every minute.
    """
    live = live_jobs
    api.reset()
    live.stop()
    bodies = store_orders(api, "PULL-DOWN", DOWN_BACKLOG, 120001)
    pks = pks_of(bodies)
    started = time.monotonic()
    live.start(append_log=True)
    up_in = time.monotonic() - started
    live.account_write(catch_up_enabled=True, catch_up_interval_minutes=1)
    since = last_job_id(live)
    deadline = 2 * TICK + RUNNER_SLACK
    with cron_ticking(live) as ticks:
        # Measured from the first tick (the cron's first run), not counting the server's start.
        took = wait_all_taken(live, api, pks, deadline)
        assert took is not None, f"after {deadline} s: {progress(live, api, pks, since)}"
    check_once_each(live, api, pks)
    details = api.count_calls("GET", DETAIL, ok_only=True)
    assert details == DOWN_BACKLOG, f"{details} details fetched for {DOWN_BACKLOG} orders"
    lists = api.count_calls("GET", r"/api/i1/orders/", ok_only=True)
    runs = pull_jobs(live, since)
    assert runs and all(state == "done" for _id, state, _retry, _result in runs), runs
    first_id, first_result = runs[0][0], runs[0][3]
    [(pull_seconds,)] = live.query("SELECT exec_time FROM queue_job WHERE id = %s", (first_id,))
    # A run stops taking pages after its time budget (75 s) on a slow machine: the next run takes the rest.
    imported = sum(int(re.search(r"imported (\d+)", result or "").group(1)) for _id, _state, _retry, result in runs)
    assert imported == DOWN_BACKLOG, runs
    events = events_by_source(live, pks)
    assert [(source, state, n) for (source, state, _reason), n in events.items()] == [("pull", "done", DOWN_BACKLOG)], (
        events
    )
    account = live.account("catch_up_last_error", "catch_up_last_result", "catch_up_failing")
    assert not account["catch_up_last_error"] and not account["catch_up_failing"], account
    record(
        SECTION,
        f"{DOWN_BACKLOG} orders left unsent in Omnitron while Odoo was stopped (3 pages of 50); Odoo started, the "
        "account pulling every minute (the cron ticked at once, then every 60 s; bin/run's 4 workers, the pull on its "
        "own channel root.omnitron_pull)",
        f"every order imported once and marked sent once, {took:.0f} s after the first tick "
        f"(deadline two intervals + {RUNNER_SLACK} s); {len(ticks)} ticks, {len(runs)} pull job(s), the first: "
        f"{first_result!r} in {pull_seconds:.0f} s ({pull_seconds / DOWN_BACKLOG * 1000:.0f} ms per order); "
        f"{details} details and {lists} list pages fetched; {DOWN_BACKLOG} events of source Pull; "
        f"Odoo answered {up_in:.0f} s after its start",
    )


def test_the_same_orders_by_webhook_and_by_the_pull_at_once_make_one_order_each_and_no_5xx(live_jobs, api):
    """20 orders posted by the webhook while Pull Now takes the same 20 from Omnitron's list: 20 orders, no 5xx.

    The pull takes the list in pk order; the webhook posts from the last pk
    back, so the two meet in the middle: each creates some of the orders and
    they race for the ones where they cross.
    """
    live = live_jobs
    api.reset()
    bodies = store_orders(api, "PULL-RACE", RACE, 130001)
    pks = pks_of(bodies)
    since = last_job_id(live)
    replays_before = live.server_log().count("tries left, try again")
    barrier = threading.Barrier(2)

    def pull_now():
        barrier.wait()
        return live.rpc("omnitron.account", "action_pull_now", [live.account_id])

    def post_all():
        barrier.wait()
        with concurrent.futures.ThreadPoolExecutor(POST_THREADS) as pool:
            return list(pool.map(live.post, reversed(bodies)))

    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        pulled, posted = pool.submit(pull_now), pool.submit(post_all)
        pulled.result()
        answers = posted.result()
    posted_in = time.monotonic() - started
    statuses = collections.Counter(answer.status for answer in answers)
    assert all(answer.status < 500 for answer in answers), [a for a in answers if a.status >= 500][:3]
    assert all(200 <= answer.status < 300 for answer in answers), statuses
    took = wait_all_taken(live, api, pks, 120)
    assert took is not None, progress(live, api, pks, since)
    assert wait_until(lambda: all(state == "done" for _i, state, _r, _s in pull_jobs(live, since)), 60)
    check_once_each(live, api, pks)
    [(_id, _state, _retry, result)] = pull_jobs(live, since)
    events = events_by_source(live, pks)
    created = collections.Counter()
    for (source, state, _reason), n in events.items():
        created[source] += n if state == "done" else 0
    assert sum(created.values()) == RACE, events
    record(
        SECTION,
        f"the same {RACE} orders posted by the webhook ({POST_THREADS} in flight) and taken by Pull Now at the "
        "same moment",
        f"{RACE} sale orders, one each, one is_send each; webhook answers {dict(sorted(statuses.items()))}, no 5xx "
        f"(posts took {posted_in:.1f} s); orders created by {dict(sorted(created.items()))}; pull: {result!r}; "
        f"events {dict(sorted(events.items()))}; "
        f"{live.server_log().count('tries left, try again') - replays_before} concurrency replays",
    )


def test_a_pull_during_a_minute_of_5xx_records_the_error_then_a_later_run_completes_and_clears_it(live_jobs, api):
    """Pull Now while Omnitron answers 500 for 55 s: the error shows on the account; the cron's next run imports all."""
    live = live_jobs
    api.reset()
    bodies = store_orders(api, "PULL-5XX", OUTAGE_ORDERS, 135001)
    pks = pks_of(bodies)
    since = last_job_id(live)
    messages_before = account_messages(live)
    api.fail_for(OUTAGE)
    outage_start = time.monotonic()
    live.rpc("omnitron.account", "action_pull_now", [live.account_id])

    def failed_run():
        account = live.account("catch_up_last_error", "catch_up_failing")
        return account if account["catch_up_last_error"] else None

    failing = wait_until(failed_run, 30)
    assert failing, f"no error on the account; pull jobs {pull_jobs(live, since)}"
    error_after = time.monotonic() - outage_start
    assert failing["catch_up_failing"] is True
    assert "500" in failing["catch_up_last_error"] or "Server error" in failing["catch_up_last_error"], failing
    assert PASSWORD not in failing["catch_up_last_error"]
    assert not sale_orders_per_pk(live, pks), "nothing imported during the outage"

    with cron_ticking(live) as ticks:
        took = wait_all_taken(live, api, pks, OUTAGE + 2 * TICK + RUNNER_SLACK)
        assert took is not None, progress(live, api, pks, since)
        recovered_after = time.monotonic() - outage_start
    check_once_each(live, api, pks)
    account = live.account("catch_up_last_error", "catch_up_failing", "catch_up_last_result")
    assert not account["catch_up_last_error"] and account["catch_up_failing"] is False, account
    runs = pull_jobs(live, since)
    failed_runs = [result for _id, _state, _retry, result in runs if result and result.startswith("Failed")]
    assert failed_runs, runs
    notes = account_messages(live) - messages_before
    assert notes == 1, f"{notes} messages on the account for one failure streak"
    record(
        SECTION,
        f"Pull Now while Omnitron's API answers 500 for {OUTAGE} s ({OUTAGE_ORDERS} orders listed behind it), "
        "then the cron every minute",
        f"the error was on the account {error_after:.0f} s into the outage "
        f"({failing['catch_up_last_error'][:90]!r}; catch_up_failing set, one chatter note "
        f"for the streak, no password in it); {len(failed_runs)} failed run(s); every order imported and marked sent "
        f"once {recovered_after:.0f} s after the outage began ({len(ticks)} ticks), catch_up_last_error cleared; "
        f"last result {account['catch_up_last_result']!r}",
    )


def test_a_restart_in_the_middle_of_a_pull_loses_no_order(live_jobs, api):
    """Odoo stopped (SIGTERM to every process) while a pull of 150 orders runs: after the restart, all once each.

    Each pulled order is received in a transaction of its own, so the stop
    loses at most the order in hand; queue_job's runner puts the killed pull
    back in the queue and the cron queues the next, which finds the orders
    imported before the stop (their mark-sent jobs still waiting) and
    imports the rest.
    """
    live = live_jobs
    api.reset()
    bodies = store_orders(api, "PULL-RESTART", RESTART_BACKLOG, 140001)
    pks = pks_of(bodies)
    since = last_job_id(live)
    live.rpc("omnitron.account", "action_pull_now", [live.account_id])
    assert wait_until(lambda: len(sale_orders_per_pk(live, pks)) >= RESTART_AFTER, 120, interval=0.2), progress(
        live, api, pks, since
    )
    stopped = time.monotonic()
    live.restart()
    restart_took = time.monotonic() - stopped
    before_restart = len(sale_orders_per_pk(live, pks))
    assert before_restart < RESTART_BACKLOG, "the pull was over before the stop: nothing was interrupted"
    interrupted = pull_jobs(live, since)
    with cron_ticking(live) as ticks:
        took = wait_all_taken(live, api, pks, 2 * TICK + RUNNER_SLACK)
        assert took is not None, progress(live, api, pks, since)
        all_in = time.monotonic() - stopped
    check_once_each(live, api, pks)
    events = events_by_source(live, pks)
    assert {state for _source, state, _reason in events} == {"done"}, events
    runs = pull_jobs(live, since)
    record(
        SECTION,
        f"Odoo stopped (SIGTERM to every process) and started again while a pull of {RESTART_BACKLOG} orders runs, "
        f"{before_restart} of them imported; then the cron every minute",
        f"every order imported once and marked sent once {all_in:.0f} s after the stop (restart took "
        f"{restart_took:.0f} s, {len(ticks)} ticks); the interrupted job {interrupted[0][1:3] if interrupted else '-'}"
        f" (state, retry) at the restart; pull jobs after: "
        f"{[(state, retry, result) for _id, state, retry, result in runs]}",
    )


AKINON_BACKLOG = 200  # orders pulled from an Omnitron answering as Akinon documents


def test_two_hundred_orders_from_an_omnitron_whose_detail_has_no_items_and_whose_next_names_a_proxy(live_jobs, api):
    """Akinon's detail lists the order without its items (they come from ``order_item/detailed_integration/``)
    and a page's ``next`` may name a proxy's host: 200 orders are still imported once each.

    Pages are counted on the account's own URL, so the proxy host (which
    does not exist) is never called; each order costs one more GET, its items.
    """
    live = live_jobs
    api.reset()
    api.items_apart, api.next_host = True, "omnitron-behind-a-proxy.internal:8080"
    try:
        bodies = store_orders(api, "PULL-AKINON", AKINON_BACKLOG, 160001)
        pks = pks_of(bodies)
        live.account_write(catch_up_enabled=True, catch_up_interval_minutes=1)
        since = last_job_id(live)
        with cron_ticking(live) as ticks:
            took = wait_all_taken(live, api, pks, 4 * TICK + RUNNER_SLACK)
            assert took is not None, progress(live, api, pks, since)
        check_once_each(live, api, pks)
        items_calls = api.count_calls("GET", r"/api/i1/order_item/detailed_integration/", ok_only=True)
        details = api.count_calls("GET", DETAIL, ok_only=True)
        assert details == AKINON_BACKLOG and items_calls == AKINON_BACKLOG, (details, items_calls)
        assert all(call.headers.get("Host", "").startswith("127.0.0.1") for call in api.calls)
        runs = pull_jobs(live, since)
        record(
            SECTION,
            f"{AKINON_BACKLOG} orders unsent in an Omnitron whose detail carries no items (the items endpoint has "
            "them) and whose list's next names a proxy host that does not exist; the account pulling every minute",
            f"every order imported once and marked sent once in {took:.0f} s ({len(ticks)} ticks, {len(runs)} pull "
            f"job(s)); {details} details and {items_calls} item pages fetched, the proxy host never called",
        )
    finally:
        api.items_apart, api.next_host = False, None
        live.account_write(catch_up_enabled=False)
