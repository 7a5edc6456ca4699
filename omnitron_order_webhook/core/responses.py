"""What the webhook answers, as plain values the controller turns into HTTP."""

import dataclasses
import re

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from . import const
from .const import STATE_DONE, STATE_FAILED, STATE_IGNORED, STATE_REJECTED, STATE_UPDATED

# The language of every answer: Omnitron reads a machine contract, whoever sends
# and whatever the request's Accept-Language. Chatter and screens have their readers'.
ANSWER_LANG = "en_US"
_TOKEN_HEADER = re.compile(r"^\s*token\s+([A-Za-z0-9_\-]{16,128})\s*$", re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One answer: HTTP status, JSON body (None for 204) and the event's state."""

    status: int
    body: dict | None
    state: str
    reason: str | None = None
    detail: str | None = None

    @classmethod
    def created(cls, detail=None):
        return cls(204, None, STATE_DONE, None, detail)

    @classmethod
    def updated(cls, detail):
        """202: an imported order was changed; the body says what."""
        return cls(
            202,
            {"reason": const.REASON_ORDER_UPDATED, "detail": detail},
            STATE_UPDATED,
            const.REASON_ORDER_UPDATED,
            detail,
        )

    @classmethod
    def plan_recorded(cls, detail):
        """204: a cancellation plan was recorded on its order."""
        return cls(204, None, STATE_UPDATED, None, detail)

    @classmethod
    def ignored(cls, reason, detail):
        return cls(202, {"reason": reason, "detail": detail}, STATE_IGNORED, reason, detail)

    @classmethod
    def error(cls, code, detail, state=STATE_REJECTED, **extra):
        """A 4xx or 5xx answer; its HTTP status is the code's (const.ERROR_STATUSES)."""
        return cls(const.ERROR_STATUSES[code], {"error": code, "detail": detail, **extra}, state, code, detail)

    def with_detail(self, detail):
        """The same answer, with another detail kept on the event (not in the body)."""
        return dataclasses.replace(self, detail=detail)


UNAUTHORIZED = Outcome.error(const.ERROR_UNAUTHORIZED, "Authentication credentials were not provided or are not valid.")
FORBIDDEN = Outcome.error(const.ERROR_FORBIDDEN, "This user is not allowed to send Omnitron orders.")
NOT_ACCEPTABLE = Outcome.error(
    const.ERROR_NOT_ACCEPTABLE, "This endpoint answers in application/json; the Accept header does not allow it."
)
UNSUPPORTED_MEDIA_TYPE = Outcome.error(
    const.ERROR_UNSUPPORTED_MEDIA_TYPE, "Send the order as a JSON body with Content-Type: application/json."
)
METHOD_NOT_ALLOWED = Outcome.error(const.ERROR_METHOD_NOT_ALLOWED, "Only POST is allowed on this endpoint.")


def rate_limited(retry_after):
    return Outcome.error(
        const.ERROR_RATE_LIMITED, f"Too many requests; retry in {retry_after} seconds.", retry_after=retry_after
    )


def config_error(error):
    return Outcome.error(
        const.ERROR_CONFIG,
        f"The webhook's settings are not valid, so no order is imported: {error} "
        "An administrator must correct them in Sales settings.",
        state=STATE_FAILED,
    )


def company_config_error(detail):
    """The sender's company cannot hold an order (no chart of accounts, no fiscal country)."""
    return Outcome.error(const.ERROR_CONFIG, detail, state=STATE_FAILED)


def too_large(limit):
    return Outcome.error(const.ERROR_PAYLOAD_TOO_LARGE, f"The request body is larger than the limit of {limit} bytes.")


def invalid_json(detail):
    return Outcome.error(const.ERROR_INVALID_JSON, detail)


def invalid_payload(errors):
    """400 naming every bad field; ``errors`` are validation.FieldError."""
    fields = [{"path": error.path, "message": error.message} for error in errors]
    detail = "The order is not valid: " + "; ".join(str(error) for error in errors)
    return Outcome.error(const.ERROR_INVALID_PAYLOAD, detail, errors=fields)


def internal_error(event_uuid):
    return Outcome.error(
        const.ERROR_INTERNAL,
        "The order could not be imported because of an unexpected error; nothing was saved. "
        "The error is logged under this event's uuid.",
        state=STATE_FAILED,
        event_uuid=event_uuid,
    )


def token_from_header(value):
    """The key of an ``Authorization: Token <key>`` header, or None."""
    match = _TOKEN_HEADER.match(value or "")
    return match.group(1) if match else None


def accepts_json(accept_header):
    """Whether an Accept header admits ``application/json`` (absent: yes)."""
    if not accept_header or not accept_header.strip():
        return True
    accept = parse_accept_header(accept_header, MIMEAccept)
    return accept.best_match(["application/json"]) is not None
