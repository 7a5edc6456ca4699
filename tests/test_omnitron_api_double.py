"""The Omnitron API double keeps Omnitron's contract, so tests built on it can trust it.

The double lives in the addon's tests folder, whose ``__init__`` imports the
Odoo tests: it is loaded here by its file path, without that package.
"""

import importlib.util
import json
import pathlib
import socket
import subprocess
import sys
import threading
import time

import pytest
import requests

DOUBLE_PATH = (
    pathlib.Path(__file__).resolve().parent.parent / "omnitron_order_webhook" / "tests" / "omnitron_api_double.py"
)
_spec = importlib.util.spec_from_file_location("omnitron_api_double", DOUBLE_PATH)
double = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = double
_spec.loader.exec_module(double)

PASSWORD = "s3cret-Pa55"
BULK = "/api/i1/order_items/bulk_status_update/"


@pytest.fixture
def api():
    with double.OmnitronApiDouble(username="odoo", password=PASSWORD) as server:
        yield server


def login(api, password=PASSWORD):
    return requests.post(f"{api.url}/api/i1/auth/login/", json={"username": "odoo", "password": password}, timeout=5)


@pytest.fixture
def session(api):
    """A client logged in as Akinon's client would be: every call sends the token."""
    client = requests.Session()
    client.headers["Authorization"] = f"Token {login(api).json()['key']}"
    yield client
    client.close()


def mark_sent(api, client, pk=7, body=None, timeout=5, **kwargs):
    return client.patch(f"{api.url}/api/v1/orders/{pk}/", json=body or {"is_send": True}, timeout=timeout, **kwargs)


def bulk(api, client, items):
    return client.patch(f"{api.url}{BULK}", json={"orderitem_set": items}, timeout=5)


def cancel(api, client, pk=7, **changes):
    body = {"order": pk, "is_all": True, "cancel_items": [], "reasons": {"11": 3}, "forced_refund_amount": None}
    body.update(changes)
    body = {key: value for key, value in body.items() if value is not ...}
    return client.post(f"{api.url}/api/i1/orders/{pk}/cancel/", json=body, timeout=5)


# Logging in ---------------------------------------------------------------------


def test_url_is_local_without_trailing_slash(api):
    assert api.url.startswith("http://127.0.0.1:")
    assert not api.url.endswith("/")


def test_each_login_issues_a_new_key_and_older_keys_stay_valid(api):
    first, second = login(api), login(api)
    assert first.status_code == second.status_code == 200
    assert first.json()["key"] != second.json()["key"]
    for answer in (first, second):
        headers = {"Authorization": f"Token {answer.json()['key']}"}
        assert mark_sent(api, requests, headers=headers).status_code == 200
    assert len(api.logins()) == 2


def test_wrong_credentials_are_refused(api):
    answer = login(api, password="wrong")
    assert answer.status_code == 400
    assert answer.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert api.logins() == []
    missing = requests.post(f"{api.url}/api/i1/auth/login/", json={"username": "odoo"}, timeout=5)
    assert missing.status_code == 400 and "password" in missing.json()


