"""The admin's settings: parsed, validated and explained in one place.

Settings live in ``ir.config_parameter`` as text. ``parse_settings`` turns the
stored texts into a typed ``Settings`` or raises ``ConfigError`` naming the
key and what is wrong; the settings form shows the same message, and the
webhook answers 500 ``config_error`` when a value was stored invalid some
other way (it never quietly accepts or rejects everything).
"""

import contextlib
import dataclasses
import ipaddress
import json
import socket
import urllib.parse

from . import const


def _lt(message):
    """Mark ``message`` for translation: Odoo's exporter collects ``_lt("…")``
    calls, and the Odoo side translates the message when it shows it
    (``models/res_config_settings.py``). The pure core only keeps English."""
    return message


PREFIX = "omnitron_order_webhook."


class Secret(str):
    """A password: its ``repr`` never shows it (logs, Sentry's frame variables, tracebacks)."""

    def __repr__(self):
        return "'********'" if self else "''"


class ConfigError(ValueError):
    """A setting's stored value is not valid; the message names it.

    ``message`` is an English template with ``%(name)s`` fields and
    ``params`` its values, so the settings form can show it translated.
    """

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(message % params)


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
class Setting:
    """One setting of the addon: where it is stored, its type, default and range.

    ``SETTINGS`` below is the one declaration of every setting: parsing, the
    ``Settings`` value, the settings form's fields, defaults and constraints
    all derive from it. Adding a setting is one line here plus its view.
    """

    name: str  # attribute of Settings; the form's field is "omnitron_" + name
    kind: str  # "integer", "boolean", "key", "text", "url", "secret", "dsn" or "order_filtering"
    default: object
    label: str
    minimum: int | None = None
    maximum: int | None = None
    help: str = ""
    on_form: bool = True  # False: the form shows it through other fields

    @property
    def key(self):
        """The ir.config_parameter key."""
        return PREFIX + self.name

    @property
    def field_name(self):
        return self.name if self.name.startswith("omnitron_") else "omnitron_" + self.name


SETTINGS = (
    Setting(
        "min_order_omnitron_id",
        "integer",
        0,
        "Minimum Omnitron ID",
        minimum=0,
        maximum=const.MAX_DB_INTEGER,
        help="MIN_ORDER_OMNITRON_ID: orders whose Omnitron pk is below this are ignored (0: no minimum).",
    ),
    # Shown on the form as two fields (allowed channels, property rules).
    Setting("order_filtering", "order_filtering", OrderFiltering(), "Order Filtering", on_form=False),
    Setting(
        "create_missing_products",
        "boolean",
        True,
        "Create Missing Products",
        help="Create a product for an sku Odoo does not know. Off: such orders are ignored (product_not_found).",
    ),
    Setting(
        "apply_updates",
        "boolean",
        True,
        "Apply Omnitron's Updates",
        help="A later delivery of an imported order changes it (status, tracking, invoice, cancellation, refund). "
        "Off: such deliveries are ignored (duplicate_order).",
    ),
    Setting(
        "item_quantity_key",
        "key",
        "quantity",
        "Item Quantity Attribute",
        help="The key of an item's attributes holding how many units a merged item stands for.",
    ),
    Setting(
        "max_order_units",
        "integer",
        const.DEFAULT_MAX_ORDER_UNITS,
        "Most Units per Order",
        minimum=1,
        maximum=const.MAX_ORDER_UNITS,
        help="An order whose items stand for more units in all (merged items counted by their units) is refused "
        "as invalid (400).",
    ),
    Setting("event_retention_days", "integer", 90, "Keep Webhook Events (days)", minimum=1, maximum=3650),  # days
    Setting(
        "max_body_bytes",
        "integer",
        5 * 1024 * 1024,  # bytes
        "Body Size Limit (bytes)",
        minimum=1024,
        maximum=64 * 1024 * 1024,  # Odoo itself refuses bodies above 128 MiB
    ),
    # requests per minute and token
    Setting("rate_limit_per_token", "integer", 600, "Requests per Minute and Token", minimum=1, maximum=1_000_000),
    # failed authentications per minute and client IP
    Setting(
        "rate_limit_failed_auth_per_ip",
        "integer",
        30,
        "Failed Logins per Minute and IP",
        minimum=1,
        maximum=1_000_000,
    ),
    Setting(
        "sandbox_api_urls",
        "boolean",
        False,
        "Allow Sandbox API URLs",
        help="Omnitron accounts may call plain http:// and private, loopback or link-local addresses: a test "
        "Omnitron on the local network. Leave off in production: the API password then only ever goes to a public "
        "https:// address.",
    ),
    Setting(
        "sentry_dsn",
        "dsn",
        None,
        "Sentry DSN",
        help="Where ignored and failed orders are reported. Unused when Odoo already runs a Sentry client.",
    ),
)
# The connection to Omnitron's API moved to each Omnitron account
# (``omnitron.account``, one per Omnitron installation); these keys of
# earlier versions are read once by the migration to 18.0.1.4.0, then removed.
LEGACY_CONNECTION_KEYS = tuple(
    PREFIX + name
    for name in (
        "outbound_enabled",
        "omnitron_api_url",
        "omnitron_api_username",
        "omnitron_api_password",
        "cancellation_reason_id",
        "outbound_timeout_seconds",
    )
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}
ALL_KEYS = tuple(setting.key for setting in SETTINGS)

