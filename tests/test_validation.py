from datetime import datetime
from decimal import Decimal

import pytest

from omnitron_order_webhook.core import privacy, validation
from omnitron_order_webhook.core.validation import InvalidJson, InvalidPayload, decode_json, parse_webhook_call


def error_paths(document):
    with pytest.raises(InvalidPayload) as caught:
        parse_webhook_call(document)
    return {error.path: error.message for error in caught.value.errors}


def test_sample_parses_into_typed_order(sample):
    delivery = parse_webhook_call(sample)
    order = delivery.order
    assert delivery.event_uuid == "fc2ba32ba6da4c948c71c6adcf6396db"
    assert delivery.event_type == "order.updated"
    assert (order.pk, order.number, order.channel.pk) == (31999, "202531672482", 20)
    assert order.channel.name == "Lacoste N11" and order.channel.channel_type == "n11"
    assert order.currency == "TRY"
    assert order.amount == Decimal("725.26") and order.shipping_amount == Decimal("6.34")
    assert order.shipping_tax_rate is None
    assert order.status == "400" and order.status_name == "approved"
    assert order.cargo_company.shipping_company == "yurtici"
    assert order.cargo_company.erp_code == "yurtici_kargo"
    assert order.billing_address.country_code == "IT" and order.billing_address.city == "MILANO"
    assert order.shipping_address.township == "CENTRUM"
    assert order.has_gift_box is True and order.delivery_type == "same_day"
    (item,) = order.items
    assert (item.pk, item.product.sku, item.price, item.tax_rate) == (
        48161,
        "3169177",
        Decimal("718.92"),
        Decimal("8.00"),
    )
    assert item.invoice_date == datetime(2018, 10, 30, 12, 11, 53)


def test_dates_with_spaces_after_colons_are_accepted(sample):
    order = parse_webhook_call(sample).order
    assert order.date_placed == datetime(2018, 10, 27, 18, 55, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2018-10-27T18:55:01Z", datetime(2018, 10, 27, 18, 55, 1)),
        ("2018-10-27T18: 55: 01.000001Z", datetime(2018, 10, 27, 18, 55, 1)),
        ("2018-10-27T21:55:01+03:00", datetime(2018, 10, 27, 18, 55, 1)),
        ("2018-10-27", datetime(2018, 10, 27)),
        ("27/10/2018", None),
        ("", None),
    ],
)
def test_parse_datetime_returns_naive_utc_or_none(text, expected):
    assert validation.parse_datetime(text) == expected


@pytest.mark.parametrize(
    "path",
    [
        ("event",),
        ("event", "uuid"),
        ("payload",),
        ("payload", "pk"),
        ("payload", "number"),
        ("payload", "channel"),
        ("payload", "channel", "pk"),
        ("payload", "status"),
        ("payload", "date_placed"),
        ("payload", "customer"),
        ("payload", "customer", "pk"),
        ("payload", "billing_address"),
        ("payload", "shipping_address", "country"),
        ("payload", "currency"),
        ("payload", "amount"),
        ("payload", "shipping_amount"),
        ("payload", "orderitem_set"),
        ("payload", "cargo_company"),
        ("payload", "cargo_company", "erp_code"),
        ("payload", "cargo_company", "shipping_company"),
    ],
)
def test_each_required_field_missing_is_named(sample, path):
    parent = sample
    for key in path[:-1]:
        parent = parent[key]
    del parent[path[-1]]
    assert ".".join(path) in error_paths(sample)


