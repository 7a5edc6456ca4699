"""The admin's settings: parsed, validated and explained in one place.

Settings live in ``ir.config_parameter`` as text. ``parse_settings`` turns the
stored texts into a typed ``Settings`` or raises ``ConfigError`` naming the
key and what is wrong; the settings form shows the same message, and the
webhook answers 500 ``config_error`` when a value was stored invalid some
other way (it never quietly accepts or rejects everything).
"""

import dataclasses
import json

from . import const

PREFIX = "omnitron_order_webhook."
KEY_MIN_ORDER_OMNITRON_ID = PREFIX + "min_order_omnitron_id"
KEY_ORDER_FILTERING = PREFIX + "order_filtering"
KEY_CREATE_MISSING_PRODUCTS = PREFIX + "create_missing_products"
KEY_EVENT_RETENTION_DAYS = const.PARAM_EVENT_RETENTION_DAYS
KEY_MAX_BODY_BYTES = const.PARAM_MAX_BODY_BYTES
KEY_RATE_LIMIT_PER_TOKEN = PREFIX + "rate_limit_per_token"
KEY_RATE_LIMIT_FAILED_AUTH = PREFIX + "rate_limit_failed_auth_per_ip"
KEY_SENTRY_DSN = PREFIX + "sentry_dsn"

ALL_KEYS = (
    KEY_MIN_ORDER_OMNITRON_ID,
    KEY_ORDER_FILTERING,
    KEY_CREATE_MISSING_PRODUCTS,
    KEY_EVENT_RETENTION_DAYS,
    KEY_MAX_BODY_BYTES,
    KEY_RATE_LIMIT_PER_TOKEN,
    KEY_RATE_LIMIT_FAILED_AUTH,
    KEY_SENTRY_DSN,
)

DEFAULT_RATE_LIMIT_PER_TOKEN = 600  # requests per minute and token
DEFAULT_RATE_LIMIT_FAILED_AUTH = 30  # failed authentications per minute and client IP


class ConfigError(ValueError):
    """A setting's stored value is not valid; the message names it."""


@dataclasses.dataclass(frozen=True)
class PropertyRule:
    path: tuple  # keys into the payload, e.g. ("channel", "channel_type")
    allowed: frozenset  # allowed values, compared as strings

    @property
    def dotted(self):
        return ".".join(self.path)


@dataclasses.dataclass(frozen=True)
class OrderFiltering:
    channels: frozenset = frozenset()  # empty: every channel
    properties: tuple = ()  # PropertyRule, in the order written

    def to_json(self):
        document = {}
        if self.channels:
            document["channels"] = sorted(self.channels)
        if self.properties:
            document["properties"] = {
                rule.dotted: sorted(rule.allowed)[0] if len(rule.allowed) == 1 else sorted(rule.allowed)
                for rule in self.properties
            }
        return json.dumps(document, ensure_ascii=False)


@dataclasses.dataclass(frozen=True)
class Settings:
    min_order_omnitron_id: int = 0
    order_filtering: OrderFiltering = OrderFiltering()
    create_missing_products: bool = True
    event_retention_days: int = const.DEFAULT_EVENT_RETENTION_DAYS
    max_body_bytes: int = const.DEFAULT_MAX_BODY_BYTES
    rate_limit_per_token: int = DEFAULT_RATE_LIMIT_PER_TOKEN
    rate_limit_failed_auth: int = DEFAULT_RATE_LIMIT_FAILED_AUTH
    sentry_dsn: str | None = None


def parse_settings(stored):
    """``stored`` maps keys to the texts in ir.config_parameter (absent: default)."""

    def text(key):
        value = stored.get(key)
        return value.strip() if isinstance(value, str) and value.strip() else None

    defaults = Settings()
    return Settings(
        min_order_omnitron_id=parse_integer(
            text(KEY_MIN_ORDER_OMNITRON_ID), KEY_MIN_ORDER_OMNITRON_ID, 0, defaults.min_order_omnitron_id
        ),
        order_filtering=parse_order_filtering(text(KEY_ORDER_FILTERING)),
        create_missing_products=parse_boolean(
            text(KEY_CREATE_MISSING_PRODUCTS), KEY_CREATE_MISSING_PRODUCTS, defaults.create_missing_products
        ),
        event_retention_days=parse_integer(
            text(KEY_EVENT_RETENTION_DAYS), KEY_EVENT_RETENTION_DAYS, 1, defaults.event_retention_days
        ),
        max_body_bytes=parse_integer(text(KEY_MAX_BODY_BYTES), KEY_MAX_BODY_BYTES, 1024, defaults.max_body_bytes),
        rate_limit_per_token=parse_integer(
            text(KEY_RATE_LIMIT_PER_TOKEN), KEY_RATE_LIMIT_PER_TOKEN, 1, defaults.rate_limit_per_token
        ),
        rate_limit_failed_auth=parse_integer(
            text(KEY_RATE_LIMIT_FAILED_AUTH), KEY_RATE_LIMIT_FAILED_AUTH, 1, defaults.rate_limit_failed_auth
        ),
        sentry_dsn=parse_dsn(text(KEY_SENTRY_DSN), KEY_SENTRY_DSN),
    )