@pytest.mark.parametrize("authorization", [None, "Token nope", "Bearer {key}", "{key}"])
def test_every_call_needs_a_valid_token(api, authorization):
    key = login(api).json()["key"]
    headers = {"Authorization": authorization.format(key=key)} if authorization else {}
    answer = mark_sent(api, requests, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {"detail": "Invalid token."}


# The documented calls -------------------------------------------------------------


def test_mark_sent_accepts_exactly_is_send_true(api, session):
    answer = mark_sent(api, session, pk=42)
    assert answer.status_code == 200
    assert answer.json() == {"pk": 42, "is_send": True}


@pytest.mark.parametrize(
    ("body", "field"),
    [({"is_send": False}, "is_send"), ({"is_send": "true"}, "is_send"), ({"is_send": True, "status": "x"}, "status")],
)
def test_mark_sent_refuses_anything_else(api, session, body, field):
    answer = mark_sent(api, session, body=body)
    assert answer.status_code == 400
    assert isinstance(answer.json()[field], list)


def test_bulk_status_update_echoes_a_valid_set(api, session):
    items = [
        {"id": 1, "status": "450", "invoice_number": "ABC2024000000001", "invoice_date": "2021-07-14T00:00:00.000000Z"},
        {
            "id": 2,
            "status": "500",
            "invoice_date": "2024-05-01T10:20:30+03:00",
            "e_archive_url": "https://example.com/e.pdf",
            "tracking_number": "YK123",
            "shipping_company": "yurtici",
        },
    ]
    answer = bulk(api, session, items)
    assert answer.status_code == 200
    assert answer.json() == {"orderitem_set": items}


@pytest.mark.parametrize(
    ("items", "field"),
    [
        ([{"id": 1}], "status"),
        ([{"id": 1, "status": 450}], "status"),
        ([{"id": 1, "status": "451"}], "status"),
        ([{"status": "450"}], "id"),
        ([{"id": 0, "status": "450"}], "id"),
        ([{"id": True, "status": "450"}], "id"),
        ([{"id": 1, "status": "450"}, {"id": 1, "status": "500"}], "id"),
        ([{"id": 1, "status": "450", "colour": "red"}], "colour"),
        ([{"id": 1, "status": "450", "invoice_date": "01/05/2024"}], "invoice_date"),
        # A bare date: the documented form is a date and time (omnitron_contract.md §4).
        ([{"id": 1, "status": "450", "invoice_date": "2024-05-01"}], "invoice_date"),
        ([{"id": 1, "status": "500", "tracking_number": 123}], "tracking_number"),
    ],
)
def test_bulk_status_update_names_the_wrong_field_of_the_wrong_item(api, session, items, field):
    answer = bulk(api, session, items)
    assert answer.status_code == 400
    item_errors = answer.json()["orderitem_set"]
    assert any(field in errors for errors in item_errors)
    assert item_errors[0] == {} or len(items) == 1  # valid items get no errors, as DRF's ListSerializer


def test_bulk_status_update_needs_a_non_empty_list(api, session):
    for body in ({"orderitem_set": []}, {"orderitem_set": {"id": 1}}, {}):
        answer = session.patch(f"{api.url}{BULK}", json=body, timeout=5)
        assert answer.status_code == 400
        assert "orderitem_set" in answer.json()


def test_cancel_accepts_a_whole_order_or_listed_items(api, session):
    whole = cancel(api, session, is_cargo_refund=False)
    items = cancel(api, session, is_all=False, cancel_items=[11, 12], reasons={"11": 3, "12": 4})
    refund = cancel(api, session, forced_refund_amount="149.90", refund_invoice_number="R1", ibans={}, holder_names={})
    assert [answer.status_code for answer in (whole, items, refund)] == [200, 200, 200]
    assert whole.json() == {}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"is_all": False, "cancel_items": []}, "cancel_items"),
        ({"is_all": True, "cancel_items": [11]}, "cancel_items"),
        ({"order": 8}, "order"),
        ({"order": ...}, "order"),
        ({"reasons": {}}, "reasons"),
        ({"reasons": {"11": "damaged"}}, "reasons"),
        ({"is_all": "yes"}, "is_all"),
        ({"forced_refund_amount": 12.5}, "forced_refund_amount"),
        ({"forced_refund_amount": ...}, "forced_refund_amount"),
        ({"is_cargo_refund": "no"}, "is_cargo_refund"),
        ({"comment": "why"}, "comment"),
    ],
)
def test_cancel_names_the_wrong_field(api, session, changes, field):
    answer = cancel(api, session, **changes)
    assert answer.status_code == 400
    assert isinstance(answer.json()[field], list)


# Malformed requests --------------------------------------------------------------


