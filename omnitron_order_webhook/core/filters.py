"""The admin's filters, applied to a validated delivery before any import.

Checks run in a fixed order and the first that applies answers (202):
``below_min_omnitron_id``, ``channel_not_allowed``, ``property_mismatch``.
The database checks (duplicate, carrier, products) follow in the service.
"""

from . import responses
from .const import REASON_BELOW_MIN_OMNITRON_ID, REASON_CHANNEL_NOT_ALLOWED, REASON_PROPERTY_MISMATCH
from .settings import as_text

_MISSING = object()


def check_filters(settings, order, payload, own_channels=frozenset):
    """Return the 202 Outcome of the first filter that refuses, or None.

    ``order`` is the validated order; ``payload`` the raw payload object, in
    which property rules look up their dotted paths. The channel filter is
    one for the whole database, so a refusal names only the allowed channels
    among the sender's own: ``own_channels`` gives their ids (asked only then),
    and another company's channels are none of this sender's business.
    """
    if order.pk < settings.min_order_omnitron_id:
        return responses.Outcome.ignored(
            REASON_BELOW_MIN_OMNITRON_ID,
            f"Omnitron id {order.pk} is below the minimum of {settings.min_order_omnitron_id} "
            "set in MIN_ORDER_OMNITRON_ID.",
        )
    filtering = settings.order_filtering
    if filtering.channels and order.channel.pk not in filtering.channels:
        return channel_refused(order.channel.pk, filtering.channels & frozenset(own_channels()), "in ORDER_FILTERING")

    for rule in filtering.properties:
        found = lookup(payload, rule.path)
        if found is _MISSING:
            return responses.Outcome.ignored(
                REASON_PROPERTY_MISMATCH,
                f"Property {rule.dotted} is missing from the order; ORDER_FILTERING allows {_allowed(rule)}.",
            )
        if isinstance(found, dict | list) or as_text(found) not in rule.allowed:
            shown = "an object or list" if isinstance(found, dict | list) else repr(as_text(found))
            return responses.Outcome.ignored(
                REASON_PROPERTY_MISMATCH,
                f"Property {rule.dotted} is {shown}; ORDER_FILTERING allows {_allowed(rule)}.",
            )
    return None


def channel_refused(channel_pk, accepted, where):
    """The 202 of an order whose channel is not accepted; ``accepted``: the sender's channels that are."""
    allowed = ", ".join(str(channel) for channel in sorted(accepted)) or "none of this account's"
    return responses.Outcome.ignored(
        REASON_CHANNEL_NOT_ALLOWED,
        f"Channel {channel_pk} is not one of the allowed channels ({allowed}) {where}.",
    )


def lookup(document, path):
    """The value at ``path`` (a tuple of keys) in nested objects, or _MISSING."""
    value = document
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _allowed(rule):
    return ", ".join(repr(value) for value in sorted(rule.allowed))
