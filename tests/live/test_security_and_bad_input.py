"""OWASP API Security checks, bad input by hand and HTTP fuzzing, on a live Odoo."""

import copy
import json
import os
import subprocess
import xmlrpc.client

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_odoo import sample
from sentry_listener import SentryListener
from strategies import SAMPLE_PATHS, json_values, mutate

from .conftest import record

SECRETS = ("ihwQUETc5Ge4Wy0P", "63fa639d-fed2-4944-8cb5-549745f425d3")  # the sample's appSecret and appKey


@pytest.fixture(scope="module")
def sentry(live):
    listener = SentryListener()
    live.set_param("omnitron_order_webhook.sentry_dsn", listener.dsn)
    yield listener
    live.set_param("omnitron_order_webhook.sentry_dsn", "")
    listener.close()


def order(number, **changes):
    body = sample()
    body["payload"]["number"] = number
    body["payload"].update(changes)
    return body


# -- authentication and authorisation ------------------------------------------


def test_bad_tokens_get_identical_401s(live):
    token = live.token
    cases = {
        "missing": {"Authorization": None},
        "empty": {"Authorization": ""},
        "wrong, same length": {"Authorization": "Token " + ("x" if token[0] != "x" else "y") + token[1:]},
        "wrong, other length": {"Authorization": "Token " + "Q" * 60},
    }
    bodies = {name: live.post(order("AUTH-1"), headers=headers) for name, headers in cases.items()}
    assert {answer.status for answer in bodies.values()} == {401}
    assert len({answer.body for answer in bodies.values()}) == 1, "the same body every time"
    assert live.query("SELECT count(*) FROM sale_order WHERE omnitron_number = 'AUTH-1'") == [(0,)]
    record(
        "Security (OWASP API2: broken authentication)",
        "missing, empty, wrong same-length and other-length tokens",
        "4 × 401 with identical bodies",
    )


def test_a_token_in_the_query_string_or_body_is_ignored(live):
    # A second, valid token, revoked afterwards: a URL's query string lands in
    # access logs, and the main token must never appear in one.
    token = live.rpc("res.users", "omnitron_generate_token", [live.sender_id])
    try:
        path = f"/api/v1/oms/orders_omnitron/?token={token}"
        in_query = live.post(order("AUTH-2"), headers={"Authorization": None}, path=path)
        body = order("AUTH-2")
        body["token"] = token
        body["Authorization"] = f"Token {token}"
        in_body = live.post(body, headers={"Authorization": None})
        assert live.post(order("AUTH-2"), token=token).status == 204, "the token itself is valid"
    finally:
        live.rpc("omnitron.token", "unlink", live.rpc("omnitron.token", "search", [("index", "=", token[:8])]))
    assert (in_query.status, in_body.status) == (401, 401)
    record("Security (OWASP API2: broken authentication)", "token in the query string, token in the body", "401, 401")


def test_the_token_opens_nothing_but_the_webhook(live):
    headers = {"Authorization": f"Token {live.token}"}
    call_kw = live.post(
        {
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"model": "sale.order", "method": "search_read", "args": [], "kwargs": {}},
        },
        headers=headers,
        path="/web/dataset/call_kw/sale.order/search_read",
    )
    assert "error" in call_kw.json() and "result" not in call_kw.json()
    json2 = live.post({}, headers=headers, path="/json/2/sale.order/search_read")
    # Odoo 18 has no /json/2 API (it came with 19): whatever answers carries no data.
    assert json2.status in (401, 403, 404) or not json2.body.lstrip().startswith(("{", "["))
    with pytest.raises(xmlrpc.client.Fault):
        xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/object").execute_kw(
            live.db, live.sender_id, live.token, "sale.order", "search_read", [[]], {}
        )
    web = live.post(None, method="GET", headers=headers, path="/odoo")
    assert web.status in (200, 303) and "o_login" in web.body or web.status == 303
    record(
        "Security (OWASP API5: function level authorisation)",
        "the token on /web/dataset/call_kw, /json/2, /xmlrpc/2/object, /odoo",
        "refused: JSON-RPC error; no /json/2 API in Odoo 18 (no data); XML-RPC fault; login page",
    )