def test_malformed_requests_get_a_json_4xx_naming_the_problem(api, session):
    order = f"{api.url}/api/v1/orders/7/"
    answers = {
        404: session.patch(f"{api.url}/api/v1/orderz/7/", json={"is_send": True}, timeout=5),
        405: session.post(order, json={"is_send": True}, timeout=5),
        415: session.patch(order, data="is_send=true", headers={"Content-Type": "text/plain"}, timeout=5),
        400: session.patch(order, data="{not json", headers={"Content-Type": "application/json"}, timeout=5),
    }
    for status, answer in answers.items():
        assert answer.status_code == status
        assert answer.headers["Content-Type"] == "application/json"
        assert answer.json()["detail"]
    assert answers[405].headers["Allow"] == "PATCH"
    assert "orderz" in answers[404].json()["detail"]
    assert "text/plain" in answers[415].json()["detail"]
    a_list = session.patch(order, json=[{"is_send": True}], timeout=5)
    assert a_list.status_code == 400 and "non_field_errors" in a_list.json()


def test_wrong_method_on_login_is_405(api):
    answer = requests.get(f"{api.url}/api/i1/auth/login/", timeout=5)
    assert answer.status_code == 405


# Faults --------------------------------------------------------------------------


def test_fail_next_fails_that_many_calls_then_answers(api, session):
    api.fail_next(2)
    statuses = [mark_sent(api, session).status_code for _ in range(3)]
    assert statuses == [500, 500, 200]
    assert api.calls[-2].body == {"is_send": True}  # a failed call is recorded with what it sent


def test_fail_next_leaves_the_login_alone_and_can_target_a_path(api):
    api.fail_next(1, status=503, body={"detail": "Maintenance"}, headers={"X-Why": "deploy"}, path="/cancel/")
    client = requests.Session()
    client.headers["Authorization"] = f"Token {login(api).json()['key']}"
    assert mark_sent(api, client).status_code == 200
    answer = cancel(api, client)
    assert (answer.status_code, answer.json(), answer.headers["X-Why"]) == (503, {"detail": "Maintenance"}, "deploy")
    assert cancel(api, client).status_code == 200


def test_fail_for_fails_every_call_until_the_time_is_up(api, session):
    api.fail_for(0.4, status=502)
    assert [mark_sent(api, session).status_code for _ in range(3)] == [502, 502, 502]
    assert login(api).status_code == 200
    time.sleep(0.5)
    assert mark_sent(api, session).status_code == 200


def test_expire_keys_gives_401_until_a_new_login(api, session):
    api.expire_keys()
    assert mark_sent(api, session).status_code == 401
    session.headers["Authorization"] = f"Token {login(api).json()['key']}"
    assert mark_sent(api, session).status_code == 200


def test_rate_limit_next_answers_429_with_retry_after(api, session):
    api.rate_limit_next(retry_after=12, count=2)
    for _ in range(2):
        answer = mark_sent(api, session)
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "12"
        assert answer.json() == {"detail": "Request was throttled."}
    assert mark_sent(api, session).status_code == 200


def test_throttle_for_answers_429_with_retry_after_to_every_call_but_the_login_until_the_time_is_up(api, session):
    api.throttle_for(0.4, retry_after=7)
    answers = [mark_sent(api, session) for _ in range(3)]
    assert [(answer.status_code, answer.headers["Retry-After"]) for answer in answers] == [(429, "7")] * 3
    assert answers[0].json() == {"detail": "Request was throttled."}
    assert login(api).status_code == 200
    time.sleep(0.5)
    assert mark_sent(api, session).status_code == 200


def test_throttle_for_refuses_a_retry_after_that_is_not_whole_seconds(api):
    with pytest.raises(ValueError, match="retry_after"):
        api.throttle_for(5, retry_after=2.5)


def test_reject_next_answers_that_body(api, session):
    api.reject_next()
    api.reject_next(body={"orderitem_set": ["Item 9 is cancelled."]}, status=406, path=BULK)
    first = mark_sent(api, session)
    assert (first.status_code, first.json()) == (400, {"non_field_errors": ["Order item 1 not found."]})
    second = bulk(api, session, [{"id": 9, "status": "500"}])
    assert (second.status_code, second.json()) == (406, {"orderitem_set": ["Item 9 is cancelled."]})