@pytest.mark.parametrize(
    ("mutate", "path", "words"),
    [
        (lambda s: s["payload"].update(pk="31999"), "payload.pk", "integer"),
        (lambda s: s["payload"].update(pk=True), "payload.pk", "integer"),
        (lambda s: s["payload"].update(pk=2**40), "payload.pk", "between"),
        (lambda s: s["payload"].update(amount="12,50"), "payload.amount", "decimal"),
        (lambda s: s["payload"].update(amount="NaN"), "payload.amount", "finite"),
        (lambda s: s["payload"].update(amount="-1"), "payload.amount", "between"),
        (lambda s: s["payload"].update(amount=[1]), "payload.amount", "decimal"),
        (lambda s: s["payload"].update(status="999"), "payload.status", "not an Omnitron order status"),
        (lambda s: s["payload"].update(currency="tl"), "payload.currency", "ISO 4217"),
        (lambda s: s["payload"].update(date_placed="yesterday"), "payload.date_placed", "ISO 8601"),
        (lambda s: s["payload"].update(has_gift_box="yes"), "payload.has_gift_box", "true or false"),
        (lambda s: s["payload"].update(orderitem_set=[]), "payload.orderitem_set", "at least one item"),
        (lambda s: s["payload"].update(orderitem_set={}), "payload.orderitem_set", "list"),
        (lambda s: s["payload"].update(orderitem_set=[{}] * 1001), "payload.orderitem_set", "at most 1000"),
        (lambda s: s["payload"]["orderitem_set"][0].update(price=None), "payload.orderitem_set[0].price", "null"),
        (lambda s: s["payload"]["orderitem_set"][0].update(price="abc"), "payload.orderitem_set[0].price", "decimal"),
        (
            lambda s: s["payload"]["orderitem_set"][0].update(tax_rate="101"),
            "payload.orderitem_set[0].tax_rate",
            "between",
        ),
        (
            lambda s: s["payload"]["orderitem_set"][0]["product"].update(sku=""),
            "payload.orderitem_set[0].product.sku",
            "empty",
        ),
        (lambda s: s["payload"]["orderitem_set"].append(7), "payload.orderitem_set[1]", "object"),
        (lambda s: s["payload"]["channel"].update(name="x" * 5000), "payload.channel.name", "characters long"),
        (lambda s: s["payload"].update(number="a\x00b"), "payload.number", "NUL"),
    ],
)
def test_wrong_types_and_values_are_named_with_their_path(sample, mutate, path, words):
    mutate(sample)
    errors = error_paths(sample)
    assert path in errors
    assert words in errors[path]


def test_every_bad_field_is_reported_at_once(sample):
    del sample["payload"]["number"]
    sample["payload"]["orderitem_set"][0]["price"] = "x"
    sample["payload"]["currency"] = 5
    assert {"payload.number", "payload.orderitem_set[0].price", "payload.currency"} <= set(error_paths(sample))


def test_an_item_listed_twice_is_refused(sample):
    sample["payload"]["orderitem_set"].append(dict(sample["payload"]["orderitem_set"][0]))
    assert "item 48161 appears twice" in error_paths(sample)["payload.orderitem_set[1].pk"]


def test_numbers_may_be_json_numbers_or_strings(sample):
    sample["payload"]["amount"] = 725.26
    sample["payload"]["shipping_amount"] = 6
    order = parse_webhook_call(sample).order
    assert order.amount == Decimal("725.26") and order.shipping_amount == Decimal(6)


@pytest.mark.parametrize("body", [[], "order", 42, None])
def test_a_body_that_is_not_an_object_is_refused(body):
    assert "must be a JSON object" in error_paths(body)["body"]


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (b"", "empty"),
        (b"   ", "empty"),
        (b"\xff\xfe{}", "UTF-8"),
        (b'{"a": ', "not valid JSON"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b'{"a": Infinity}', "Infinity is not a JSON number"),
        pytest.param(b"[" * 100_000 + b"]" * 100_000, "nested too deeply", id="deep-nesting"),
    ],
)
def test_decode_json_refuses_what_is_not_json(raw, words):
    with pytest.raises(InvalidJson) as caught:
        decode_json(raw)
    assert words in str(caught.value)


def test_stored_payload_drops_channel_conf_and_keeps_the_rest(sample):
    scrubbed = privacy.without_credentials(sample)
    assert "conf" not in scrubbed["payload"]["channel"]
    assert scrubbed["payload"]["channel"]["name"] == "Lacoste N11"
    assert "appSecret" not in str(scrubbed)
    assert "conf" in sample["payload"]["channel"], "the input must not be changed"


