"""openapi.yaml stays true to the code: every answer and reason is described."""

import pathlib
import re

import pytest

from omnitron_order_webhook.core import const, filters, responses

yaml = pytest.importorskip("yaml")
SPEC = yaml.safe_load((pathlib.Path(__file__).resolve().parent.parent / "openapi.yaml").read_text())
OPERATION = SPEC["paths"]["/api/v1/oms/orders_omnitron/"]["post"]
SOURCE = (pathlib.Path(responses.__file__)).read_text()


def test_every_error_code_of_the_code_is_in_the_spec():
    codes = set(re.findall(r'Outcome\.error\(\s*\d+,\s*"(\w+)"', SOURCE)) | {"invalid_json", "invalid_payload"}
    assert codes == set(SPEC["components"]["schemas"]["Error"]["properties"]["error"]["enum"])


def test_every_status_of_the_code_is_in_the_spec():
    statuses = {int(status) for status in re.findall(r"Outcome\.error\(\s*(\d+),", SOURCE)} | {204, 202, 400}
    assert statuses == {int(status) for status in OPERATION["responses"]}


def test_every_202_reason_is_in_the_spec():
    reasons = {value for name, value in vars(const).items() if name.startswith("REASON_")}
    reasons |= {value for name, value in vars(filters).items() if name.startswith("REASON_")}
    assert reasons == set(SPEC["components"]["schemas"]["Ignored"]["properties"]["reason"]["enum"])


def test_the_status_enum_is_the_status_table():
    order = SPEC["components"]["schemas"]["Order"]
    assert order["properties"]["status"]["enum"] == list(const.ORDER_STATUSES)
    assert order["properties"]["orderitem_set"]["maxItems"] == const.MAX_ITEMS
