from decimal import Decimal

import pytest

from omnitron_order_webhook.core import const, mapping, responses, taxes, tokens
from omnitron_order_webhook.core.validation import parse_webhook_call


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("50", "draft"),
        ("100", "cancel"),
        ("200", "draft"),
        ("300", "draft"),
        ("350", "draft"),
        ("400", "sale"),
        ("546", "draft"),
        ("547", "sale"),
        ("550", "sale"),
        ("600", "cancel"),
    ],
)
def test_order_state_follows_the_status_table(status, state):
    assert mapping.order_state(status) == state


def test_status_table_confirms_from_400_except_the_unpaid_trade_in_and_cancels_100_and_600():
    for code, (_name, state) in const.ORDER_STATUSES.items():
        confirms = int(code) >= 400 and code != "546"
        expected = "cancel" if code in ("100", "600") else ("sale" if confirms else "draft")
        assert state == expected, code


def test_every_status_of_the_table_has_one_rank():
    assert set(const.STATUS_RANKS) == set(const.ORDER_STATUSES)
    assert len(set(const.STATUS_RANKS.values())) == len(const.STATUS_RANKS)


def test_sample_total_is_items_plus_shipping(sample):
    order = parse_webhook_call(sample).order
    assert sum(item.price for item in order.items) + order.shipping_amount == order.amount == Decimal("725.26")


@pytest.mark.parametrize(
    ("computed", "mismatch"),
    [(725.26, False), (725.264, False), (725.265, False), (725.27, True), (725.2551, False), (725.25, True)],
)
def test_amount_mismatch_tolerates_half_the_rounding(sample, computed, mismatch):
    order = parse_webhook_call(sample).order
    sentence = mapping.amount_mismatch(computed, order, 0.01)
    assert (sentence is not None) == mismatch
    if mismatch:
        assert "725.26 TRY" in sentence


def test_identical_addresses_share_a_key_and_different_ones_do_not(sample):
    order = parse_webhook_call(sample).order
    billing = mapping.address_values(order.billing_address, "invoice", "x")
    billing_again = mapping.address_values(order.billing_address, "invoice", "x")
    shipping = mapping.address_values(order.shipping_address, "delivery", "x")
    assert billing["omnitron_address_key"] == billing_again["omnitron_address_key"]
    assert billing["omnitron_address_key"] != shipping["omnitron_address_key"], "type is part of the content"
    sample["payload"]["billing_address"]["line"] = "Another street 1"
    moved = mapping.address_values(parse_webhook_call(sample).order.billing_address, "invoice", "x")
    assert moved["omnitron_address_key"] != billing["omnitron_address_key"]


def test_address_values_keep_turkish_address_parts(sample):
    sample["payload"]["billing_address"].update(district="Moda", tax_office="Kadıköy", company_name="ACME A.Ş.")
    values = mapping.address_values(parse_webhook_call(sample).order.billing_address, "invoice", "x")
    assert values["street"] == "Viale Edoardo Jenner"
    assert values["street2"] == "Moda, CENTRUM"
    assert (values["city"], values["zip"], values["omnitron_tax_number"]) == ("MILANO", "50000", "18283150626")
    assert (values["omnitron_tax_office"], values["company_name"]) == ("Kadıköy", "ACME A.Ş.")


def test_customer_without_names_gets_a_readable_fallback(sample):
    sample["payload"]["customer"].update(first_name=None, last_name="")
    values = mapping.customer_values(parse_webhook_call(sample).order)
    assert values["name"] == "Omnitron customer 23401"


@pytest.mark.parametrize(("rate", "text"), [(Decimal("8.00"), "8"), (Decimal("0.5"), "0.5"), (Decimal("18"), "18")])
def test_rates_are_written_as_people_write_them(rate, text):
    assert taxes.format_rate(rate) == text


def test_tax_rates_skip_zero_and_null_and_include_shipping(sample):
    sample["payload"]["shipping_tax_rate"] = "20"
    sample["payload"]["orderitem_set"].append({**sample["payload"]["orderitem_set"][0], "pk": 2, "tax_rate": None})
    sample["payload"]["orderitem_set"].append({**sample["payload"]["orderitem_set"][0], "pk": 3, "tax_rate": "0"})
    assert mapping.tax_rates(parse_webhook_call(sample).order) == [Decimal("8.00"), Decimal("20")]


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Token abcdefghijklmnop0123", "abcdefghijklmnop0123"),
        ("token abcdefghijklmnop0123", "abcdefghijklmnop0123"),
        ("TOKEN   abcdefghijklmnop0123  ", "abcdefghijklmnop0123"),
        ("Bearer abcdefghijklmnop0123", None),
        ("Token", None),
        ("Token short", None),
        ("Token abc def ghi jkl mno pqr", None),
        ("", None),
        (None, None),
    ],
)
def test_token_header_parsing(header, token):
    assert responses.token_from_header(header) == token


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        (None, True),
        ("", True),
        ("*/*", True),
        ("application/json", True),
        ("application/*", True),
        ("text/html, application/json;q=0.5", True),
        ("text/html", False),
        ("application/xml", False),
        ("application/json;q=0", False),
    ],
)
def test_accept_header_admits_json_or_anything(accept, ok):
    assert responses.accepts_json(accept) is ok


def test_invalid_payload_answer_names_every_field(sample):
    del sample["payload"]["number"]
    sample["payload"]["amount"] = "x"
    from omnitron_order_webhook.core.validation import InvalidPayload

    with pytest.raises(InvalidPayload) as caught:
        parse_webhook_call(sample)
    outcome = responses.invalid_payload(caught.value.errors)
    assert outcome.status == 400 and outcome.body["error"] == "invalid_payload"
    assert {e["path"] for e in outcome.body["errors"]} == {"payload.number", "payload.amount"}
    assert "payload.number" in outcome.body["detail"] and "payload.amount" in outcome.body["detail"]


def test_new_tokens_are_long_random_and_only_match_themselves():
    token, index, digest = tokens.new_token()
    other, _, _ = tokens.new_token()
    assert len(token) >= 43 and token != other
    assert index == token[: tokens.INDEX_SIZE]
    assert tokens.matches(token, digest)
    assert not tokens.matches(other, digest)
    assert token not in digest