@pytest.mark.parametrize("document", [None, [], {"payload": 3}, {"payload": {"channel": "x"}}])
def test_stored_payload_leaves_odd_documents_alone(document):
    assert privacy.without_credentials(document) == document


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        pytest.param(b'{"number": "\\ud800"}', "lone UTF-16 surrogate", id="lone-surrogate"),
        pytest.param(b'{"a": ' + b"1" * 5000 + b"}", "not valid JSON", id="5000-digit-integer"),
    ],
)
def test_decode_json_refuses_what_could_not_be_stored(raw, words):
    with pytest.raises(InvalidJson) as caught:
        decode_json(raw)
    assert words in str(caught.value)


def test_a_valid_surrogate_pair_is_text():
    assert decode_json(b'{"emoji": "\\ud83d\\ude00"}') == {"emoji": "\U0001f600"}


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"])
def test_dates_out_of_range_are_refused_not_crashed(text):
    assert validation.parse_datetime(text) is None


def test_tax_rates_have_at_most_four_decimals(sample):
    sample["payload"]["orderitem_set"][0]["tax_rate"] = "8.00001"
    assert "at most 4 decimals" in error_paths(sample)["payload.orderitem_set[0].tax_rate"]


def test_a_body_nested_deeper_than_an_order_is_refused_before_it_is_stored():
    from omnitron_order_webhook.core import const

    deep = b'{"a":' * const.MAX_DEPTH + b"1" + b"}" * const.MAX_DEPTH
    assert decode_json(deep)
    too_deep = b"[" * (const.MAX_DEPTH + 1) + b"]" * (const.MAX_DEPTH + 1)
    with pytest.raises(InvalidJson, match=f"nested more than {const.MAX_DEPTH} levels"):
        decode_json(too_deep)


@pytest.mark.parametrize(
    ("where", "key", "limit_name"),
    [
        (("customer",), "first_name", "MAX_NAME"),
        (("billing_address",), "last_name", "MAX_NAME"),
        (("shipping_address",), "company_name", "MAX_COMPANY_NAME"),
        (("customer",), "phone_number", "MAX_PHONE"),
        (("billing_address",), "email", "MAX_EMAIL"),
        (("shipping_address",), "district", "MAX_PLACE"),
        (("orderitem_set", 0, "product"), "sku", "MAX_SKU"),
    ],
)
def test_each_indexed_field_takes_its_limit_in_four_byte_characters_and_refuses_one_more(
    sample, where, key, limit_name
):
    from omnitron_order_webhook.core import const

    limit = getattr(const, limit_name)
    target = sample["payload"]
    for step in where:
        target = target[step]
    target[key] = "\U0001d11e" * limit
    parse_webhook_call(sample)
    target[key] += "x"
    with pytest.raises(InvalidPayload, match=f"at most {limit} are allowed"):
        parse_webhook_call(sample)


# -- what no stored text, number or date may be ----------------------------------


@pytest.mark.parametrize(
    ("raw", "path"),
    [
        (b'{"event": {"uuid": "a\\u0000b"}}', "event.uuid"),
        (b'{"payload": {"number": "a\\u0000b"}}', "payload.number"),
        (b'{"payload": {"order": {"number": "\\u0000"}}}', "payload.order.number"),
        (b'{"payload": {"orderitem_set": [{"extra": ["x", "y\\u0000"]}]}}', "payload.orderitem_set[0].extra[1]"),
        (b'{"payload": {"a\\u0000b": 1}}', "payload"),
    ],
)
def test_a_nul_character_anywhere_in_the_body_is_refused_naming_its_path(raw, path):
    """PostgreSQL stores no NUL: the event row, which keeps the number and uuid
    of a refused body, could not be written either."""
    with pytest.raises(InvalidJson) as caught:
        decode_json(raw)
    assert f"{path}: " in str(caught.value)
    assert "NUL" in str(caught.value)


def test_the_escaped_text_backslash_u0000_is_no_nul_character():
    assert decode_json(b'{"note": "\\\\u0000"}') == {"note": "\\u0000"}


