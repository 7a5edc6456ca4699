"""core/catch_up.py: what the catch-up pull decides without a database or a network.

Walking Omnitron's pages over HTTP with the real client is proven in
tests/test_omnitron_api_client.py ("Pulling orders"), against the contract double.
"""

import dataclasses
import doctest
import re

import pytest

from omnitron_order_webhook.core import catch_up, const, validation
from omnitron_order_webhook.core.catch_up import Page, PullTally, detail_call, parse_statuses, read_page


def test_the_modules_doctests_hold():
    assert doctest.testmod(catch_up).failed == 0


def test_the_limits_of_a_run():
    assert (catch_up.PAGE_SIZE, catch_up.MAX_PAGES) == (50, 20)
    # Akinon's ERP flow lists what is unsent and not cancelled: every status from approved on.
    defaults = parse_statuses(catch_up.DEFAULT_STATUSES)
    assert defaults == ("400", "450", "500", "510", "520", "540", "544", "545", "547", "550")
    assert all(const.ORDER_STATUSES[code][1] == "sale" for code in defaults)
    assert {code for code, (_name, state) in const.ORDER_STATUSES.items() if state == "sale"} == set(defaults)


# Statuses ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "statuses"),
    [
        ("400", ("400",)),
        ("400,450", ("400", "450")),
        (" 450 , 400 ", ("450", "400")),  # in the order given
        ("400 450\t500\n", ("400", "450", "500")),
        ("400, 400,450", ("400", "450")),  # once each
        (",".join(const.ORDER_STATUSES), tuple(const.ORDER_STATUSES)),
    ],
)
def test_parse_statuses_reads_codes_separated_by_commas_or_spaces(text, statuses):
    assert parse_statuses(text) == statuses


@pytest.mark.parametrize("text", ["", "   ", ",, ,", None])
def test_parse_statuses_needs_at_least_one_status(text):
    with pytest.raises(ValueError, match="at least one status"):
        parse_statuses(text)


@pytest.mark.parametrize(("text", "bad"), [("400,42", "'42'"), ("approved", "'approved'"), ("400;450", "'400;450'")])
def test_parse_statuses_names_a_code_omnitron_does_not_have(text, bad):
    with pytest.raises(ValueError) as caught:
        parse_statuses(text)
    assert bad in str(caught.value) and "not an Omnitron order status" in str(caught.value)
    assert "400, 450" in str(caught.value)  # the known codes are listed


# Paths -------------------------------------------------------------------------------


def test_list_path_asks_for_unsent_orders_at_a_status_page_by_page():
    assert catch_up.list_path("450", 3, limit=10) == "/api/i1/orders/?is_send=False&status=450&limit=10&page=3"
    assert catch_up.list_path("400", 1) == "/api/i1/orders/?is_send=False&status=400&limit=50&page=1"


def test_detail_path_names_the_order():
    assert catch_up.detail_path(7) == "/api/i1/orders_integration/7/detailed_integration/"


# Pages -------------------------------------------------------------------------------


def test_read_page_keeps_the_pks_in_order_the_next_url_and_the_count():
    document = {
        "count": 60,
        "next": "http://o.example.com/api/i1/orders/?page=2",
        "previous": None,
        "results": [{"pk": 9, "number": "A"}, {"pk": 3, "extra": {"nested": True}}],
    }
    page = read_page(document)
    assert (page.pks, page.has_next, page.count) == ((9, 3), True, 60)


def test_read_page_of_an_empty_last_page_without_a_count():
    assert read_page({"results": []}) == Page(pks=(), has_next=False, count=None)


def test_a_page_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        read_page({"results": []}).has_next = True


def test_a_summary_says_its_status_channel_and_date_in_whatever_shape_and_odd_ones_are_unsaid():
    page = read_page(
        {
            "results": [
                {"pk": 1, "status": "450", "channel": 20, "modified_date": "2026-12-07T10:00:00Z"},
                {"pk": 2, "status": 500, "channel": {"pk": 21, "name": "Trendyol"}},
                {"pk": 3, "status": {"code": "400"}, "channel": "web", "modified_date": 5},
            ]
        }
    )
    assert page.orders == (
        catch_up.Listed(1, "450", 20, "2026-12-07T10:00:00Z"),
        catch_up.Listed(2, "500", 21),
        catch_up.Listed(3),
    )