def test_faults_are_consumed_in_order(api, session):
    api.rate_limit_next()
    api.fail_next(1)
    assert [mark_sent(api, session).status_code for _ in range(3)] == [429, 500, 200]


def test_hang_next_outlasts_the_client_timeout_and_is_still_recorded(api, session):
    api.hang_next(1.0)
    started = time.monotonic()
    with pytest.raises(requests.Timeout):
        session.patch(f"{api.url}/api/v1/orders/7/", json={"is_send": True}, timeout=0.5)
    assert time.monotonic() - started < 1.0
    calls = api.wait_for_calls(2, timeout=3)  # the login, then the hung call once it answers
    assert (calls[-1].path, calls[-1].status) == ("/api/v1/orders/7/", 200)
    assert mark_sent(api, session, timeout=0.5).status_code == 200


def test_reset_forgets_calls_and_faults_but_not_keys(api, session):
    api.fail_next(5)
    api.fail_for(30)
    api.throttle_for(30)
    api.reset()
    assert api.calls == []
    assert mark_sent(api, session).status_code == 200


# What is recorded ----------------------------------------------------------------


def test_calls_are_recorded_in_order_with_their_answers(api, session):
    login(api, password="wrong")
    mark_sent(api, session, pk=1)
    mark_sent(api, session, pk=2, body={"is_send": False})
    bulk(api, session, [{"id": 3, "status": "450"}])
    calls = api.calls
    assert [(call.method, call.path, call.status) for call in calls] == [
        ("POST", "/api/i1/auth/login/", 200),
        ("POST", "/api/i1/auth/login/", 400),
        ("PATCH", "/api/v1/orders/1/", 200),
        ("PATCH", "/api/v1/orders/2/", 400),
        ("PATCH", BULK, 200),
    ]
    assert [call.at for call in calls] == sorted(call.at for call in calls)
    assert calls[2].headers["Authorization"] == session.headers["Authorization"]
    assert calls[3].body == {"is_send": False}
    assert [call.path for call in api.calls_to("/orders/2/")] == ["/api/v1/orders/2/"]
    assert len(api.calls_to("/api/v1/orders/1/", method="patch", ok_only=True)) == 1
    assert api.calls_to("/api/v1/orders/2/", ok_only=True) == []
    assert [call.status for call in api.logins()] == [200]
    with pytest.raises(AttributeError):
        calls[0].status = 500  # frozen: a record cannot be changed afterwards
    calls.clear()
    assert len(api.calls) == 5  # a copy


def test_the_password_is_in_no_record(api, session):
    login(api, password=PASSWORD + "-wrong")
    mark_sent(api, session)
    text = repr(api.calls) + json.dumps([call.body for call in api.calls])
    assert PASSWORD not in text
    assert api.calls[0].body == {"username": "odoo", "password": "***"}


def test_concurrent_calls_are_all_answered_and_recorded(api, session):
    key = session.headers["Authorization"]
    statuses = []

    def call(pk):
        answer = requests.patch(
            f"{api.url}/api/v1/orders/{pk}/", json={"is_send": True}, headers={"Authorization": key}, timeout=10
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=call, args=(pk,)) for pk in range(1, 21)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 20
    calls = api.calls
    assert len(calls) == 21  # the login, then the 20 calls
    assert sorted(call.path for call in calls[1:]) == sorted(f"/api/v1/orders/{pk}/" for pk in range(1, 21))
    assert {call.status for call in calls} == {200}


def test_stop_closes_the_port():
    server = double.OmnitronApiDouble().start()
    url = server.url
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=1)


def test_the_cli_serves_until_interrupted():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(DOUBLE_PATH), "--port", str(port), "--username", "u", "--password", "p"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert f"127.0.0.1:{port}" in process.stdout.readline()
        answer = requests.post(
            f"http://127.0.0.1:{port}/api/i1/auth/login/", json={"username": "u", "password": "p"}, timeout=5
        )
        assert answer.status_code == 200 and answer.json()["key"]
    finally:
        process.terminate()
        process.wait(5)


# The read side: orders Omnitron holds -----------------------------------------------

