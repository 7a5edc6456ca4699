"""The toasts the buttons answer with (core/client_actions.py)."""

import doctest

import pytest

from omnitron_order_webhook.core import client_actions


def test_the_modules_doctests_hold():
    assert doctest.testmod(client_actions).failed == 0


def test_a_toast_carries_its_title_and_stays_when_sticky():
    action = client_actions.notification("Not applied.", "warning", title="Refresh", sticky=True)
    assert action["tag"] == "display_notification"
    assert action["params"] == {"type": "warning", "message": "Not applied.", "sticky": True, "title": "Refresh"}


def test_a_kind_the_web_client_does_not_know_is_refused_naming_it():
    with pytest.raises(ValueError, match="kind must be success, info, warning or danger, not 'error'"):
        client_actions.notification("x", "error")
