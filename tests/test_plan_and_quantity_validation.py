"""Merged items' quantity, the cancellation-plan webhook, and the settings that go with them.

Reading: a merged item's unit count from ``attributes`` (validation), the
reading of its price per unit or per row (mapping), the cancellation plan's
body (validation) and the settings ``apply_updates`` and ``item_quantity_key``.
"""

import copy
import json
import pathlib
from datetime import datetime
from decimal import Decimal

import pytest

from omnitron_order_webhook.core import const, mapping, settings
from omnitron_order_webhook.core.validation import InvalidPayload, parse_cancellation_plan, parse_webhook_call

PLAN_SAMPLE_PATH = (
    pathlib.Path(__file__).resolve().parent.parent
    / "omnitron_order_webhook"
    / "tests"
    / "data"
    / "cancellation_plan_sample.json"
)
_PLAN_SAMPLE = json.loads(PLAN_SAMPLE_PATH.read_text(encoding="utf-8"))
QUANTITY_PATH = "payload.orderitem_set[0].attributes.quantity"


@pytest.fixture
def plan():
    """A fresh copy of the published cancellation-plan sample, safe to mutate."""
    return copy.deepcopy(_PLAN_SAMPLE)


def with_attributes(sample, attributes):
    sample["payload"]["orderitem_set"][0]["attributes"] = attributes
    return sample


def quantity_of(sample, **kwargs):
    (item,) = parse_webhook_call(sample, **kwargs).order.items
    return item.quantity


def errors_of(parse, document, **kwargs):
    with pytest.raises(InvalidPayload) as caught:
        parse(document, **kwargs)
    return {error.path: error.message for error in caught.value.errors}


# -- a merged item's quantity ------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [(4, 4), ("4", 4), (" 12 ", 12), (3.0, 3), (1, 1), (100_000, 100_000)])
def test_merged_quantity_is_read_from_the_item_attributes(sample, value, expected):
    assert quantity_of(with_attributes(sample, {"quantity": value})) == expected


@pytest.mark.parametrize("attributes", ["absent", None, {}, {"quantity": None}, {"colour": "red"}])
def test_an_item_without_a_quantity_attribute_is_one_unit(sample, attributes):
    if attributes != "absent":
        with_attributes(sample, attributes)
    assert quantity_of(sample) == 1


def test_the_quantity_attribute_key_is_the_configured_one(sample):
    with_attributes(sample, {"adet": "5", "quantity": 9})
    assert quantity_of(sample, quantity_key="adet") == 5
    assert quantity_of(sample) == 9


def test_each_merged_item_keeps_its_own_quantity(sample):
    second = copy.deepcopy(sample["payload"]["orderitem_set"][0])
    second.update(pk=48162, attributes={"quantity": "2"})
    sample["payload"]["orderitem_set"].append(second)
    items = parse_webhook_call(sample).order.items
    assert [(item.pk, item.quantity) for item in items] == [(48161, 1), (48162, 2)]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "between 1 and 100000"),
        (-1, "between 1 and 100000"),
        ("0", "between 1 and 100000"),
        (const.MAX_ITEM_QUANTITY + 1, "between 1 and 100000"),
        ("x", "whole number"),
        ("-1", "whole number"),
        ("", "whole number"),
        (True, "whole number"),
        (2.5, "whole number"),
        ([3], "whole number"),
        ({"value": 3}, "whole number"),
    ],
)
def test_an_invalid_quantity_is_refused_at_its_path(sample, value, words):
    errors = errors_of(parse_webhook_call, with_attributes(sample, {"quantity": value}))
    assert list(errors) == [QUANTITY_PATH]
    assert words in errors[QUANTITY_PATH]


def test_an_invalid_quantity_under_a_custom_key_names_that_key(sample):
    with_attributes(sample, {"adet": "x", "quantity": "also wrong but not read"})
    errors = errors_of(parse_webhook_call, sample, quantity_key="adet")
    assert list(errors) == ["payload.orderitem_set[0].attributes.adet"]