LIST = "/api/i1/orders/"


def detail_url(api, pk):
    return f"{api.url}/api/i1/orders_integration/{pk}/detailed_integration/"


def list_orders(api, client, **params):
    return client.get(f"{api.url}{LIST}", params=params, timeout=5)


def an_order(pk, status="400", channel=20, **fields):
    return {"pk": pk, "number": f"N{pk}", "status": status, "channel": {"pk": channel, "name": "Shop"}, **fields}


def test_the_list_pages_unsent_orders_by_ascending_pk_with_drf_links(api, session):
    for pk in (30, 10, 20, *range(100, 122)):
        api.add_order(an_order(pk))
    first = list_orders(api, session, is_send="False", status="400")
    assert first.status_code == 200
    page = first.json()
    assert page["count"] == 25 and page["previous"] is None
    assert [order["pk"] for order in page["results"]] == [10, 20, 30, *range(100, 107)]
    assert page["next"] == f"{api.url}{LIST}?is_send=False&page=2&status=400"
    second = session.get(page["next"], timeout=5).json()
    assert second["previous"] == f"{api.url}{LIST}?is_send=False&status=400"  # DRF drops page=1
    third = session.get(second["next"], timeout=5).json()
    assert [order["pk"] for order in third["results"]] == list(range(117, 122))
    assert third["next"] is None and third["previous"] == f"{api.url}{LIST}?is_send=False&page=2&status=400"


def test_a_list_result_is_a_light_summary_with_the_channel_as_its_pk(api, session, sample):
    api.add_order(sample["payload"])
    (summary,) = list_orders(api, session).json()["results"]
    assert summary == {
        "pk": 31999,
        "number": "202531672482",
        "status": "400",
        "channel": 20,
        "is_send": False,
        "created_date": None,  # the sample's payload carries neither date
        "modified_date": None,
        "amount": "725.26",
    }


@pytest.mark.parametrize(("limit", "size"), [(None, 10), ("50", 50), ("100", 100), ("500", 100), ("0", 10), ("x", 10)])
def test_limit_is_the_page_size_default_10_at_most_100(api, session, limit, size):
    api.seed_orders(150, first_pk=1)
    params = {"limit": limit} if limit else {}
    assert len(list_orders(api, session, **params).json()["results"]) == size


@pytest.mark.parametrize("page", ["4", "0", "-1", "two"])
def test_a_page_that_does_not_exist_is_404_invalid_page(api, session, page):
    api.seed_orders(25, first_pk=1)
    answer = list_orders(api, session, page=page)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Invalid page."})


def test_the_first_page_of_an_empty_list_exists_and_last_names_the_last_page(api, session):
    empty = list_orders(api, session, is_send="False")
    assert empty.json() == {"count": 0, "next": None, "previous": None, "results": []}
    api.seed_orders(25, first_pk=1)
    last = list_orders(api, session, page="last").json()
    assert [order["pk"] for order in last["results"]] == list(range(21, 26)) and last["next"] is None


@pytest.mark.parametrize(("value", "pks"), [("False", [1]), ("false", [1]), ("True", [2]), ("true", [2]), ("", [1, 2])])
def test_is_send_filters_taken_and_untaken_orders(api, session, value, pks):
    api.add_order(an_order(1))
    api.add_order(an_order(2), is_send=True)
    assert [order["pk"] for order in list_orders(api, session, is_send=value).json()["results"]] == pks


def test_an_invalid_is_send_is_400_naming_it(api, session):
    answer = list_orders(api, session, is_send="maybe")
    assert answer.status_code == 400
    assert "maybe" in answer.json()["is_send"][0]


def test_status_filters_by_exact_status(api, session):
    api.add_order(an_order(1, status="400"))
    api.add_order(an_order(2, status="450"))
    api.add_order(an_order(3, status="40"))
    assert [order["pk"] for order in list_orders(api, session, status="400").json()["results"]] == [1]
    assert [order["pk"] for order in list_orders(api, session, status="450").json()["results"]] == [2]
    assert list_orders(api, session, status="999").json()["count"] == 0