# The parsed settings, one attribute per declared setting.
Settings = dataclasses.make_dataclass(
    "Settings",
    [(setting.name, object, dataclasses.field(default=setting.default)) for setting in SETTINGS],
    frozen=True,
)
Settings.__doc__ = "The admin's settings, parsed: one attribute per entry of SETTINGS."


def key_of(name):
    """The ir.config_parameter key of setting ``name``."""
    return SETTINGS_BY_NAME[name].key


def parse_settings(stored):
    """``stored`` maps keys to the texts in ir.config_parameter (absent: default)."""
    return Settings(**{setting.name: parse_value(setting, stored.get(setting.key)) for setting in SETTINGS})


def parse_value(setting, value, label=None):
    """The typed value of one setting from its stored text (None or blank: its default)."""
    text = value.strip() if isinstance(value, str) and value.strip() else None
    where = label or setting.key
    if setting.kind == "integer":
        return parse_integer(text, where, setting.minimum, setting.default, setting.maximum)
    if setting.kind == "boolean":
        return parse_boolean(text, where, setting.default)
    if setting.kind == "dsn":
        return parse_dsn(text, where)
    if setting.kind == "key":
        return parse_key(text, where, setting.default)
    if setting.kind == "text":
        return parse_text(text, where)
    if setting.kind == "url":
        return parse_url(text, where)
    if setting.kind == "secret":
        # A password is taken as typed: spaces may be part of it.
        return Secret(value) if isinstance(value, str) and value else None
    return parse_order_filtering(text, where)


def parse_integer(value, key, minimum, default, maximum=None):
    if value is None:
        return default
    try:
        if not value.isascii():  # int() reads other scripts' digits too: "١٠٠" would be 100
            raise ValueError(value)
        number = int(value)
    except ValueError:
        raise ConfigError(_lt("%(setting)s: %(value)r is not a whole number."), setting=key, value=value) from None
    if minimum is not None and number < minimum:
        raise ConfigError(
            _lt("%(setting)s: %(number)s is below the minimum of %(minimum)s."),
            setting=key,
            number=number,
            minimum=minimum,
        )
    if maximum is not None and number > maximum:
        raise ConfigError(
            _lt("%(setting)s: %(number)s is above the maximum of %(maximum)s."),
            setting=key,
            number=number,
            maximum=maximum,
        )
    return number


