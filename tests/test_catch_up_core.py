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
    assert (catch_up.PAGE_SIZE, catch_up.MAX_PAGES, catch_up.DEFAULT_STATUSES) == (50, 20, "400")
    assert parse_statuses(catch_up.DEFAULT_STATUSES) == ("400",)


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
    assert read_page(document) == Page(pks=(9, 3), next_url="http://o.example.com/api/i1/orders/?page=2", count=60)


def test_read_page_of_an_empty_last_page_without_a_count():
    assert read_page({"results": []}) == Page(pks=(), next_url=None, count=None)


def test_a_page_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        read_page({"results": []}).next_url = "http://elsewhere/"


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