def test_the_sender_cannot_read_orders_or_partners_by_rpc(live):
    proxy = xmlrpc.client.ServerProxy(f"{live.url}/xmlrpc/2/object")
    models = ("sale.order", "res.partner", "product.product", "omnitron.webhook.event", "omnitron.token")
    for model in models:
        with pytest.raises(xmlrpc.client.Fault):
            proxy.execute_kw(live.db, live.sender_id, "live-sender-password", model, "search_read", [[]], {"limit": 1})
    record(
        "Security (OWASP API1/API3: object and property level authorisation)",
        "the sender user over XML-RPC, with a password set on it",
        f"refused on {', '.join(models)} (a sender never logs in by password)",
    )


def test_the_payload_cannot_set_what_it_must_not(live):
    body = order("MASS-1", state="cancel", company_id=999, user_id=2, amount_total=1, create_uid=1, partner_id=1)
    assert live.post(body).status == 204
    ((state, company, user, total, create_uid, partner),) = live.query(
        "SELECT state, company_id, user_id, amount_total, create_uid, partner_id FROM sale_order"
        " WHERE omnitron_number = 'MASS-1'"
    )
    assert (state, company, user, float(total), create_uid) == ("sale", 1, None, 725.26, live.sender_id)
    assert partner != 1
    record(
        "Security (OWASP API3: mass assignment)",
        "state, company_id, user_id, amount_total, create_uid, partner_id in the payload",
        "ignored",
    )


def test_wrong_methods_get_405_and_no_answer_leaks_internals(live):
    answers = [live.post(None, method=method) for method in ("GET", "PUT", "DELETE")]
    assert [answer.status for answer in answers] == [405, 405, 405]
    answers += [live.post(None, raw=b"{"), live.post(order("LEAK-1"), headers={"Authorization": None})]
    for answer in answers:
        assert "Traceback" not in answer.body and 'File "' not in answer.body
        assert "18.0" not in answer.body and "odoo" not in json.dumps(answer.headers).lower()
    record(
        "Security (OWASP API8: misconfiguration)",
        "GET, PUT, DELETE; error bodies and headers",
        "405 × 3; no traceback or Odoo version in any answer",
    )


def test_repeated_bad_tokens_hit_429(live):
    live.query("DELETE FROM omnitron_rate_counter")
    live.set_param("omnitron_order_webhook.rate_limit_failed_auth_per_ip", "5")
    try:
        statuses = [live.post(order("RATE"), headers={"Authorization": "Token " + "Z" * 43}).status for _ in range(7)]
    finally:
        live.set_param("omnitron_order_webhook.rate_limit_failed_auth_per_ip", "1000")
    assert statuses[-1] == 429 and 429 in statuses and statuses[0] == 401
    record(
        "Security (OWASP API4: resource consumption)",
        "7 bad tokens from one IP, limit 5 per minute",
        f"{statuses.count(401)} × 401 then {statuses.count(429)} × 429",
    )


