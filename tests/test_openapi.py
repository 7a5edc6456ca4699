"""openapi.yaml stays true to the code: every route, answer and reason is described."""

import json
import pathlib

import pytest

from omnitron_order_webhook.core import const
from omnitron_order_webhook.core.validation import parse_cancellation_plan

yaml = pytest.importorskip("yaml")
ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = yaml.safe_load((ROOT / "openapi.yaml").read_text())
PLAN_SAMPLE_PATH = ROOT / "omnitron_order_webhook" / "tests" / "data" / "cancellation_plan_sample.json"
OPERATION = SPEC["paths"][const.WEBHOOK_PATH]["post"]
PLAN_OPERATION = SPEC["paths"][const.CANCELLATION_PLAN_PATH]["post"]
# The reasons each route answers 202 with; together they are const.REASONS.
ORDER_REASONS = {
    const.REASON_BELOW_MIN_OMNITRON_ID,
    const.REASON_CHANNEL_NOT_ALLOWED,
    const.REASON_PROPERTY_MISMATCH,
    const.REASON_DUPLICATE_ORDER,
    const.REASON_ORDER_UPDATED,
    const.REASON_OUTDATED_UPDATE,
    const.REASON_CARGO_COMPANY_NOT_FOUND,
    const.REASON_PRODUCT_AMBIGUOUS,
    const.REASON_PRODUCT_NOT_FOUND,
    const.REASON_TAX_NOT_CONFIGURED,
    const.REASON_CURRENCY_NOT_ACTIVE,
}
PLAN_REASONS = {const.REASON_ORDER_NOT_FOUND, const.REASON_DUPLICATE_PLAN}


def resolve(node):
    """``node``, its local ``$ref`` (``#/components/...``) followed."""
    while isinstance(node, dict) and "$ref" in node:
        target = SPEC
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def reasons(operation):
    """The 202 reasons an operation documents."""
    schema = resolve(operation["responses"]["202"]["content"]["application/json"]["schema"])
    return resolve(schema["properties"]["reason"])["enum"]


def test_every_error_code_of_the_code_is_in_the_spec():
    assert set(const.ERROR_STATUSES) == set(SPEC["components"]["schemas"]["Error"]["properties"]["error"]["enum"])


@pytest.mark.parametrize("operation", [OPERATION, PLAN_OPERATION], ids=["order", "cancellation_plan"])
def test_every_status_of_the_code_is_in_the_spec(operation):
    statuses = set(const.ERROR_STATUSES.values()) | {204, 202}
    assert statuses == {int(status) for status in operation["responses"]}
    for status, answer in operation["responses"].items():
        answer = resolve(answer)
        assert answer["description"]
        if status != "204":
            assert resolve(answer["content"]["application/json"]["schema"])["properties"]


def test_the_spec_describes_the_routes_the_code_serves():
    assert list(SPEC["paths"]) == [const.WEBHOOK_PATH, const.CANCELLATION_PLAN_PATH]
    assert list(SPEC["paths"][const.WEBHOOK_PATH]) == list(SPEC["paths"][const.CANCELLATION_PLAN_PATH]) == ["post"]


def test_both_routes_share_the_error_answers():
    errors = {status: answer for status, answer in OPERATION["responses"].items() if status not in ("202", "204")}
    assert errors == {status: answer for status, answer in PLAN_OPERATION["responses"].items() if status in errors}
    assert PLAN_OPERATION["security"] == OPERATION["security"] == [{"token": []}]


def test_every_202_reason_is_in_the_spec():
    assert set(reasons(OPERATION)) == ORDER_REASONS
    assert set(reasons(PLAN_OPERATION)) == PLAN_REASONS
    assert set(const.REASONS) == ORDER_REASONS | PLAN_REASONS
    assert len(const.REASONS) == len(ORDER_REASONS) + len(PLAN_REASONS)


def test_an_order_delivery_answers_the_update_reasons():
    assert {const.REASON_ORDER_UPDATED, const.REASON_OUTDATED_UPDATE, const.REASON_DUPLICATE_ORDER} <= set(
        reasons(OPERATION)
    )