# What is not fetched ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("listed", "reason"),
    [
        (catch_up.Listed(9, "400", 20), None),
        (catch_up.Listed(9, "550", 20), None),
        (catch_up.Listed(9), None),  # a summary that says nothing: the detail decides
        (catch_up.Listed(9, "100", 20), "status"),
        (catch_up.Listed(9, "600", 20), "status"),
        (catch_up.Listed(9, "200", 20), "status"),
        (catch_up.Listed(9, "400", 22), "channel_not_allowed"),
        (catch_up.Listed(9, "400", 23), "channel_not_allowed"),
        (catch_up.Listed(4, "400", 20), "below_min_omnitron_id"),
    ],
)
def test_what_the_summary_says_settles_whether_the_detail_is_fetched(listed, reason):
    statuses = parse_statuses(catch_up.DEFAULT_STATUSES)
    assert catch_up.skip_reason(listed, statuses, frozenset({20, 23}), frozenset({23}), min_pk=5) == reason


# An order's items read apart from its detail ------------------------------------------


def test_items_path_pages_the_items_of_one_order():
    assert catch_up.items_path(31999, 1) == "/api/i1/order_item/detailed_integration/?order=31999&limit=50&page=1"


def test_a_detail_without_items_takes_the_items_read_apart(sample):
    detail = {key: value for key, value in sample["payload"].items() if key != "orderitem_set"}
    assert catch_up.needs_items(detail) and not catch_up.needs_items(sample["payload"])
    items, has_next, count = catch_up.read_items_page(
        {"count": 1, "next": None, "results": [{**sample["payload"]["orderitem_set"][0], "order": 31999}]}, 31999
    )
    assert (has_next, count) == (False, 1)
    payload = catch_up.with_items(detail, items, count)
    assert validation.parse_webhook_call({"event": {"type": "order.created", "uuid": "u"}, "payload": payload})
    assert "order" not in payload["orderitem_set"][0]


@pytest.mark.parametrize(
    ("document", "path", "words"),
    [
        ([], "payload.orderitem_set", "answered a list, not a page of items"),
        ({"detail": "x"}, "payload.orderitem_set", "an object without a results list"),
        ({"results": [7]}, "payload.orderitem_set[0]", "must be an object"),
        ({"results": [{"pk": 1, "order": 32000}]}, "payload.orderitem_set[0].order", "not the listed 31999"),
        ({"results": [{"pk": 1, "order": {"pk": 32000}}]}, "payload.orderitem_set[0].order", "32000"),
        ({"results": [], "count": -1}, "payload.orderitem_set", "count must be a whole number"),
    ],
)
def test_an_items_answer_that_is_not_this_orders_items_is_refused_naming_its_path(document, path, words):
    with pytest.raises(validation.InvalidPayload) as refused:
        catch_up.read_items_page(document, 31999)
    assert any(error.path == path and words in error.message for error in refused.value.errors), refused.value


def test_more_items_than_the_items_endpoint_counted_are_refused(sample):
    item = sample["payload"]["orderitem_set"][0]
    with pytest.raises(validation.InvalidPayload, match="answered 3 items; its count said 2"):
        catch_up.with_items({"pk": 1}, (item, item, item), count=2)


def test_a_detail_naming_another_order_than_the_listed_one_is_refused():
    (error,) = catch_up.identity_errors({"pk": 32000}, 31999)
    assert (error.path, error.message) == ("payload.pk", "names order 32000, not the listed 31999")


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ([{"pk": 1}], "the answer must be an object, not a list"),
        ("oops", "the answer must be an object, not a string"),
        (None, "the answer must be an object, not null"),
        ({"count": 1}, "results is missing"),
        ({"results": {"pk": 1}}, "results must be a list, not an object"),
        ({"results": None}, "results must be a list, not null"),
        ({"results": [{"pk": 1}, 7]}, "results[1] must be an object, not a number"),
        ({"results": [{"pk": 1}, True]}, "results[1] must be an object, not a boolean"),
        ({"results": [{"number": "A"}]}, "results[0].pk must be a positive integer, not None"),
        ({"results": [{"pk": "7"}]}, "results[0].pk must be a positive integer, not '7'"),
        ({"results": [{"pk": True}]}, "results[0].pk must be a positive integer, not True"),
        ({"results": [{"pk": 0}]}, "results[0].pk must be a positive integer, not 0"),
        ({"results": [{"pk": 1.0}]}, "results[0].pk must be a positive integer, not 1.0"),
        ({"results": [], "next": 2}, "next must be a URL or null, not 2"),
        ({"results": [], "next": ""}, "next must be a URL or null, not ''"),
        ({"results": [], "count": "60"}, "count must be a whole number or null, not '60'"),
        ({"results": [], "count": -1}, "count must be a whole number or null, not -1"),
    ],
)
def test_read_page_names_what_makes_an_answer_not_a_page(document, words):
    with pytest.raises(ValueError) as caught:
        read_page(document)
    assert str(caught.value) == f"Omnitron's orders list is not a page: {words}"