def test_an_invalid_quantity_of_the_second_item_names_its_index(sample):
    second = copy.deepcopy(sample["payload"]["orderitem_set"][0])
    second.update(pk=48162, attributes={"quantity": 0})
    sample["payload"]["orderitem_set"].append(second)
    assert list(errors_of(parse_webhook_call, sample)) == ["payload.orderitem_set[1].attributes.quantity"]


def test_item_attributes_that_are_not_an_object_are_refused(sample):
    errors = errors_of(parse_webhook_call, with_attributes(sample, ["quantity", 3]))
    assert "object" in errors["payload.orderitem_set[0].attributes"]


@pytest.mark.parametrize("value", ["²", "¹²", "9" * 5000], ids=["superscript", "superscripts", "5000-digits"])
def test_a_quantity_of_non_decimal_digits_is_refused_not_crashing(sample, value):
    errors = errors_of(parse_webhook_call, with_attributes(sample, {"quantity": value}))
    assert list(errors) == [QUANTITY_PATH]


@pytest.mark.parametrize("value", ["٣", "３"])
def test_a_quantity_in_other_decimal_digits_is_refused(sample, value):
    # Arabic-Indic and full-width digits are decimal digits to int(), which reads them as 3: only ASCII digits count.
    errors = errors_of(parse_webhook_call, with_attributes(sample, {"quantity": value}))
    assert list(errors) == [QUANTITY_PATH]


# -- the order's new optional fields -----------------------------------------


def test_refund_amount_modified_date_and_item_e_archive_url_are_read(sample):
    sample["payload"]["modified_date"] = "2023-02-08T14:40:25.643841Z"
    sample["payload"]["refund_amount"] = "100.00"
    order = parse_webhook_call(sample).order
    assert order.refund_amount == Decimal("100.00")
    assert order.modified_date == datetime(2023, 2, 8, 14, 40, 25)
    assert order.items[0].e_archive_url.startswith("{domain_url}?vkn=3430333513")


def test_absent_refund_amount_and_modified_date_are_none(sample):
    for key in ("refund_amount", "modified_date"):
        sample["payload"].pop(key, None)
    order = parse_webhook_call(sample).order
    assert (order.refund_amount, order.modified_date) == (None, None)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [("refund_amount", "-5", "between"), ("refund_amount", "abc", "decimal"), ("modified_date", "today", "ISO 8601")],
)
def test_invalid_refund_amount_or_modified_date_is_refused(sample, key, value, words):
    sample["payload"][key] = value
    errors = errors_of(parse_webhook_call, sample)
    assert words in errors[f"payload.{key}"]


# -- the cancellation plan ----------------------------------------------------


def test_the_published_plan_sample_parses(plan):
    call = parse_cancellation_plan(plan)
    assert (call.event_type, call.event_uuid) == ("cancellation_plan.created", "4e7ab2024a3e4e8ba400c2470b84f976")
    assert call.plan_pk == 2839
    assert call.plan_type == "cancel", "the sample has no plan_type: a cancellation"
    order = call.order
    assert (order.pk, order.number, order.channel.pk) == (1883, "1472672233418128", 1)
    assert (order.status, order.status_name) == ("50", "cancellation_waiting")
    assert order.refund_amount == Decimal("0.00")
    assert order.modified_date == datetime(2023, 2, 8, 14, 40, 25)


def test_a_plan_order_channel_may_be_an_object(plan):
    plan["payload"]["order"]["channel"] = {"pk": 5, "name": "Web"}
    assert parse_cancellation_plan(plan).order.channel.pk == 5


def test_a_plan_order_channel_object_needs_its_pk(plan):
    plan["payload"]["order"]["channel"] = {"name": "Web"}
    assert "payload.order.channel.pk" in errors_of(parse_cancellation_plan, plan)


