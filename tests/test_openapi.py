"""openapi.yaml stays true to the code: every answer and reason is described."""

import pathlib

import pytest

from omnitron_order_webhook.core import const

yaml = pytest.importorskip("yaml")
SPEC = yaml.safe_load((pathlib.Path(__file__).resolve().parent.parent / "openapi.yaml").read_text())
OPERATION = SPEC["paths"][const.WEBHOOK_PATH]["post"]


def test_every_error_code_of_the_code_is_in_the_spec():
    assert set(const.ERROR_STATUSES) == set(SPEC["components"]["schemas"]["Error"]["properties"]["error"]["enum"])


def test_every_status_of_the_code_is_in_the_spec():
    statuses = set(const.ERROR_STATUSES.values()) | {204, 202}
    assert statuses == {int(status) for status in OPERATION["responses"]}


def test_the_spec_describes_the_route_the_code_serves():
    assert list(SPEC["paths"]) == [const.WEBHOOK_PATH]


def test_every_202_reason_is_in_the_spec():
    assert set(const.REASONS) == set(SPEC["components"]["schemas"]["Ignored"]["properties"]["reason"]["enum"])


def test_the_status_enum_is_the_status_table():
    order = SPEC["components"]["schemas"]["Order"]
    assert order["properties"]["status"]["enum"] == list(const.ORDER_STATUSES)
    assert order["properties"]["orderitem_set"]["maxItems"] == const.MAX_ITEMS


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
    assert address["district"]["maxLength"] == address["tax_office"]["maxLength"] == const.MAX_PLACE
    assert item["product"]["properties"]["sku"]["maxLength"] == const.MAX_SKU
