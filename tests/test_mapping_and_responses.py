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


def turkish_billing_address(sample, city="İSTANBUL", township="KADIKÖY", district="Caferağa Mah."):
    address = sample["payload"]["billing_address"]
    address["country"].update(code="tr", name="Türkiye")
    address["city"]["name"] = city
    address["township"] = dict(address["township"], name=township) if township else None
    address["district"] = district
    return parse_webhook_call(sample).order.billing_address


TURKISH_STATES = {"İstanbul": 34, "Ankara": 6, "Şanlıurfa": 63, "Isparta": 32, "Iğdır": 76}


@pytest.mark.parametrize(
    "city, state_id",
    [
        ("İSTANBUL", 34),
        ("istanbul", 34),
        ("ISTANBUL", 34),
        ("ŞANLIURFA", 63),
        ("SANLIURFA", 63),
        ("ISPARTA", 32),
        ("IĞDIR", 76),
        (" Ankara ", 6),
        ("MILANO", None),
        ("", None),
    ],
)
def test_a_turkish_city_is_found_among_the_provinces_whatever_its_case_and_dots(city, state_id):
    assert mapping.turkish_province(city, TURKISH_STATES) == state_id


def test_a_turkish_address_is_laid_out_as_odoo_writes_one_province_district_neighbourhood(sample):
    address = turkish_billing_address(sample)
    values = mapping.address_values(address, "invoice", "x")
    laid_out = mapping.turkish_address_layout(values, address, TURKISH_STATES)
    # Odoo's Turkish format: street / street2 / city state zip; e-Arşiv's CityName is
    # the state (il), its CitySubdivisionName the city (ilçe).
    assert (laid_out["state_id"], laid_out["city"], laid_out["street2"]) == (34, "KADIKÖY", "Caferağa Mah.")
    assert laid_out["omnitron_address_key"] == values["omnitron_address_key"], "the key is Omnitron's content"
    assert values["city"] == "İSTANBUL", "the values given are not changed"


def test_a_turkish_address_without_a_known_province_or_township_keeps_omnitrons_city(sample):
    unknown = turkish_billing_address(sample, city="ATLANTIS")
    values = mapping.address_values(unknown, "invoice", "x")
    assert mapping.turkish_address_layout(values, unknown, TURKISH_STATES) == values
    without_township = turkish_billing_address(sample, township=None, district=None)
    values = mapping.address_values(without_township, "invoice", "x")
    laid_out = mapping.turkish_address_layout(values, without_township, TURKISH_STATES)
    assert (laid_out["state_id"], laid_out["city"], laid_out["street2"]) == (34, "İSTANBUL", False)


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


def test_shipping_without_a_rate_takes_the_carriers_rate_and_omnitrons_rate_wins_when_sent(sample):
    order = parse_webhook_call(sample).order  # shipping_tax_rate is null in the sample
    assert mapping.shipping_tax_rate(order, Decimal("20")) == Decimal("20")
    assert mapping.tax_rates(order, Decimal("20")) == [Decimal("8.00"), Decimal("20")]
    assert mapping.shipping_tax_rate(order, None) is None
    assert mapping.tax_rates(order, None) == [Decimal("8.00")]
    sample["payload"]["shipping_tax_rate"] = "10"
    order = parse_webhook_call(sample).order
    assert mapping.shipping_tax_rate(order, Decimal("20")) == Decimal("10")


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


def test_a_person_without_a_tax_number_is_known_by_the_tckn(sample):
    sample["payload"]["billing_address"].update(tax_no=None, identity_number="10000000146")
    order = parse_webhook_call(sample).order
    assert mapping.customer_tax_number(order) == "10000000146"
    sample["payload"]["billing_address"]["tax_no"] = "1234567890"
    assert mapping.customer_tax_number(parse_webhook_call(sample).order) == "1234567890", "the VKN first"


@pytest.mark.parametrize(("taxpayer", "status"), [(False, "earchive"), (True, None), (None, None)])
def test_omnitrons_e_invoice_word_becomes_nilveras_status_only_for_e_archive(sample, taxpayer, status):
    sample["payload"]["billing_address"]["e_bill_taxpayer"] = taxpayer
    assert mapping.nilvera_status(parse_webhook_call(sample).order.billing_address) == status


def test_the_promotions_and_the_note_are_kept_on_the_order(sample):
    sample["payload"].update(notes="Zili çalmayın", discountitem_set=[{"name": "Sepette %10", "amount": "12.50"}])
    values = mapping.order_values(parse_webhook_call(sample).order)
    assert values["omnitron_notes"] == "Zili çalmayın"
    assert values["omnitron_discounts"] == "Sepette %10: 12.50 TRY"
    assert values["omnitron_delivery_start"] is False


def test_the_mapping_modules_doctests_hold():
    import doctest

    assert doctest.testmod(mapping).failed == 0