@pytest.mark.parametrize(("plan_type", "expected"), [("refund", "refund"), ("REFUND", "refund"), ("cancel", "cancel")])
def test_the_plan_type_is_read(plan, plan_type, expected):
    plan["payload"]["plan_type"] = plan_type
    assert parse_cancellation_plan(plan).plan_type == expected


@pytest.mark.parametrize("plan_type", ["return", "exchange", 5])
def test_an_unknown_plan_type_is_refused(plan, plan_type):
    plan["payload"]["plan_type"] = plan_type
    errors = errors_of(parse_cancellation_plan, plan)
    assert list(errors) == ["payload.plan_type"]
    assert "cancel, refund" in errors["payload.plan_type"]


def test_every_missing_plan_field_is_named_in_one_answer(plan):
    del plan["payload"]["pk"]
    for key in ("pk", "number", "channel"):
        del plan["payload"]["order"][key]
    errors = errors_of(parse_cancellation_plan, plan)
    assert set(errors) == {"payload.pk", "payload.order.pk", "payload.order.number", "payload.order.channel"}
    assert all("required" in message for message in errors.values())


def test_a_plan_without_its_order_is_refused(plan):
    del plan["payload"]["order"]
    assert list(errors_of(parse_cancellation_plan, plan)) == ["payload.order"]


@pytest.mark.parametrize("status", ["999", "abc", "4000"])
def test_an_unknown_plan_order_status_is_refused(plan, status):
    plan["payload"]["order"]["status"] = status
    errors = errors_of(parse_cancellation_plan, plan)
    assert "not an Omnitron order status" in errors["payload.order.status"]


@pytest.mark.parametrize("status", ["absent", None])
def test_a_plan_order_without_status_is_accepted(plan, status):
    if status == "absent":
        del plan["payload"]["order"]["status"]
    else:
        plan["payload"]["order"]["status"] = status
    order = parse_cancellation_plan(plan).order
    assert (order.status, order.status_name) == (None, None)


def test_the_order_webhook_refuses_an_unknown_order_status(sample):
    sample["payload"]["status"] = "425"
    assert "not an Omnitron order status" in errors_of(parse_webhook_call, sample)["payload.status"]


# -- per-unit or per-row prices -------------------------------------------------


def merged(sample, price, quantity, amount):
    """The sample's item as a merged row of ``quantity`` at ``price``, the order's ``amount``."""
    with_attributes(sample, {"quantity": quantity})
    sample["payload"]["orderitem_set"][0]["price"] = price
    sample["payload"]["amount"] = amount
    return parse_webhook_call(sample).order


def test_prices_are_per_row_when_only_the_row_reading_adds_up(sample):
    order = merged(sample, "30.00", 3, "36.34")  # 30.00 + 6.34
    assert mapping.prices_per_row(order) is True


def test_prices_are_per_unit_when_the_unit_reading_adds_up(sample):
    order = merged(sample, "30.00", 3, "96.34")  # 3 × 30.00 + 6.34
    assert mapping.prices_per_row(order) is False


def test_prices_are_per_unit_when_neither_reading_adds_up(sample):
    order = merged(sample, "30.00", 3, "50.00")
    assert mapping.prices_per_row(order) is False


def test_without_merged_items_prices_are_per_unit(sample):
    order = parse_webhook_call(sample).order
    assert sum(item.price for item in order.items) + order.shipping_amount == order.amount
    assert mapping.prices_per_row(order) is False
    sample["payload"]["amount"] = "1.00"
    assert mapping.prices_per_row(parse_webhook_call(sample).order) is False