def parse_boolean(value, key, default):
    if value is None:
        return default
    lowered = value.lower()
    if lowered in ("1", "true", "yes"):
        return True
    if lowered in ("0", "false", "no"):
        return False
    raise ConfigError(_lt("%(setting)s: %(value)r is not true or false."), setting=key, value=value)


def parse_key(value, key, default):
    """A key of a JSON object in the payload: letters, digits, ``_`` and ``-``, at most 64."""
    if value is None:
        return default
    if len(value) > 64 or not all(char.isalnum() or char in "_-" for char in value):
        raise ConfigError(
            _lt("%(setting)s: %(value)r is not an attribute key (letters, digits, _ and -, at most 64)."),
            setting=key,
            value=value,
        )
    return value


def parse_text(value, key, max_length=256):
    if value is not None and len(value) > max_length:
        raise ConfigError(_lt("%(setting)s: at most %(maximum)s characters."), setting=key, maximum=max_length)
    return value


def parse_url(value, key):
    """An http(s) base URL, without its trailing slash."""
    if value is None:
        return None
    parsed = urllib.parse.urlsplit(value)
    try:
        parsed.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        parsed = None
    if (
        parsed is None
        or parsed.scheme not in ("http", "https")
        or not parsed.hostname
        or "?" in value
        or "#" in value
        or any(character.isspace() for character in value)
    ):
        raise ConfigError(
            _lt("%(setting)s: an http or https base URL such as https://omnitron.example.com, not %(value)r."),
            setting=key,
            value=value,
        )
    if parsed.username is not None or parsed.password is not None:
        # A password in a URL ends up in logs, jobs and error messages: it has a field of its own.
        raise ConfigError(
            _lt("%(setting)s: put the username and password in their own fields, not in the URL."),
            setting=key,
        )
    return value.rstrip("/")


def check_destination(url, key, sandbox=False, resolve=True):
    """Refuse an API URL the account's password must not be sent to (raises ConfigError).

    Omnitron's API is a public ``https://`` address. Plain ``http://`` would send
    the password in clear; a private, loopback, link-local or reserved address
    (the host itself, its internal services, a cloud's metadata address) is
    never Omnitron. Both are allowed only where the Settings administrator
    switched ``sandbox_api_urls`` on, for a test Omnitron. The host's name is
    resolved (``resolve``) and each of its addresses checked, at save and again
    before every call; a name that does not resolve is left to the call to
    report as unreachable.
    """
    parsed = urllib.parse.urlsplit(url)
    if sandbox:
        return
    if parsed.scheme != "https":
        raise ConfigError(
            _lt("%(setting)s: Omnitron's API is called over https only, not %(value)r."), setting=key, value=url
        )
    host = parsed.hostname or ""
    for address in _addresses(host, resolve):
        if not address.is_global:
            raise ConfigError(
                _lt(
                    "%(setting)s: %(host)s is a private, loopback or link-local address (%(address)s), not an "
                    "Omnitron on the internet."
                ),
                setting=key,
                host=host,
                address=str(address),
            )


def _addresses(host, resolve):
    with contextlib.suppress(ValueError):  # not an address: a name
        return [ipaddress.ip_address(host)]
    if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
        return [ipaddress.ip_address("127.0.0.1")]
    if not resolve:
        return []
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def parse_dsn(value, key):
    if value is None:
        return None
    from sentry_sdk.utils import BadDsn, Dsn  # noqa: PLC0415 - only needed when a DSN is set

    try:
        if not value.startswith(("http://", "https://")) or "@" not in value:
            raise BadDsn(value)
        Dsn(value)
    except BadDsn:
        raise ConfigError(
            _lt("%(setting)s: a Sentry DSN looks like https://<key>@<host>/<project>, not %(value)r."),
            setting=key,
            value=value,
        ) from None
    return value