def test_a_cancellation_plan_answers_only_its_reasons():
    assert sorted(reasons(PLAN_OPERATION)) == sorted([const.REASON_ORDER_NOT_FOUND, const.REASON_DUPLICATE_PLAN])


def test_the_status_enum_is_the_status_table():
    schemas = SPEC["components"]["schemas"]
    status = schemas["OrderStatus"]
    assert status["enum"] == list(const.ORDER_STATUSES)
    assert status["x-enum-varnames"] == [name for name, _state in const.ORDER_STATUSES.values()]
    order, plan_order = schemas["Order"]["properties"], schemas["PlanOrder"]["properties"]
    assert resolve(order["status"]) is status
    assert [resolve(ref) for ref in plan_order["status"]["anyOf"]] == [status, schemas["NullValue"]]
    assert order["orderitem_set"]["maxItems"] == const.MAX_ITEMS


def test_every_documented_length_limit_is_the_validators():
    """The spec's maxLength of each field is what core/validation.py enforces (checked through the limits)."""
    schemas = SPEC["components"]["schemas"]
    address, item = schemas["Address"]["properties"], schemas["Item"]["properties"]
    customer = schemas["Order"]["properties"]["customer"]["properties"]
    for fields in (address, customer):
        assert fields["first_name"]["maxLength"] == fields["last_name"]["maxLength"] == const.MAX_NAME
        assert fields["email"]["maxLength"] == const.MAX_EMAIL
        assert fields["phone_number"]["maxLength"] == const.MAX_PHONE
    assert address["company_name"]["maxLength"] == const.MAX_COMPANY_NAME
    part = schemas["AddressPart"]["oneOf"]
    assert part[0]["properties"]["name"]["maxLength"] == part[1]["maxLength"] == const.MAX_PLACE
    assert address["tax_office"]["maxLength"] == const.MAX_PLACE
    assert {address[key]["$ref"] for key in ("city", "township", "district")} == {"#/components/schemas/AddressPart"}
    assert item["product"]["properties"]["sku"]["maxLength"] == const.MAX_SKU
    assert item["e_archive_url"]["maxLength"] == const.MAX_LONG_TEXT
    quantity = item["attributes"]["properties"]["quantity"]["oneOf"][0]
    assert (quantity["minimum"], quantity["maximum"]) == (1, const.MAX_ITEM_QUANTITY)


def test_the_plan_request_requires_what_the_parser_requires():
    schemas = SPEC["components"]["schemas"]
    call = resolve(PLAN_OPERATION["requestBody"]["content"]["application/json"]["schema"])
    assert call is schemas["CancellationPlanCall"]
    assert set(call["required"]) == {"event", "payload"}
    plan = resolve(call["properties"]["payload"])
    assert set(plan["required"]) == {"pk", "order"}
    assert plan["properties"]["plan_type"]["enum"] == ["cancel", "refund"]
    assert set(resolve(plan["properties"]["order"])["required"]) == {"pk", "number", "channel"}


def test_the_plan_example_is_the_published_sample_and_parses():
    example = PLAN_OPERATION["requestBody"]["content"]["application/json"]["example"]
    assert example == json.loads(PLAN_SAMPLE_PATH.read_text(encoding="utf-8"))
    call = parse_cancellation_plan(example)
    assert (call.plan_pk, call.plan_type, call.order.pk) == (2839, "cancel", 1883)
    assert (call.order.number, call.order.channel.pk, call.order.status) == ("1472672233418128", 1, "50")


def test_the_documented_bounds_of_units_and_dates_are_the_validators():
    from omnitron_order_webhook.core import settings

    order = SPEC["components"]["schemas"]["Order"]["properties"]
    setting = settings.SETTINGS_BY_NAME["max_order_units"]
    assert order["orderitem_set"]["x-max-order-units"] == {
        "setting": setting.name,
        "default": setting.default,
        "maximum": setting.maximum,
    }
    assert order["date_placed"]["x-earliest"] == f"{const.EARLIEST_DATE:%Y-%m-%d}"
    assert order["date_placed"]["x-most-hours-ahead"] * 3600 == const.MAX_DATE_AHEAD.total_seconds()
    assert order["modified_date"]["x-most-minutes-ahead-to-decide"] * 60 == const.MAX_CLOCK_SKEW.total_seconds()