# The tally ---------------------------------------------------------------------------


def test_the_tally_starts_at_zero_and_says_so_in_one_line():
    tally = PullTally()
    assert (tally.listed, tally.imported, tally.already, tally.refused, tally.failed, tally.pages) == (0,) * 6
    assert tally.more_left is False
    assert tally.summary() == "listed 0, imported 0, already there 0, refused 0, failed 0"


def test_the_tally_counts_and_says_when_more_is_left_for_the_next_run():
    tally = PullTally()
    tally.listed += 60
    tally.imported += 57
    tally.already += 1
    tally.refused += 1
    tally.failed += 1
    tally.pages = catch_up.MAX_PAGES
    tally.more_left = True
    assert tally.summary() == (
        "listed 60, imported 57, already there 1, refused 1, failed 1; more left for the next run"
    )
    assert "\n" not in tally.summary()


# A pulled detail as a webhook call --------------------------------------------------

_HEX32 = re.compile(r"[0-9a-f]{32}")


def test_detail_call_wraps_the_payload_in_a_webhook_envelope(sample):
    payload = sample["payload"]
    call = detail_call(payload, account_key=3, pk=payload["pk"])
    assert set(call) == {"event", "payload"} and call["payload"] is payload
    assert call["event"]["type"] == "order.created"
    assert _HEX32.fullmatch(call["event"]["uuid"])


def test_detail_call_parses_as_the_webhook_body_would(sample):
    call = validation.parse_webhook_call(detail_call(sample["payload"], account_key=3, pk=31999))
    assert (call.order.pk, call.order.number, call.event_type) == (31999, "202531672482", "order.created")


def test_detail_call_uuid_is_deterministic_per_account_order_and_modified_date(sample):
    payload = {**sample["payload"], "modified_date": "2024-05-02T10:00:00.000001Z"}

    def uuid_of(document=payload, account_key=3, pk=31999):
        return detail_call(document, account_key=account_key, pk=pk)["event"]["uuid"]

    assert uuid_of() == uuid_of() == uuid_of({**payload, "number": "changed"})
    assert uuid_of() == catch_up.event_uuid(3, 31999, "2024-05-02T10:00:00.000001Z")
    others = {
        uuid_of(account_key=4),
        uuid_of(pk=32000),
        uuid_of({**payload, "modified_date": "2024-05-02T10:00:01Z"}),
        uuid_of(sample["payload"]),  # no modified_date
    }
    assert uuid_of() not in others and len(others) == 4


def test_detail_call_uuid_does_not_let_its_parts_run_together():
    assert catch_up.event_uuid("1", 23) != catch_up.event_uuid("12", 3)


@pytest.mark.parametrize("payload", [None, [], "oops", 7, {"pk": 5}])
def test_detail_call_wraps_anything_and_validation_refuses_it_naming_paths(payload):
    call = detail_call(payload, account_key=1, pk=5)
    assert call["payload"] == payload and _HEX32.fullmatch(call["event"]["uuid"])
    with pytest.raises(validation.InvalidPayload) as caught:
        validation.parse_webhook_call(call)
    assert caught.value.errors and all(error.path.startswith("payload") for error in caught.value.errors)


def test_an_odd_modified_date_still_gives_a_uuid():
    for modified_date in ({"at": 1}, ["x"], None, 1714644000):
        call = detail_call({"pk": 5, "modified_date": modified_date}, account_key="a", pk=5)
        assert _HEX32.fullmatch(call["event"]["uuid"])