def parse_order_filtering(value, key=PREFIX + "order_filtering"):
    """Parse the ORDER_FILTERING object; see the README for its format.

    >>> parse_order_filtering('{"channels": [20], "properties": {"delivery_type": "same_day"}}').channels
    frozenset({20})
    """
    if value is None:
        return OrderFiltering()
    try:
        document = json.loads(value)
    except ValueError as error:
        raise ConfigError(_lt("%(setting)s: not valid JSON (%(error)s)."), setting=key, error=str(error)) from None
    if not isinstance(document, dict):
        raise ConfigError(_lt('%(setting)s: must be a JSON object such as {"channels": [20]}.'), setting=key)
    unknown = sorted(set(document) - {"channels", "properties"})
    if unknown:
        raise ConfigError(
            _lt('%(setting)s: unknown key %(name)r; only "channels" and "properties" are allowed.'),
            setting=key,
            name=unknown[0],
        )
    return OrderFiltering(
        channels=parse_channels(document.get("channels"), key),
        properties=parse_properties(document.get("properties"), key),
    )


def parse_channels(channels, key):
    if channels is None:
        return frozenset()
    if not isinstance(channels, list):
        raise ConfigError(_lt('%(setting)s: "channels" must be a list of channel ids such as [20, 31].'), setting=key)
    for channel in channels:
        if isinstance(channel, bool) or not isinstance(channel, int) or channel <= 0:
            raise ConfigError(
                _lt("%(setting)s: channel %(channel)r is not a positive integer channel id."),
                setting=key,
                channel=channel,
            )
    return frozenset(channels)


def parse_properties(properties, key):
    if properties is None:
        return ()
    if not isinstance(properties, dict):
        raise ConfigError(
            _lt(
                '%(setting)s: "properties" must be an object mapping a payload path to allowed values, '
                'such as {"delivery_type": ["same_day"]}.'
            ),
            setting=key,
        )
    rules = []
    for path, allowed in properties.items():
        segments = tuple(path.split("."))
        if not path or any(not segment.strip() for segment in segments):
            raise ConfigError(_lt("%(setting)s: property path %(path)r has an empty segment."), setting=key, path=path)
        values = allowed if isinstance(allowed, list) else [allowed]
        if not values:
            raise ConfigError(
                _lt("%(setting)s: property %(path)r allows no value; remove it or list the allowed values."),
                setting=key,
                path=path,
            )
        for value in values:
            if isinstance(value, dict | list):
                raise ConfigError(
                    _lt("%(setting)s: property %(path)r allows %(value)r; only strings, numbers and booleans."),
                    setting=key,
                    path=path,
                    value=value,
                )
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
        if not (part.isascii() and part.isdigit()) or int(part) <= 0:
            raise ConfigError(
                _lt("%(setting)s: %(value)r is not a positive integer channel id."), setting=key, value=part
            )
        channels.append(int(part))
    return frozenset(channels)


def format_properties(properties):
    """For the settings form: the property rules as a JSON object (or '')."""
    if not properties:
        return ""
    return json.dumps(json.loads(OrderFiltering(properties=properties).to_json())["properties"], ensure_ascii=False)


def describe(settings, translate=lambda message: message):
    """One sentence a sales admin reads at a glance in the settings form.

    ``translate`` turns each English template into the reader's language
    (the Odoo side passes its translation function).
    """
    filtering = settings.order_filtering
    if filtering.channels:
        parts = [translate(_lt("orders of channels %(channels)s")) % {"channels": format_channels(filtering.channels)}]
    else:
        parts = [translate(_lt("orders of every channel"))]
    if settings.min_order_omnitron_id:
        parts.append(
            translate(_lt("with an Omnitron id of at least %(minimum)s")) % {"minimum": settings.min_order_omnitron_id}
        )
    for rule in filtering.properties:
        allowed = translate(_lt(" or ")).join(sorted(rule.allowed))
        parts.append(translate(_lt("whose %(path)s is %(allowed)s")) % {"path": rule.dotted, "allowed": allowed})
    return translate(_lt("Accepting %(conditions)s.")) % {"conditions": ", ".join(parts)}
