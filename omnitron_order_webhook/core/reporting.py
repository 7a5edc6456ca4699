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
import traceback

import sentry_sdk
from sentry_sdk.consts import DEFAULT_OPTIONS

from . import const, privacy
from .const import STATE_FAILED, STATE_IGNORED

_logger = logging.getLogger(__name__)

FILTERED = privacy.FILTERED
_private_clients = {}  # dsn -> sentry_sdk.Client
_private_clients_lock = threading.Lock()

MAX_VALUE_LENGTH = 1024  # characters of an exception's message
IN_APP_PREFIX = "odoo.addons.omnitron_order_webhook"


def private_client_options():
    """The private client's options under the installed sentry-sdk major.

    sentry-sdk 2 says "no local variables, no source" with
    ``include_local_variables`` / ``include_source_context``; sentry-sdk 3
    removed both (an unknown option is a TypeError) for ``data_collection``,
    whose defaults collect frame variables and user data. Either way the
    same privacy: nothing collected automatically, no stack attached to a
    message (``attach_stacktrace`` is on by default from 3.0).
    """
    options = {
        "default_integrations": False,
        "auto_enabling_integrations": False,
        "attach_stacktrace": False,
        "before_send": _drop_request_data,
    }
    if "data_collection" in DEFAULT_OPTIONS:  # sentry-sdk 3 (and the last 2.x releases)
        options["data_collection"] = {
            "user_info": False,
            "stack_frame_variables": False,
            "frame_context_lines": 0,
            "http_bodies": [],
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "off"}, "response": {"mode": "off"}},
            "url_query_params": {"mode": "off"},
        }
    else:  # sentry-sdk 2 (send_default_pii is off by default)
        options["include_local_variables"] = False
        options["include_source_context"] = False
    return {key: value for key, value in options.items() if key in DEFAULT_OPTIONS}


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
            client = sentry_sdk.Client(dsn, transport=transport, **private_client_options())
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
        # No stack: a client with attach_stacktrace (sentry-sdk 3's default)
        # attaches one only to an event without threads, with its frames' variables.
        "threads": {"values": []},
    }
    return _capture(client, event)


def report_failure(client, error, *, reason, tags, sensitive_values=()):
    """A failed import or a configuration error, as the exception itself (or its ``sys.exc_info()``)."""
    if client is None:
        return None
    event = {
        "exception": {"values": exception_values(error)},
        "level": "error",
        "logger": "omnitron_order_webhook",
        "tags": tags,
        "fingerprint": ["omnitron-order-webhook", "failed", reason, type(error).__name__],
    }
    return _capture(client, scrub(event, sensitive_values))


def exception_values(error):
    """Sentry's exception interface for ``error`` and its causes, oldest first.

    Built here rather than by ``sentry_sdk.utils.event_from_exception``: that
    helper serialises each frame's local variables by the options of the
    process's *global* client (sentry-sdk 3 takes no options of ours), so
    the payload's values could leave through another client's settings.
    Each frame says where (module, function, line), never what it held.
    """
    if isinstance(error, tuple):  # a sys.exc_info()
        error = error[1]
    chain, seen = [], set()
    while error is not None and id(error) not in seen and len(chain) < 10:
        seen.add(id(error))
        chain.append(error)
        error = error.__cause__ or (None if error.__suppress_context__ else error.__context__)
    values = []
    for item in reversed(chain):
        frames = []
        for frame, lineno in traceback.walk_tb(item.__traceback__):
            module = frame.f_globals.get("__name__")
            frames.append(
                {
                    "filename": frame.f_code.co_filename,
                    "function": frame.f_code.co_name,
                    "module": module,
                    "lineno": lineno,
                    "in_app": bool(module and module.startswith(IN_APP_PREFIX)),
                }
            )
        values.append(
            {
                "type": type(item).__name__,
                "module": type(item).__module__,
                "value": str(item)[:MAX_VALUE_LENGTH],
                "mechanism": {"type": "omnitron_order_webhook", "handled": True},
                "stacktrace": {"frames": frames},
            }
        )
    return values


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
    stacks = [value.get("stacktrace") for value in (event.get("exception") or {}).get("values") or ()]
    stacks += [thread.get("stacktrace") for thread in (event.get("threads") or {}).get("values") or ()]
    for stack in stacks:
        for frame in (stack or {}).get("frames") or ():
            for key in ("vars", "pre_context", "context_line", "post_context"):
                frame.pop(key, None)
    return event
