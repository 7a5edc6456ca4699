"""The event form's view of a stored body stays bounded in size and time."""

import json
import time

from omnitron_order_webhook.core import payload_display


def test_a_megabytes_order_is_shown_cut_with_a_note_and_quickly(sample):
    sample["payload"]["orderitem_set"] = sample["payload"]["orderitem_set"] * 1000
    stored = json.dumps(sample, ensure_ascii=False)
    assert len(stored) > 1_000_000
    started = time.monotonic()
    shown = payload_display.pretty(stored)
    assert time.monotonic() - started < 2
    assert len(shown) < payload_display.PRETTY_LIMIT + 200
    assert shown.endswith("download the payload to read all of it.")


def test_a_deeply_nested_legacy_body_never_grows_when_shown():
    stored = '{"a":' * 900 + "1" + "}" * 900  # stored before bodies this deep were refused
    shown = payload_display.pretty(stored)
    assert shown == stored, "shown as stored, never indented 900 levels deep"


def test_an_ordinary_order_is_indented_whole(sample):
    shown = payload_display.pretty(json.dumps(sample))
    assert json.loads(shown) == sample and "\n  " in shown
