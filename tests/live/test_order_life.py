"""An imported order's later deliveries, raced against a real multi-worker Odoo.

Omnitron posts an order again each time it moves; the addon applies such a
delivery as an update under a lock on the order's row. These tests release
deliveries of one order together (a barrier, 3 workers) and check what the
database holds afterwards: one change, one chatter note, one event saying so,
one order per number, one recorded plan, and never a 5xx.
"""

import copy
import json
import threading
import uuid

from live_odoo import REPO, WEBHOOK_PATH, sample

from .conftest import record

N = 20  # concurrent copies of one update
ROUNDS = 6  # first delivery and update released together, each round with a new number
PLAN_PATH = "/api/v1/oms/cancellation_plan/"
PLAN_SAMPLE_PATH = REPO / "omnitron_order_webhook" / "tests" / "data" / "cancellation_plan_sample.json"

OPEN_DELIVERIES = "SELECT count(*) FROM stock_picking WHERE sale_id = %s AND state NOT IN ('done', 'cancel')"
NOTES_OF_ORDER = (
    "SELECT count(*) FROM mail_message WHERE model = 'sale.order' AND res_id = %s AND body::text LIKE '%%Omnitron:%%'"
)


def release_together(live, requests):
    """POST every (body, path) from its own thread, all released by one barrier; the answers in order."""
    barrier = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def send(index, body, path):
        barrier.wait()
        answers[index] = live.post(body, path=path)

    threads = [threading.Thread(target=send, args=(index, body, path)) for index, (body, path) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def count(live, sql, *params):
    return live.query(sql, params)[0][0]


def replays(live):
    """How many times Odoo replayed a request after a concurrency failure, so far."""
    return live.server_log().count("tries left, try again")


def order_races(live):
    """How many deliveries so far lost the race to create an order and were replayed."""
    return live.server_log().count("hit sale_order_omnitron_channel_number_uniq")


def tally(answers):
    """The answers counted by status and reason (or error), for a readable failure."""

    def key(answer):
        try:
            body = answer.json() if answer.body else {}
        except ValueError:  # not our JSON: Odoo's own error page, say
            return answer.status, answer.body[:80]
        return answer.status, body.get("reason") or body.get("error")

    keys = [key(answer) for answer in answers]
    return {key: keys.count(key) for key in sorted(set(keys), key=str)}


def reason(answer):
    return answer.json()["reason"] if answer.status == 202 else None


def order_body(number, pk, customer_pk):
    """The spec's sample as order ``number`` (status 400), a fresh event uuid, its item not shipped yet."""
    body = sample()
    body["event"]["uuid"] = uuid.uuid4().hex
    payload = body["payload"]
    payload.update(number=number, pk=pk, status="400")
    payload["customer"]["pk"] = customer_pk
    # The sample's item was shipped (510) before the import, which leaves no delivery open.
    payload["orderitem_set"][0]["status"] = "400"
    return body


def later_delivery(body, **changes):
    """The same order as Omnitron posts it after it moved: a new event, ``changes`` applied."""
    later = copy.deepcopy(body)
    later["event"]["uuid"] = uuid.uuid4().hex
    later["payload"].update(changes)
    return later


def plan_body(number, channel_pk, plan_pk):
    body = json.loads(PLAN_SAMPLE_PATH.read_text(encoding="utf-8"))
    body["event"]["uuid"] = uuid.uuid4().hex
    body["payload"]["pk"] = plan_pk
    body["payload"]["order"].update(number=number, channel=channel_pk)
    return body


def sale_order_of(live, number):
    rows = live.query(
        "SELECT id, state, omnitron_status, omnitron_tracking_number FROM sale_order WHERE omnitron_number = %s",
        (number,),
    )
    assert len(rows) == 1, f"{len(rows)} sale orders for {number}: {rows}"
    return rows[0]


def test_twenty_concurrent_identical_updates_are_applied_once_with_one_chatter_note(live):
    number = "LIFE-UPDATE-SAME"
    first = order_body(number, 81001, 91001)
    imported = live.post(first)
    assert imported.status == 204, imported
    order_id, state, status, _tracking = sale_order_of(live, number)
    assert (state, status) == ("sale", "400")
    assert count(live, OPEN_DELIVERIES, order_id) == 1, "its item is not shipped yet: the order has an open delivery"
    assert count(live, NOTES_OF_ORDER, order_id) == 0

    # Omnitron cancels the order; the same delivery reaches Odoo 20 times at once.
    cancelled = later_delivery(first, status="100")
    replays_before = replays(live)
    answers = release_together(live, [(cancelled, WEBHOOK_PATH)] * N)

    assert not [answer for answer in answers if answer.status >= 500], tally(answers)
    assert [answer.status for answer in answers] == [202] * N, tally(answers)
    assert sorted(map(reason, answers)) == ["duplicate_order"] * (N - 1) + ["order_updated"], tally(answers)
    [applied] = [answer for answer in answers if reason(answer) == "order_updated"]
    assert "400 (approved) → 100 (cancelled)" in applied.json()["detail"], applied
    assert "order cancelled" in applied.json()["detail"], applied

    assert sale_order_of(live, number)[:3] == (order_id, "cancel", "100")
    assert count(live, OPEN_DELIVERIES, order_id) == 0, "its delivery is cancelled with it"
    notes = live.query(
        "SELECT body FROM mail_message WHERE model = 'sale.order' AND res_id = %s AND body::text LIKE %s",
        (order_id, "%Omnitron:%"),
    )
    assert len(notes) == 1, notes
    assert "status Approved → Cancelled" in notes[0][0], notes  # people read statuses by name
    events = dict(
        live.query(
            "SELECT state, count(*) FROM omnitron_webhook_event WHERE order_number = %s GROUP BY state", (number,)
        )
    )
    assert events.get("updated") == 1, events
    assert sum(events.values()) == N + 1, f"one event per delivery (the import and {N} updates): {events}"
    assert live.query(
        "SELECT order_id, reason FROM omnitron_webhook_event WHERE order_number = %s AND state = 'updated'", (number,)
    ) == [(order_id, "order_updated")]
    record(
        "Order updates",
        f"{N} identical updates (status 100, an open delivery) of one imported order released together",
        f"applied once (order and delivery cancelled): 1 × 202 order_updated, {N - 1} × 202 duplicate_order, "
        f"1 chatter note, 1 event 'updated'; 0 errors ({replays(live) - replays_before} replays)",
    )


def test_an_update_racing_the_first_delivery_makes_one_order_and_never_a_5xx(live):
    # Half the rounds are a known customer's (the two race at the order's own unique
    # constraint), half a new customer's (they race at the customer's first).
    known_customer = 92999
    assert live.post(order_body("LIFE-RACE-CUSTOMER", 82999, known_customer)).status == 204
    outcomes = []
    replays_before, order_races_before = replays(live), order_races(live)
    for index in range(ROUNDS):
        number, tracking = f"LIFE-RACE-{index}", f"TRK-LIFE-{index}"
        first = order_body(number, 82000 + index, known_customer if index % 2 else 92000 + index)
        first["payload"]["modified_date"] = "2024-03-01T10:00:00Z"
        update = later_delivery(first, status="500", tracking_number=tracking, modified_date="2024-03-02T10:00:00Z")

        first_answer, update_answer = answers = release_together(live, [(first, WEBHOOK_PATH), (update, WEBHOOK_PATH)])

        assert not [answer for answer in answers if answer.status >= 500], (number, tally(answers))
        assert sorted(answer.status for answer in answers) == [202, 204], (number, answers)
        assert {reason(answer) for answer in answers} - {None} <= {
            "order_updated",
            "duplicate_order",
            "outdated_update",
        }, (number, answers)
        assert count(live, "SELECT count(*) FROM sale_order WHERE omnitron_number = %s", number) == 1, number
        order_id, state, status, order_tracking = sale_order_of(live, number)
        # Whichever of the two created the order, the update is the later word and ends on it.
        assert (state, status, order_tracking) == ("sale", "500", tracking), (number, answers, status, order_tracking)
        if first_answer.status == 204:
            assert reason(update_answer) == "order_updated", (number, answers)
            assert count(live, NOTES_OF_ORDER, order_id) == 1, number
        else:
            assert reason(first_answer) == "outdated_update", (number, answers)
            assert count(live, NOTES_OF_ORDER, order_id) == 0, number
        assert count(live, "SELECT count(*) FROM omnitron_webhook_event WHERE order_number = %s", number) == 2, number
        outcomes.append(
            f"{reason(first_answer) or reason(update_answer)} (imported by the "
            + ("first delivery" if first_answer.status == 204 else "update")
            + ")"
        )
    seen = {outcome: outcomes.count(outcome) for outcome in sorted(set(outcomes))}
    record(
        "Order updates",
        f"a new order's first delivery (400) and its update (500 + tracking) released together, {ROUNDS} orders",
        f"1 order each, the update on it each time, 0 errors ({'; '.join(f'{n} × {o}' for o, n in seen.items())}; "
        f"{order_races(live) - order_races_before} races at the order's unique constraint, "
        f"{replays(live) - replays_before} replays)",
    )


def test_the_same_cancellation_plan_twice_at_once_is_recorded_once(live):
    number = "LIFE-PLAN-TWICE"
    first = order_body(number, 83001, 93001)
    assert live.post(first).status == 204
    order_id = sale_order_of(live, number)[0]
    plan = plan_body(number, first["payload"]["channel"]["pk"], 94001)

    answers = release_together(live, [(plan, PLAN_PATH), (plan, PLAN_PATH)])

    assert not [answer for answer in answers if answer.status >= 500], tally(answers)
    assert sorted(answer.status for answer in answers) == [202, 204], answers
    [refused] = [answer for answer in answers if answer.status == 202]
    assert refused.json()["reason"] == "duplicate_plan", refused
    assert live.query("SELECT sale_order_id FROM omnitron_cancellation_plan WHERE plan_pk = %s", (94001,)) == [
        (order_id,)
    ]
    assert count(live, NOTES_OF_ORDER, order_id) == 1, "one chatter note for the recorded plan"
    assert (
        count(
            live,
            "SELECT count(*) FROM sale_order WHERE omnitron_number = %s AND omnitron_plan_request = 'cancel'",
            number,
        )
        == 1
    )
    record(
        "Order updates",
        "one cancellation plan delivered twice at once",
        "1 plan recorded, 1 × 204 and 1 × 202 duplicate_plan; 0 errors",
    )
