"""Pure tier: the addon's ``core`` package, tested without Odoo.

The addon's own ``__init__`` imports Odoo, so the package is registered here
as a bare namespace: ``omnitron_order_webhook.core`` then imports on a machine
without Odoo, exactly as it runs inside Odoo.
"""

import copy
import json
import pathlib
import sys
import types

import pytest

ADDON_DIR = pathlib.Path(__file__).resolve().parent.parent / "omnitron_order_webhook"
SAMPLE_PATH = ADDON_DIR / "tests" / "data" / "sample_order.json"

if "omnitron_order_webhook" not in sys.modules:
    package = types.ModuleType("omnitron_order_webhook")
    package.__path__ = [str(ADDON_DIR)]
    sys.modules["omnitron_order_webhook"] = package

_SAMPLE = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))
# Every shape of an address part that Akinon's code and documentation show (the Odoo tier reads the same file).
ADDRESS_SHAPES = {
    name: shape
    for name, shape in json.loads((SAMPLE_PATH.parent / "address_shapes.json").read_text(encoding="utf-8")).items()
    if not name.startswith("_")
}


@pytest.fixture
def sample():
    """A fresh copy of the spec's sample body, safe to mutate."""
    return copy.deepcopy(_SAMPLE)