def test_secrets_and_token_appear_nowhere(live, sentry):
    assert live.post(order("SECRET-1")).status == 204
    unbookable = order("SECRET-2")
    unbookable["payload"]["cargo_company"] = {**unbookable["payload"]["cargo_company"], "erp_code": "no_such_carrier"}
    assert live.post(unbookable).status == 202  # ignored for its carrier: reported to Sentry
    sentry.wait_for(1)
    pg_bin = os.environ.get("OMNITRON_LIVE_PG_BIN", "/usr/lib/postgresql/15/bin")
    dump = subprocess.run(
        [f"{pg_bin}/pg_dump", "-h", live.pg["host"], "-p", str(live.pg["port"]), "-U", live.pg["user"], live.db],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8", "replace")
    assert "SECRET-1" in dump, "the dump holds the imported order"
    log = live.server_log()
    raw = sentry.raw()
    assert "cargo_company_not_found" in raw
    for place, text in (("database dump", dump), ("server log", log), ("Sentry", raw)):
        for secret in (*SECRETS, live.token):
            assert secret not in text, f"{secret[:6]}… found in the {place}"
    record(
        "Security (OWASP API3: data exposure)",
        "appSecret, appKey and the token after importing the sample",
        f"absent from a full pg_dump ({len(dump) // 1024} KiB), the server log "
        f"and {len(sentry.received)} Sentry envelope(s)",
    )


# -- bad input by hand --------------------------------------------------------------


def test_hostile_bodies_get_clear_4xx(live):
    minimal_item = {"pk": 1, "product": {"sku": "S", "name": "N"}, "status": "400", "price": "1"}
    many_items = order("HUGE-ITEMS")
    many_items["payload"]["orderitem_set"] = [dict(minimal_item, pk=index + 1) for index in range(10_000)]
    long_string = order("LONG-STRING")
    long_string["payload"]["gift_box_note"] = "x" * (10 * 1024 * 1024)
    cases = {
        "10,000-deep nesting": (b"[" * 10_000 + b"]" * 10_000, 400, "invalid_json"),
        "10 MB string": (json.dumps(long_string).encode(), 413, "payload_too_large"),
        "10,000 items": (json.dumps(many_items).encode(), 400, "invalid_payload"),
        "invalid UTF-8": (b'{"event": "\xff\xfe"}', 400, "invalid_json"),
        "empty body": (b"", 400, "invalid_json"),
        "JSON array": (b"[1, 2, 3]", 400, "invalid_payload"),
    }
    for name, (raw, status, code) in cases.items():
        answer = live.post(raw=raw)
        assert (answer.status, answer.json()["error"]) == (status, code), name
        assert answer.json()["detail"], name
        record("Bad input", name, f"{status} {code}")


# -- fuzzing over HTTP ---------------------------------------------------------------

FUZZ = {"cases": 0, "statuses": {}}


@settings(max_examples=500, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(
    st.one_of(
        st.lists(
            st.tuples(st.sampled_from(SAMPLE_PATHS), st.sampled_from(["drop", "replace", "stringify"]), json_values),
            min_size=1,
            max_size=3,
        ),
        json_values.map(lambda value: [("raw", value)]),
    ),
    st.integers(min_value=1, max_value=10**9),
)
def fuzz_case(live, mutations, number):
    if mutations[0][0] == "raw":
        body = mutations[0][1]
    else:
        body = copy.deepcopy(sample())
        body["payload"]["number"] = f"FUZZ-{number}"
        for path, action, value in mutations:
            try:
                mutate(body, path, action, value)
            except (KeyError, IndexError, TypeError):
                continue
    answer = live.post(raw=json.dumps(body, allow_nan=True).encode())
    FUZZ["cases"] += 1
    FUZZ["statuses"][answer.status] = FUZZ["statuses"].get(answer.status, 0) + 1
    assert answer.status < 500, (answer, body)


def test_fuzzed_deliveries_never_get_a_5xx(live):
    live.set_param("omnitron_order_webhook.rate_limit_per_token", "100000")
    fuzz_case(live)
    assert FUZZ["cases"] >= 500
    statuses = ", ".join(f"{count} × {status}" for status, count in sorted(FUZZ["statuses"].items()))
    record("Fuzzing", f"hypothesis over HTTP: {FUZZ['cases']} mutated or arbitrary bodies", f"0 × 5xx ({statuses})")


def test_every_text_at_its_documented_limit_is_imported_in_one_to_four_byte_characters(live):
    """No 5xx inside the documented limits: indexed fields (names, sku, VAT, phone) included."""
    from omnitron_order_webhook.core import const

    live.set_param("omnitron_order_webhook.rate_limit_per_token", "100000")
    statuses = {}
    for label, char in (("ASCII", "a"), ("2-byte", "ş"), ("3-byte CJK", "語"), ("4-byte", "\U0001d11e")):
        body = order(f"EDGE-{label}")
        payload = body["payload"]
        payload["pk"] = 80000 + len(statuses)
        payload["customer"].update(
            pk=91000 + len(statuses), first_name=char * const.MAX_NAME, last_name=char * const.MAX_NAME
        )
        payload["customer"]["email"] = "e" * (const.MAX_EMAIL - 12) + "@example.com"
        payload["customer"]["phone_number"] = "5" * const.MAX_PHONE
        for key in ("billing_address", "shipping_address"):
            address = payload[key]
            address.update(
                first_name=char * const.MAX_NAME,
                last_name=char * const.MAX_NAME,
                company_name=char * const.MAX_COMPANY_NAME,
                district=char * const.MAX_PLACE,
                tax_office=char * const.MAX_PLACE,
                line=char * const.MAX_LONG_TEXT,
                phone_number="5" * const.MAX_PHONE,
                tax_no="1" * 64,
            )
            address["city"]["name"] = char * const.MAX_PLACE
        product = payload["orderitem_set"][0]["product"]
        product.update(sku=char * (const.MAX_SKU - len(label)) + label, name=char * const.MAX_TEXT)
        payload["channel"]["name"] = char * const.MAX_TEXT
        payload["gift_box_note"] = char * const.MAX_LONG_TEXT
        answer = live.post(body)
        statuses[label] = answer.status
        assert answer.status == 204, (label, answer)
    record(
        "Bad input",
        "every text field at its documented limit, in 1-, 2-, 3- and 4-byte characters",
        ", ".join(f"{label}: {status}" for label, status in statuses.items()),
    )


def _workers_peak_rss(live):
    """Peak resident memory (VmHWM, KiB) of each process of the live Odoo, by pid."""
    peaks = {}
    for pid in [live.process.pid] + [int(child) for child in _children(live.process.pid)]:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as status:
                peaks[pid] = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
        except (FileNotFoundError, StopIteration):
            continue
    return peaks


def _children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return children.read().split()
    except FileNotFoundError:
        return []


def test_a_chunked_body_over_the_limit_is_refused_without_being_buffered(live):
    """413 once the limit is passed; the worker never holds the body (it used to buffer up to 128 MiB)."""
    import socket
    import threading
    import urllib.parse

    url = urllib.parse.urlparse(live.url)
    total, chunk = 64 * 1024 * 1024, b"x" * (1024 * 1024)
    before = _workers_peak_rss(live)
    assert len(before) > 1, "the workers of the live Odoo were not found"
    connection = socket.create_connection((url.hostname, url.port), timeout=60)
    head = (
        f"POST /api/v1/oms/orders_omnitron/ HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Token {live.token}\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    )

    def send():
        try:
            connection.sendall(head.encode())
            for _ in range(total // len(chunk)):
                connection.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            connection.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed

    sender = threading.Thread(target=send)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            data = connection.recv(65536)
            if not data:
                break
            answer += data
    except OSError:
        pass
    sender.join(timeout=120)
    connection.close()
    assert answer.split(b" ", 2)[1:2] == [b"413"], answer[:200]
    after = _workers_peak_rss(live)
    growth_mib = max((after[pid] - before.get(pid, after[pid])) for pid in after) / 1024
    assert growth_mib < 40, f"a worker's peak memory grew by {growth_mib:.0f} MiB for a 64 MiB body"
    record(
        "Bad input",
        "a 64 MiB chunked body (limit 5 MiB)",
        f"413; the workers' peak memory grew by at most {growth_mib:.0f} MiB",
    )
