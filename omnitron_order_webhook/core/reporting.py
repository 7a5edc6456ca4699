"""Report ignored orders (202) and failures (500) to Sentry, without secrets.

Imports ``sentry_sdk`` but nothing from Odoo. The process's active Sentry
client (for example OCA's ``sentry`` addon's) is used as it is and never
re-initialised; otherwise a private client is built from the DSN in the
settings and kept per DSN. With neither, nothing is reported.

Events are built here field by field: no request, no payload, no local
variables reach Sentry, and every personal or secret value of the delivery
(``sensitive_values``) is replaced in whatever text is sent.
"""

import functools
import logging
import threading

import sentry_sdk
from sentry_sdk.utils import event_from_exception

from . import const, privacy
from .const import STATE_FAILED, STATE_IGNORED

_logger = logging.getLogger(__name__)

FILTERED = privacy.FILTERED
_private_clients = {}  # dsn -> sentry_sdk.Client
_private_clients_lock = threading.Lock()

# Options of every event we build ourselves, whatever the client's own options.
_EVENT_OPTIONS = {
    "include_local_variables": False,
    "include_source_context": False,
    "max_value_length": 1024,
    "in_app_include": ["odoo.addons.omnitron_order_webhook"],
}


def client_for(dsn, transport=None):
    """The Sentry client to report with: the active one, a private one, or None."""
    active = sentry_sdk.get_client()
    if active.is_active():
        return active
    if not dsn:
        return None
    with _private_clients_lock:
        client = _private_clients.get(dsn)
        if client is None:
            client = sentry_sdk.Client(
                dsn,
                transport=transport,
                default_integrations=False,
                auto_enabling_integrations=False,
                include_local_variables=False,  # personal data never leaves (send_default_pii is off by default)
                before_send=_drop_request_data,
            )
            _private_clients[dsn] = client
        return client


def forget_private_clients():
    """Close the private clients (the DSN changed, or a test ends)."""
    with _private_clients_lock:
        clients = list(_private_clients.values())
        _private_clients.clear()
    for client in clients:
        client.close(timeout=2)


def prepare(outcome, *, failure, dsn, channel_pk, order_number, event_uuid, sensitive_values):
    """The report of an ignored (202) or failed (5xx) delivery, ready to send; else None.

    Returned as a function so the caller decides when it is sent (the
    webhook sends it when the request's transaction commits). ``failure``
    is the ``sys.exc_info()`` of a failure, or None. ``sensitive_values``
    may be a function: it is asked only when there is a report to make.
    """
    if outcome.state not in (STATE_IGNORED, STATE_FAILED) or outcome.reason in const.ROUTINE_REASONS:
        return None
    client = client_for(dsn)
    if client is None:
        return None
    common = {
        "reason": outcome.reason,
        "tags": tags_for(outcome.reason, channel_pk, order_number, event_uuid),
        "sensitive_values": sensitive_values() if callable(sensitive_values) else sensitive_values,
    }
    if failure is not None:
        return functools.partial(report_failure, client, failure, **common)
    if outcome.state == STATE_FAILED:
        # A 500 without an exception (the company cannot book orders): an error all the same.
        return functools.partial(report_ignored, client, detail=outcome.detail, kind="failed", level="error", **common)
    return functools.partial(report_ignored, client, detail=outcome.detail, **common)


def tags_for(reason, channel_pk, order_number, event_uuid):
    return {
        "omnitron.reason": reason or "unknown",
        "omnitron.channel": str(channel_pk) if channel_pk is not None else "unknown",
        "omnitron.order_number": order_number or "unknown",
        "omnitron.event_uuid": event_uuid or "unknown",
    }


def report_ignored(client, *, reason, detail, tags, sensitive_values=(), kind="ignored", level="warning"):
    """A deliberately ignored order (a warning), or a failure without exception (an error), grouped by reason."""
    if client is None:
        return None
    event = {
        "message": scrub(f"Omnitron order {kind}: {reason}: {detail}", sensitive_values),
        "level": level,
        "logger": "omnitron_order_webhook",
        "tags": tags,
        "fingerprint": ["omnitron-order-webhook", kind, reason],
    }
    return _capture(client, event)


def report_failure(client, error, *, reason, tags, sensitive_values=()):
    """A failed import or a configuration error, as the exception itself."""
    if client is None:
        return None
    event, _hint = event_from_exception(error, client_options=_EVENT_OPTIONS)
    event.update(
        {
            "level": "error",
            "logger": "omnitron_order_webhook",
            "tags": tags,
            "fingerprint": ["omnitron-order-webhook", "failed", reason, type(error).__name__],
        }
    )
    return _capture(client, scrub(event, sensitive_values))


def _capture(client, event):
    try:
        # An empty scope of our own: nothing of the process's scopes (request,
        # user, breadcrumbs) is merged into the event.
        return client.capture_event(event=event, scope=sentry_sdk.Scope())
    except Exception:  # noqa: BLE001 - reporting must never break the webhook
        _logger.warning("Could not report an Omnitron webhook event to Sentry", exc_info=True)
        return None


def scrub(value, sensitive_values):
    """Replace every sensitive value (and any ``Token <key>``) inside ``value``."""
    secrets = sorted({text for text in sensitive_values if isinstance(text, str) and len(text) >= 3}, key=len)
    secrets.reverse()  # longest first, so a value containing another is replaced whole

    def clean(item):
        if isinstance(item, str):
            for secret in secrets:
                if secret in item:
                    item = item.replace(secret, FILTERED)
            return item
        if isinstance(item, dict):
            return {key: clean(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [clean(inner) for inner in item]
        return item

    return clean(value)


def _drop_request_data(event, _hint):
    """Our private client's last line: no request, user or extra data at all."""
    for key in ("request", "user", "extra", "breadcrumbs"):
        event.pop(key, None)
    return event