def test_unknown_parameters_are_ignored_and_kept_in_the_links(api, session):
    api.seed_orders(11, first_pk=1)
    page = list_orders(api, session, colour="red", ordering="-pk").json()
    assert page["count"] == 11 and page["results"][0]["pk"] == 1
    assert page["next"] == f"{api.url}{LIST}?colour=red&ordering=-pk&page=2"


def test_marking_a_stored_order_sent_takes_it_off_the_unsent_list(api, session):
    api.seed_orders(3, first_pk=1)
    assert mark_sent(api, session, pk=2).json() == {"pk": 2, "is_send": True}
    unsent = list_orders(api, session, is_send="False").json()
    assert [order["pk"] for order in unsent["results"]] == [1, 3]
    assert [order["pk"] for order in list_orders(api, session, is_send="True").json()["results"]] == [2]
    assert api.order(2)["is_send"] is True and api.order(1)["is_send"] is False
    assert mark_sent(api, session, pk=99).json() == {"pk": 99, "is_send": True}  # not stored: answered as before
    assert api.order(99) is None


def test_a_refused_mark_sent_leaves_the_order_unsent(api, session):
    api.seed_orders(1, first_pk=1)
    assert mark_sent(api, session, pk=1, body={"is_send": False}).status_code == 400
    assert api.order(1)["is_send"] is False