@pytest.mark.parametrize(("per_row", "price_unit"), [(False, 30.0), (True, 10.0)])
def test_line_values_carry_the_quantity_and_the_unit_price_of_the_reading(sample, per_row, price_unit):
    order = merged(sample, "30.00", 3, "96.34")
    values = mapping.line_values(order.items[0], per_row)
    assert values["product_uom_qty"] == 3.0
    assert values["price_unit"] == pytest.approx(price_unit)
    assert values["omnitron_price"] == 30.0, "Omnitron's price is kept as sent"
    assert values["omnitron_e_archive_url"] == order.items[0].e_archive_url


def test_line_values_of_a_single_unit_default_to_its_price(sample):
    values = mapping.line_values(parse_webhook_call(sample).order.items[0])
    assert (values["product_uom_qty"], values["price_unit"]) == (1.0, 718.92)


def test_order_values_record_the_price_reading_refund_and_modified_date(sample):
    sample["payload"]["modified_date"] = "2023-02-08T14:40:25Z"
    order = merged(sample, "30.00", 3, "36.34")
    values = mapping.order_values(order)
    assert values["omnitron_prices_per_row"] is True
    assert values["omnitron_refund_amount"] == 0.0
    assert values["omnitron_modified_date"] == datetime(2023, 2, 8, 14, 40, 25)


# -- settings -------------------------------------------------------------------


def test_updates_are_applied_and_quantity_read_from_quantity_by_default():
    parsed = settings.parse_settings({})
    assert parsed.apply_updates is True
    assert parsed.item_quantity_key == "quantity" == settings.SETTINGS_BY_NAME["item_quantity_key"].default


@pytest.mark.parametrize(("text", "expected"), [("false", False), ("0", False), ("no", False), ("True", True)])
def test_apply_updates_is_read_from_its_text(text, expected):
    parsed = settings.parse_settings({settings.key_of("apply_updates"): text})
    assert parsed.apply_updates is expected


def test_apply_updates_refuses_what_is_not_a_boolean():
    key = settings.key_of("apply_updates")
    with pytest.raises(settings.ConfigError) as caught:
        settings.parse_settings({key: "sometimes"})
    assert key in str(caught.value)


@pytest.mark.parametrize("text", ["adet", "miktar_2", "unit-count", "x" * 64, "  adet  "])
def test_a_custom_quantity_key_is_accepted(text):
    parsed = settings.parse_settings({settings.key_of("item_quantity_key"): text})
    assert parsed.item_quantity_key == text.strip()


def test_a_blank_quantity_key_falls_back_to_the_default():
    assert settings.parse_settings({settings.key_of("item_quantity_key"): "  "}).item_quantity_key == "quantity"


@pytest.mark.parametrize("text", ["a.b", "x" * 65, "unit count", "qty/2", "a\x00b"])
def test_a_bad_quantity_key_is_a_config_error_naming_the_setting(text):
    key = settings.key_of("item_quantity_key")
    assert key == "omnitron_order_webhook.item_quantity_key"
    with pytest.raises(settings.ConfigError) as caught:
        settings.parse_settings({key: text})
    assert key in str(caught.value)
    assert caught.value.params["value"] == text


def test_a_plan_names_its_items_as_objects_or_pks_and_without_them_says_none(plan):
    assert parse_cancellation_plan(plan).item_pks is None  # the public sample stops before them
    plan["payload"]["cancellationplanorderitem_set"] = [
        {"pk": 1, "order_item": {"pk": 71, "order": 1883}},
        {"pk": 2, "order_item": 72},
        {"order_item": 71},
    ]
    assert parse_cancellation_plan(plan).item_pks == (71, 72)


def test_a_plan_item_in_no_documented_shape_is_refused_naming_its_path(plan):
    plan["payload"]["cancellationplanorderitem_set"] = [7, {"order_item": {"pk": "x"}}]
    with pytest.raises(InvalidPayload) as refused:
        parse_cancellation_plan(plan)
    assert [error.path for error in refused.value.errors] == [
        "payload.cancellationplanorderitem_set[0]",
        "payload.cancellationplanorderitem_set[1].order_item.pk",
    ]