@pytest.mark.parametrize("digits", ["١٢", "۱۲", "１２", "१२"])
def test_a_quantity_in_non_ascii_digits_is_not_a_number(sample, digits):
    sample["payload"]["orderitem_set"][0]["attributes"] = {"quantity": digits}
    assert "whole number of units" in error_paths(sample)["payload.orderitem_set[0].attributes.quantity"]


@pytest.mark.parametrize("digits", ["٧١٨.٩٢", "７１８.９２"])
def test_an_amount_in_non_ascii_digits_is_not_a_number(sample, digits):
    sample["payload"]["orderitem_set"][0]["price"] = digits
    sample["payload"]["amount"] = digits
    errors = error_paths(sample)
    assert "decimal number" in errors["payload.orderitem_set[0].price"]
    assert "decimal number" in errors["payload.amount"]


NOW = datetime(2025, 6, 1, 12, 0, 0)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("date_placed",), "0001-01-01T00:00:00Z"),
        (("date_placed",), "1999-12-31T23:59:59Z"),
        (("date_placed",), "2025-06-03T12:00:00Z"),  # two days ahead of NOW
        (("date_placed",), "9999-12-31T00:00:00Z"),
        (("invoice_date",), "0001-01-01T00:00:00Z"),
        (("invoice_date",), "2030-01-01T00:00:00Z"),
        (("modified_date",), "1970-01-01T00:00:00Z"),
        (("orderitem_set", 0, "invoice_date"), "1900-01-01T00:00:00Z"),
    ],
)
def test_an_implausible_date_is_refused_naming_its_path(sample, path, text):
    target = sample["payload"]
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = text
    with pytest.raises(InvalidPayload) as caught:
        parse_webhook_call(sample, now=NOW)
    errors = {error.path: error.message for error in caught.value.errors}
    dotted = "payload." + ".".join(str(step) for step in path).replace(".0.", "[0].")
    assert "not a plausible date" in errors[dotted]


def test_dates_from_2000_to_a_day_ahead_are_plausible_and_a_future_modified_date_is_left_to_the_update_rules(sample):
    sample["payload"].update(
        date_placed="2000-01-01T00:00:00Z",
        invoice_date="2025-06-02T11:00:00Z",
        modified_date="9999-12-31T00:00:00Z",
    )
    order = parse_webhook_call(sample, now=NOW).order
    assert order.date_placed == datetime(2000, 1, 1)
    assert order.modified_date == datetime(9999, 12, 31)


def test_the_units_of_an_order_are_bounded_and_the_refusal_names_the_limit(sample):
    line = sample["payload"]["orderitem_set"][0]
    line["attributes"] = {"quantity": 600}
    second = {**line, "pk": line["pk"] + 1, "attributes": {"quantity": 500}}
    sample["payload"]["orderitem_set"].append(second)
    with pytest.raises(InvalidPayload) as caught:
        parse_webhook_call(sample, max_order_units=1000)
    [error] = caught.value.errors
    assert error.path == "payload.orderitem_set"
    assert "1100 units" in error.message and "at most 1000" in error.message
    assert "max_order_units" in error.message
    assert sum(item.quantity for item in parse_webhook_call(sample, max_order_units=1100).order.items) == 1100


def test_the_default_bound_of_units_refuses_a_thousand_items_of_a_hundred_thousand_units(sample):
    from omnitron_order_webhook.core import settings

    line = sample["payload"]["orderitem_set"][0]
    sample["payload"]["orderitem_set"] = [
        {**line, "pk": pk, "attributes": {"quantity": 100_000}} for pk in range(1, 1001)
    ]
    default = settings.SETTINGS_BY_NAME["max_order_units"].default
    with pytest.raises(InvalidPayload, match=f"at most {default} "):
        parse_webhook_call(sample, max_order_units=default)


# -- addresses in every shape Omnitron sends --------------------------------------

from conftest import ADDRESS_SHAPES  # noqa: E402 - beside the tests that use it