def test_the_detail_is_the_stored_payload(api, session, sample):
    api.add_order(sample["payload"])
    answer = session.get(detail_url(api, 31999), timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {**sample["payload"], "is_send": False}
    answer.json()["number"] = "changed"
    assert api.order(31999)["number"] == "202531672482"


def test_an_unknown_detail_is_404_not_found(api, session):
    answer = session.get(detail_url(api, 5), timeout=5)
    assert (answer.status_code, answer.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("body", [{"pk": 1}, [], "oops", None])
def test_corrupt_detail_answers_that_body(api, session, body):
    api.seed_orders(1, first_pk=1)
    api.corrupt_detail(1, body)
    answer = session.get(detail_url(api, 1), timeout=5)
    assert (answer.status_code, answer.json()) == (200, body)
    assert list_orders(api, session).json()["count"] == 1  # the list still shows it


@pytest.mark.parametrize("url", ["{url}/api/i1/orders/", "{url}/api/i1/orders_integration/1/detailed_integration/"])
def test_the_reads_need_a_valid_token_and_only_get(api, session, url):
    api.seed_orders(1, first_pk=1)
    url = url.format(url=api.url)
    assert requests.get(url, timeout=5).status_code == 401
    assert requests.get(url, headers={"Authorization": "Token nope"}, timeout=5).status_code == 401
    api.expire_keys()
    assert session.get(url, timeout=5).status_code == 401
    session.headers["Authorization"] = f"Token {login(api).json()['key']}"
    assert session.get(url, timeout=5).status_code == 200
    refused = session.post(url, json={}, timeout=5)
    assert (refused.status_code, refused.headers["Allow"]) == (405, "GET")


def test_the_reads_are_recorded_with_their_query(api, session):
    api.seed_orders(2, first_pk=1)
    list_orders(api, session, is_send="False", page="1")
    session.get(detail_url(api, 1), timeout=5)
    session.get(detail_url(api, 7), timeout=5)
    reads = [call for call in api.calls if call.method == "GET"]
    assert [(call.path, call.query, call.status, call.body) for call in reads] == [
        (LIST, "is_send=False&page=1", 200, None),
        ("/api/i1/orders_integration/1/detailed_integration/", "", 200, None),
        ("/api/i1/orders_integration/7/detailed_integration/", "", 404, None),
    ]
    detail = r"/api/i1/orders_integration/\d+/detailed_integration/"
    assert api.count_calls("GET", detail) == 2 and api.count_calls("get", detail, ok_only=True) == 1
    assert api.count_calls("GET", LIST) == 1 and api.count_calls("PATCH", LIST) == 0


def test_faults_apply_to_the_reads_and_can_target_them(api, session):
    api.seed_orders(1, first_pk=1)
    api.fail_next(1, status=503, path=LIST)
    api.rate_limit_next(retry_after=5)
    mark = mark_sent(api, session, pk=1)
    assert mark.status_code == 429  # the 429 is for any path, the 503 only for the list
    assert list_orders(api, session).status_code == 503
    assert list_orders(api, session).status_code == 200
    api.fail_next(1, path="/detailed_integration/")
    assert session.get(detail_url(api, 1), timeout=5).status_code == 500
    api.fail_for(0.3, status=502)
    assert list_orders(api, session).status_code == 502
    time.sleep(0.4)
    assert list_orders(api, session).status_code == 200


def test_a_hang_on_the_list_outlasts_the_client_timeout(api, session):
    api.hang_next(1.0, path=LIST)
    assert mark_sent(api, session).status_code == 200  # the hang waits for the list
    with pytest.raises(requests.Timeout):
        session.get(f"{api.url}{LIST}", timeout=0.3)
    calls = api.wait_for_calls(3, timeout=3)  # the login, the PATCH, then the hung list once it answers
    assert (calls[-1].path, calls[-1].status) == (LIST, 200)


def test_add_order_needs_a_pk_number_status_and_channel(api):
    for broken, words in [
        ([], "dict"),
        (an_order(0), "pk"),
        ({**an_order(1), "pk": True}, "pk"),
        ({**an_order(1), "number": None}, "number"),
        ({**an_order(1), "status": 400}, "status"),
        ({**an_order(1), "channel": {"name": "x"}}, "channel"),
    ]:
        with pytest.raises(ValueError, match=words):
            api.add_order(broken)
    assert api.orders == {}


def test_add_order_keeps_a_copy_and_adding_a_pk_again_replaces_it(api):
    payload = an_order(5, channel=3)
    api.add_order(payload, is_send=True)
    payload["number"] = "mutated"
    assert api.order(5) == {**an_order(5, channel=3), "is_send": True}
    api.add_order(an_order(5, status="450"))
    assert list(api.orders) == [5] and api.order(5)["status"] == "450" and api.order(5)["is_send"] is False


def test_seed_orders_makes_distinct_orders_from_the_sample(api, sample):
    pks = api.seed_orders(3, first_pk=7, status="450")
    assert pks == [7, 8, 9]
    orders = api.orders
    assert [order["number"] for order in orders.values()] == [f"{sample['payload']['number']}-{n}" for n in (1, 2, 3)]
    item_pks = [item["pk"] for order in orders.values() for item in order["orderitem_set"]]
    assert len(set(item_pks)) == len(item_pks)
    assert {order["status"] for order in orders.values()} == {"450"}
    assert api.seed_orders(1) == [sample["payload"]["pk"]]


def test_reset_forgets_the_stored_orders(api):
    api.seed_orders(2, first_pk=1)
    api.corrupt_detail(1, [])
    api.reset()
    assert api.orders == {} and api.order(1) is None


def test_the_cli_can_seed_orders():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, str(DOUBLE_PATH), "--port", str(port), "--orders", "12"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert "12 orders" in process.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        key = requests.post(f"{url}/api/i1/auth/login/", json={"username": "odoo", "password": "s3cret"}, timeout=5)
        headers = {"Authorization": f"Token {key.json()['key']}"}
        page = requests.get(f"{url}{LIST}?is_send=False&status=400&limit=50", headers=headers, timeout=5).json()
        assert page["count"] == 12 and [order["pk"] for order in page["results"]] == list(range(1, 13))
    finally:
        process.terminate()
        process.wait(5)


# -- the other shapes Akinon documents ---------------------------------------------

ITEMS = "/api/i1/order_item/detailed_integration/"


def test_a_detail_without_items_leaves_them_to_the_items_endpoint_paged(api, session, sample):
    api.items_apart = True
    payload = sample["payload"]
    payload["orderitem_set"] = [dict(payload["orderitem_set"][0], pk=pk) for pk in range(1, 13)]
    api.add_order(payload)
    detail = session.get(detail_url(api, 31999), timeout=5).json()
    assert "orderitem_set" not in detail and detail["number"] == "202531672482"
    first = session.get(f"{api.url}{ITEMS}", params={"order": 31999, "limit": 10}, timeout=5).json()
    assert first["count"] == 12 and [item["pk"] for item in first["results"]] == list(range(1, 11))
    assert {item["order"] for item in first["results"]} == {31999}
    second = session.get(f"{api.url}{ITEMS}", params={"order": 31999, "limit": 10, "page": 2}, timeout=5).json()
    assert [item["pk"] for item in second["results"]] == [11, 12] and second["next"] is None
    assert session.get(f"{api.url}{ITEMS}", params={"order": "x"}, timeout=5).status_code == 400


def test_next_names_the_host_it_is_told_and_counting_pages_still_reads_them(api, session):
    api.next_host = "omnitron-internal.proxy:8080"
    for pk in range(1, 13):
        api.add_order(an_order(pk))
    page = list_orders(api, session, is_send="False", page="1").json()
    assert page["next"].startswith("http://omnitron-internal.proxy:8080/api/i1/orders/?")
    assert [o["pk"] for o in list_orders(api, session, is_send="False", page="2").json()["results"]] == [11, 12]


def test_a_cancel_makes_a_cancellation_plan_naming_its_items(api, session):
    api.add_order(an_order(7, orderitem_set=[{"pk": 71}, {"pk": 72}]))
    assert cancel(api, session, is_all=False, cancel_items=[72], reasons={"72": 3}).status_code == 200
    assert cancel(api, session, is_all=False, cancel_items=[71], reasons={"71": 3}, is_cargo_refund=True).ok
    cancelled, refunded = api.plans
    assert cancelled["event"]["type"] == "cancellation_plan.created"
    assert (cancelled["payload"]["plan_type"], refunded["payload"]["plan_type"]) == ("cancel", "refund")
    assert cancelled["payload"]["order"]["pk"] == 7 and cancelled["payload"]["order"]["status"] == "50"
    assert [entry["order_item"]["pk"] for entry in cancelled["payload"]["cancellationplanorderitem_set"]] == [72]


# Product prices (a.4) ---------------------------------------------------------
PRICE = {
    "product_sku": "MUG-1",
    "price_list": 3,
    "price": "108.00",
    "retail_price": "120.00",
    "tax_rate": "20.00",
    "currency_type": "try",
}


def test_a_product_price_is_created_then_updated_once_per_sku_and_price_list_and_read_by_sku(api, session):
    assert session.post(f"{api.url}/api/i1/product_price/", json=PRICE, timeout=5).status_code == 200
    answer = session.post(f"{api.url}/api/i1/product_price/", json={**PRICE, "retail_price": None}, timeout=5)
    assert answer.status_code == 200
    assert api.prices(3) == {"MUG-1": ("108.00", None, "20.00", "try")}
    page = session.get(f"{api.url}/api/i1/product_price/?price_list=3&limit=10&page=1", timeout=5).json()
    assert page["count"] == 1
    assert page["results"][0]["product"] == "MUG-1", "i1 names the product by its SKU"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": "1.234"}, "price"),
        ({"price": -1}, "price"),
        ({"tax_rate": None}, "tax_rate"),
        ({"currency_type": "TRY"}, "currency_type"),
        ({"price_list": 0}, "price_list"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_product_price_omnitron_would_refuse_is_refused_naming_the_field(api, session, change, field):
    answer = session.post(f"{api.url}/api/i1/product_price/", json={**PRICE, **change}, timeout=5)
    assert answer.status_code == 400
    assert field in answer.json()


def test_a_price_for_a_sku_omnitron_does_not_know_is_refused_naming_product_sku(api, session):
    api.unknown_skus.add("MUG-1")
    answer = session.post(f"{api.url}/api/i1/product_price/", json=PRICE, timeout=5)
    assert (answer.status_code, list(answer.json())) == (400, ["product_sku"])