def parse_integer(value, key, minimum, default):
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not a whole number.") from None
    if number < minimum:
        raise ConfigError(f"{key}: {number} is below the minimum of {minimum}.")
    return number


def parse_boolean(value, key, default):
    if value is None:
        return default
    lowered = value.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise ConfigError(f"{key}: {value!r} is not true or false.")


def parse_dsn(value, key):
    if value is None:
        return None
    try:
        from sentry_sdk.utils import BadDsn, Dsn  # noqa: PLC0415 - only needed when a DSN is set
    except ImportError:  # pragma: no cover - sentry-sdk is a declared dependency
        BadDsn, Dsn = ValueError, None
    try:
        if not value.startswith(("http://", "https://")) or "@" not in value:
            raise BadDsn(value)
        if Dsn is not None:
            Dsn(value)
    except BadDsn:
        raise ConfigError(f"{key}: a Sentry DSN looks like https://<key>@<host>/<project>, not {value!r}.") from None
    return value


def parse_order_filtering(value, key=KEY_ORDER_FILTERING):
    """Parse the ORDER_FILTERING object; see the README for its format.

    >>> parse_order_filtering('{"channels": [20], "properties": {"delivery_type": "same_day"}}').channels
    frozenset({20})
    """
    if value is None:
        return OrderFiltering()
    try:
        document = json.loads(value)
    except ValueError as error:
        raise ConfigError(f"{key}: not valid JSON ({error}).") from None
    if not isinstance(document, dict):
        raise ConfigError(f'{key}: must be a JSON object such as {{"channels": [20]}}.')
    unknown = sorted(set(document) - {"channels", "properties"})
    if unknown:
        raise ConfigError(f'{key}: unknown key {unknown[0]!r}; only "channels" and "properties" are allowed.')
    return OrderFiltering(
        channels=parse_channels(document.get("channels"), key),
        properties=parse_properties(document.get("properties"), key),
    )


def parse_channels(channels, key=KEY_ORDER_FILTERING):
    if channels is None:
        return frozenset()
    if not isinstance(channels, list):
        raise ConfigError(f'{key}: "channels" must be a list of channel ids such as [20, 31].')
    for channel in channels:
        if isinstance(channel, bool) or not isinstance(channel, int) or channel <= 0:
            raise ConfigError(f"{key}: channel {channel!r} is not a positive integer channel id.")
    return frozenset(channels)


def parse_properties(properties, key=KEY_ORDER_FILTERING):
    if properties is None:
        return ()
    if not isinstance(properties, dict):
        raise ConfigError(
            f'{key}: "properties" must be an object mapping a payload path to allowed values, '
            'such as {"delivery_type": ["same_day"]}.'
        )
    rules = []
    for path, allowed in properties.items():
        segments = tuple(path.split("."))
        if not path or any(not segment.strip() for segment in segments):
            raise ConfigError(f"{key}: property path {path!r} has an empty segment.")
        values = allowed if isinstance(allowed, list) else [allowed]
        if not values:
            raise ConfigError(f"{key}: property {path!r} allows no value; remove it or list the allowed values.")
        for value in values:
            if isinstance(value, dict | list):
                raise ConfigError(f"{key}: property {path!r} allows {value!r}; only strings, numbers and booleans.")
        rules.append(PropertyRule(path=segments, allowed=frozenset(as_text(value) for value in values)))
    return tuple(rules)


def as_text(value):
    """How a payload or setting value is compared: as a string (JSON spelling for booleans and null)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return str(value)


def format_channels(channels):
    """For the settings form: ``frozenset({31, 20})`` -> ``'20, 31'``."""
    return ", ".join(str(channel) for channel in sorted(channels))


def parse_channel_list(text, key="Allowed channels"):
    """The settings form's comma-separated channel ids -> frozenset of ints."""
    if not text or not text.strip():
        return frozenset()
    channels = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit() or int(part) <= 0:
            raise ConfigError(f"{key}: {part!r} is not a positive integer channel id.")
        channels.append(int(part))
    return frozenset(channels)


def format_properties(properties):
    """For the settings form: the property rules as a JSON object (or '')."""
    if not properties:
        return ""
    return json.dumps(json.loads(OrderFiltering(properties=properties).to_json())["properties"], ensure_ascii=False)


def describe(settings):
    """One sentence a sales admin reads at a glance in the settings form."""
    parts = []
    filtering = settings.order_filtering
    parts.append(
        f"orders of channels {format_channels(filtering.channels)}" if filtering.channels else "orders of every channel"
    )
    if settings.min_order_omnitron_id:
        parts.append(f"with an Omnitron id of at least {settings.min_order_omnitron_id}")
    for rule in filtering.properties:
        allowed = " or ".join(sorted(rule.allowed))
        parts.append(f"whose {rule.dotted} is {allowed}")
    return "Accepting " + ", ".join(parts) + "."