@pytest.mark.parametrize("shape", sorted(ADDRESS_SHAPES))
@pytest.mark.parametrize("key", ["shipping_address", "billing_address"])
def test_an_address_part_is_read_in_every_shape_omnitron_sends(sample, shape, key):
    sample["payload"][key].update(ADDRESS_SHAPES[shape]["address"])
    address = getattr(parse_webhook_call(sample).order, key)
    kept = ADDRESS_SHAPES[shape]["kept"]
    assert (address.country_code, address.city, address.township, address.district) == (
        kept["country"],
        kept["city"],
        kept["township"],
        kept["district"],
    )


@pytest.mark.parametrize(
    ("district", "path", "words"),
    [
        (["CAFERAĞA MAH"], "payload.shipping_address.district", "an object with a name, a name or an id, not a list"),
        (True, "payload.shipping_address.district", "not a boolean"),
        ({"pk": 1, "name": ["x"]}, "payload.shipping_address.district.name", "must be a string"),
        ({"pk": "x"}, "payload.shipping_address.district.pk", "must be an integer"),
        ({"name": "M" * 129}, "payload.shipping_address.district.name", "at most 128"),
    ],
)
def test_an_address_part_in_no_shape_omnitron_sends_is_refused_naming_its_path(sample, district, path, words):
    sample["payload"]["shipping_address"]["district"] = district
    with pytest.raises(InvalidPayload) as refused:
        parse_webhook_call(sample)
    assert any(error.path == path and words in error.message for error in refused.value.errors), refused.value


def test_the_tckn_and_e_invoice_status_of_an_address_are_read(sample):
    sample["payload"]["billing_address"].update(identity_number="10000000146", e_bill_taxpayer=True)
    sample["payload"]["shipping_address"].pop("e_bill_taxpayer", None)
    order = parse_webhook_call(sample).order
    assert (order.billing_address.identity_number, order.billing_address.e_bill_taxpayer) == ("10000000146", True)
    assert order.shipping_address.e_bill_taxpayer is None


# -- what merchants need from the payload ---------------------------------------------


def test_the_note_the_delivery_slot_and_the_promotions_are_read(sample):
    sample["payload"].update(
        notes="Kapıya bırakın.",
        delivery_range={"start": "2026-12-08T09:00:00Z", "end": "2026-12-08T12:00:00Z"},
        discount_amount="15.50",
        discountitem_set=[{"pk": 1, "name": "Sepette %10", "amount": "12.50"}, {"code": "KARGO", "amount": 3}],
    )
    order = parse_webhook_call(sample).order
    assert order.notes == "Kapıya bırakın."
    assert (order.delivery_start, order.delivery_end) == (datetime(2026, 12, 8, 9), datetime(2026, 12, 8, 12))
    assert order.discount_amount == Decimal("15.50")
    assert order.discounts == (("Sepette %10", Decimal("12.50")), ("KARGO", Decimal("3")))


def test_the_sample_without_note_slot_or_promotions_reads_as_none(sample):
    order = parse_webhook_call(sample).order
    assert (order.notes, order.delivery_start, order.delivery_end, order.discounts) == (None, None, None, ())
    assert order.discount_amount == Decimal("0.00")


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"delivery_range": "morning"}, "payload.delivery_range"),
        ({"delivery_range": {"start": "tomorrow"}}, "payload.delivery_range.start"),
        ({"discountitem_set": {"name": "x"}}, "payload.discountitem_set"),
        ({"discountitem_set": ["x"]}, "payload.discountitem_set[0]"),
        ({"discountitem_set": [{"name": "x", "amount": "lots"}]}, "payload.discountitem_set[0].amount"),
        ({"notes": ["x"]}, "payload.notes"),
    ],
)
def test_a_note_slot_or_promotion_in_no_documented_shape_is_refused_naming_its_path(sample, changes, path):
    sample["payload"].update(changes)
    with pytest.raises(InvalidPayload) as refused:
        parse_webhook_call(sample)
    assert path in [error.path for error in refused.value.errors]
