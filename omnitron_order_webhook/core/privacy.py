"""What of a webhook body is secret or personal, decided in one place.

Three consumers: the event log stores the body without the channel's
credentials (``without_credentials``); Sentry reports replace every
personal or secret text of the body (``sensitive_values``) by ``[Filtered]``;
what Omnitron's API answers is kept (on a job, an order, a log line) only
``without_secrets``: the API password and the session key removed.
"""

import json

FILTERED = "[Filtered]"

# Omnitron's channel configuration: the sales channel's credentials
# (appKey, appSecret…), never stored, logged or reported.
CREDENTIALS_KEY = "conf"

# Fields of the customer and of each address that identify a person.
PERSONAL_KEYS = (
    "first_name",
    "last_name",
    "email",
    "phone_number",
    "line",
    "postcode",
    "tax_no",
    "company_name",
    "title",
    "district",
)
_PEOPLE = ("customer", "billing_address", "shipping_address")

# Fields of an order that say nothing about a person: kept in reports. Every
# other text of the order (remote_addr, notes, anything Omnitron adds later)
# counts as personal, so a filter or a message that names it cannot leak it.
SAFE_KEYS = frozenset(
    {
        "number",
        "tracking_number",
        "invoice_number",
        "status",
        "currency",
        "amount",
        "shipping_amount",
        "price",
        "tax_rate",
        "shipping_tax_rate",
        "sku",
        "erp_code",
        "shipping_company",
        "channel_type",
        "delivery_type",
        "date_placed",
        "code",
    }
)


def without_credentials(document):
    """``document`` without ``payload.channel.conf`` (what the event log stores).

    >>> without_credentials({"payload": {"channel": {"pk": 1, "conf": {"appKey": "k"}}}})
    {'payload': {'channel': {'pk': 1}}}
    """
    if not isinstance(document, dict):
        return document
    payload = document.get("payload")
    if not isinstance(payload, dict) or not isinstance(payload.get("channel"), dict):
        return document
    channel = {key: value for key, value in payload["channel"].items() if key != CREDENTIALS_KEY}
    return {**document, "payload": {**payload, "channel": channel}}


def sensitive_values(document, token=None):
    """Every personal or secret text in a webhook body (and the token), to keep out of reports.

    Customer and address data (``PERSONAL_KEYS``) and everything under the
    channel's credentials, however deep.
    """
    values = set()
    if token:
        values.add(token)
    payload = document.get("payload") if isinstance(document, dict) else None
    if not isinstance(payload, dict):
        return values
    channel = payload.get("channel")
    if isinstance(channel, dict):
        values.update(_all_texts(channel.get(CREDENTIALS_KEY)))
    values.update(_unsafe_texts(payload))
    for key in _PEOPLE:
        person = payload.get(key)
        if isinstance(person, dict):
            values.update(_texts_of(person, PERSONAL_KEYS))
            if isinstance(person.get("customer"), dict):
                values.update(_texts_of(person["customer"], PERSONAL_KEYS))
    return values


def _unsafe_texts(payload):
    """Every string of the order outside ``SAFE_KEYS``, however deep (no recursion)."""
    texts, pending = set(), [payload]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(value for key, value in item.items() if key not in SAFE_KEYS)
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            texts.add(item)
    return texts


def _texts_of(data, keys):
    return {
        str(data[key]) for key in keys if isinstance(data.get(key), str | int) and not isinstance(data.get(key), bool)
    }


def _all_texts(value):
    """Every string or integer inside ``value``, however deep (no recursion)."""
    texts, pending = set(), [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str | int) and not isinstance(item, bool):
            texts.add(str(item))
    return texts


def without_secrets(text, secrets):
    """``text`` with each of ``secrets`` replaced by ``[Filtered]``, also where JSON escaped it.

    For what a remote answer may echo of a request (a password, a key):
    call it before cutting the text, so no part of a secret survives the cut.

    >>> without_secrets('{"detail": "bad password \\u015eifre1"}', ["Şifre1"])
    '{"detail": "bad password [Filtered]"}'
    """
    if not isinstance(text, str):
        return text
    spellings = set()
    for secret in secrets:
        if isinstance(secret, str) and secret:
            secret = str.__str__(secret)  # a Secret's own str(), never its masked repr
            for ascii_only in (True, False):
                escaped = json.dumps(secret, ensure_ascii=ascii_only)[1:-1]
                spellings.update({secret, escaped, escaped.replace("/", "\\/")})
    for spelling in sorted(spellings, key=len, reverse=True):  # longest first: a secret inside another goes whole
        text = text.replace(spelling, FILTERED)
    return text
