"""Races and faults against a real multi-worker Odoo."""

import threading
import time

from live_odoo import sample

from .conftest import record

N = 20  # concurrent deliveries
ADDRESSES_OF_CUSTOMER = (
    "SELECT count(*) FROM res_partner a JOIN res_partner c ON a.parent_id = c.id WHERE c.omnitron_customer_pk = %s"
)


def release_together(live, bodies):
    """POST every body from its own thread, all released by one barrier."""
    barrier = threading.Barrier(len(bodies))
    answers = [None] * len(bodies)

    def send(index, body):
        barrier.wait()
        answers[index] = live.post(body)

    threads = [threading.Thread(target=send, args=(index, body)) for index, body in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def count(live, sql, *params):
    return live.query(sql, params)[0][0]


def test_twenty_identical_deliveries_create_one_order(live):
    body = sample()
    body["payload"]["number"] = "RACE-SAME"
    body["payload"]["customer"]["pk"] = 90001
    answers = release_together(live, [body] * N)
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [202] * (N - 1) + [204], answers
    assert {answer.json()["reason"] for answer in answers if answer.status == 202} == {"duplicate_order"}
    assert count(live, "SELECT count(*) FROM sale_order WHERE omnitron_number = 'RACE-SAME'") == 1
    assert count(live, "SELECT count(*) FROM res_partner WHERE omnitron_customer_pk = 90001") == 1
    assert (
        count(
            live,
            ADDRESSES_OF_CUSTOMER,
            90001,
        )
        == 2
    ), "one invoice and one delivery address"
    assert count(live, "SELECT count(*) FROM product_product WHERE default_code = '3169177'") == 1
    record(
        "Concurrency",
        f"{N} identical deliveries released together (3 workers)",
        "1 order, 1 customer, 2 addresses, 1 product; 19 × 202 duplicate_order; 0 errors",
    )


def test_twenty_first_orders_at_20_percent_create_one_price_included_twin(live):
    """l10n_tr's 20 % is price-excluded: the first orders needing it race to create its twin."""
    assert count(live, "SELECT count(*) FROM account_tax WHERE omnitron_rate = 20") == 0
    bodies = []
    for index in range(N):
        body = sample()
        payload = body["payload"]
        payload["number"] = f"RACE-TWIN-{index}"
        payload["pk"] = 70000 + index
        payload["customer"]["pk"] = 90100 + index
        payload["orderitem_set"][0]["tax_rate"] = "20.00"
        bodies.append(body)
    answers = release_together(live, bodies)
    assert [answer.status for answer in answers] == [204] * N, answers
    assert count(live, "SELECT count(*) FROM account_tax WHERE omnitron_rate = 20") == 1
    assert (
        count(
            live,
            "SELECT count(DISTINCT l.account_tax_id) FROM account_tax_sale_order_line_rel l "
            "JOIN sale_order_line sl ON sl.id = l.sale_order_line_id "
            "JOIN sale_order o ON o.id = sl.order_id WHERE o.omnitron_number LIKE 'RACE-TWIN-%%'",
        )
        == 1
    )
    record(
        "Concurrency",
        f"{N} first orders at 20 % released together (l10n_tr has only a price-excluded 20 %)",
        "1 price-included twin, every order on it; 0 errors",
    )


def test_twenty_orders_of_one_new_customer_share_one_partner(live):
    bodies = []
    for index in range(N):
        body = sample()
        body["payload"]["number"] = f"RACE-CUSTOMER-{index}"
        body["payload"]["pk"] = 50000 + index
        body["payload"]["customer"]["pk"] = 90002
        body["payload"]["orderitem_set"][0]["product"]["sku"] = "RACE-SKU"
        bodies.append(body)
    answers = release_together(live, bodies)
    assert [answer.status for answer in answers] == [204] * N, answers
    assert count(live, "SELECT count(*) FROM sale_order WHERE omnitron_number LIKE 'RACE-CUSTOMER-%%'") == N
    assert count(live, "SELECT count(*) FROM res_partner WHERE omnitron_customer_pk = 90002") == 1
    assert (
        count(
            live,
            ADDRESSES_OF_CUSTOMER,
            90002,
        )
        == 2
    )
    assert count(live, "SELECT count(*) FROM product_product WHERE default_code = 'RACE-SKU'") == 1
    log = live.server_log()
    replays = log.count("concurrent Omnitron import")
    assert "duplicate key value violates unique constraint" not in log, "a race is a replay, not a logged ERROR"
    record(
        "Concurrency",
        f"{N} orders of one new customer released together",
        f"{N} orders, 1 customer, 2 addresses, 1 product (races resolved by {replays} replays)",
    )


def test_a_dropped_connection_mid_import_leaves_nothing_and_answers_500(live):
    before = count(live, "SELECT count(*) FROM res_partner"), count(live, "SELECT count(*) FROM product_product")
    live.query(
        """
        CREATE OR REPLACE FUNCTION omnitron_live_drop() RETURNS trigger LANGUAGE plpgsql AS
        $$BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END$$;
        CREATE TRIGGER omnitron_live_drop BEFORE INSERT ON sale_order_line
        FOR EACH ROW EXECUTE FUNCTION omnitron_live_drop();
        """
    )
    body = sample()
    body["payload"]["number"] = "FAULT-DROP"
    body["payload"]["customer"]["pk"] = 90003
    body["payload"]["orderitem_set"][0]["product"]["sku"] = "FAULT-SKU"
    try:
        answer = live.post(body)
    finally:
        live.query("DROP TRIGGER omnitron_live_drop ON sale_order_line")
    assert answer.status == 500, answer
    assert answer.json()["error"] == "internal_error"
    assert "Traceback" not in answer.body
    assert count(live, "SELECT count(*) FROM sale_order WHERE omnitron_number = 'FAULT-DROP'") == 0
    assert (
        count(live, "SELECT count(*) FROM res_partner"),
        count(live, "SELECT count(*) FROM product_product"),
    ) == before
    assert live.query("SELECT state, http_status FROM omnitron_webhook_event WHERE order_number = 'FAULT-DROP'") == [
        ("failed", 500)
    ]
    assert live.post(body).status == 204, "the same delivery succeeds once the fault is gone"
    record(
        "Faults",
        "database connection killed while the lines are inserted",
        "500 internal_error, no order/customer/address/product left, event 'failed'; the retry imports it",
    )


def test_a_forced_database_error_mid_import_leaves_nothing(live):
    live.query(
        """
        CREATE OR REPLACE FUNCTION omnitron_live_fail() RETURNS trigger LANGUAGE plpgsql AS
        $$BEGIN RAISE EXCEPTION 'forced failure'; END$$;
        CREATE TRIGGER omnitron_live_fail BEFORE INSERT ON sale_order_line
        FOR EACH ROW EXECUTE FUNCTION omnitron_live_fail();
        """
    )
    body = sample()
    body["payload"]["number"] = "FAULT-ERROR"
    body["payload"]["customer"]["pk"] = 90004
    try:
        answer = live.post(body)
    finally:
        live.query("DROP TRIGGER omnitron_live_fail ON sale_order_line")
    assert answer.status == 500 and answer.json()["error"] == "internal_error"
    assert count(live, "SELECT count(*) FROM res_partner WHERE omnitron_customer_pk = 90004") == 0
    assert live.query("SELECT state FROM omnitron_webhook_event WHERE order_number = 'FAULT-ERROR'") == [("failed",)]
    record(
        "Faults",
        "database error forced while the lines are inserted",
        "500 internal_error, nothing left, event 'failed'",
    )


def test_postgresql_restarted_between_two_deliveries(live):
    import os
    import subprocess

    first = sample()
    first["payload"]["number"] = "RESTART-1"
    assert live.post(first).status == 204
    pg_dir = os.environ["OMNITRON_LIVE_PG_DIR"]
    pg_bin = os.environ["OMNITRON_LIVE_PG_BIN"]
    as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(
        [
            *as_owner,
            f"{pg_bin}/pg_ctl",
            "-D",
            f"{pg_dir}/data",
            "-m",
            "fast",
            "-w",
            "restart",
            "-o",
            f"-p {live.pg['port']} -k {pg_dir} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-l",
            f"{pg_dir}/server.log",
        ],
        check=True,
        capture_output=True,
    )
    time.sleep(1)
    second = sample()
    second["payload"]["number"] = "RESTART-2"
    answers = [live.post(second)]
    assert answers[0].status == 204, answers
    record("Faults", "PostgreSQL restarted between two deliveries", "the next delivery: 204")
