"""Parse and validate the webhook body into typed, immutable values.

Every problem is collected with the path of the field it concerns (for example
``payload.orderitem_set[0].price``) so that the sender learns all it must fix
from one answer. Only the fields the import uses are checked; Omnitron sends
many more and those are ignored.
"""

import dataclasses
import json
import re
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation

from . import const


class InvalidJson(ValueError):
    """The body is not a JSON document."""


@dataclasses.dataclass(frozen=True)
class FieldError:
    path: str
    message: str

    def __str__(self):
        return f"{self.path}: {self.message}"


class InvalidPayload(ValueError):
    """The body is JSON but does not describe an order we can import."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(str(error) for error in self.errors))


@dataclasses.dataclass(frozen=True)
class Channel:
    pk: int
    name: str
    channel_type: str | None


@dataclasses.dataclass(frozen=True)
class Customer:
    pk: int
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None


@dataclasses.dataclass(frozen=True)
class Address:
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    country_code: str
    city: str | None
    township: str | None
    district: str | None
    postcode: str | None
    line: str | None
    company_name: str | None
    tax_no: str | None
    tax_office: str | None
    identity_number: str | None = None  # the TCKN of a person (e-Arşiv), when Omnitron has it
    e_bill_taxpayer: bool | None = None  # registered for e-Fatura, as Omnitron knows it


@dataclasses.dataclass(frozen=True)
class Product:
    pk: int | None
    sku: str
    name: str


@dataclasses.dataclass(frozen=True)
class Item:
    pk: int
    product: Product
    status: str
    price: Decimal
    tax_rate: Decimal | None
    tracking_number: str | None
    invoice_number: str | None
    invoice_date: datetime | None
    e_archive_url: str | None = None
    quantity: int = 1  # units this item stands for (a merged item), from its attributes


@dataclasses.dataclass(frozen=True)
class CargoCompany:
    name: str | None
    shipping_company: str
    erp_code: str


@dataclasses.dataclass(frozen=True)
class Order:
    pk: int
    number: str
    channel: Channel
    status: str
    status_name: str
    date_placed: datetime
    customer: Customer
    billing_address: Address
    shipping_address: Address
    currency: str
    amount: Decimal
    shipping_amount: Decimal
    shipping_tax_rate: Decimal | None
    items: tuple
    cargo_company: CargoCompany
    delivery_type: str | None
    has_gift_box: bool
    gift_box_note: str | None
    tracking_number: str | None
    tracking_url: str | None
    invoice_number: str | None
    invoice_date: datetime | None
    e_archive_url: str | None
    refund_amount: Decimal | None = None
    modified_date: datetime | None = None
    notes: str | None = None  # the customer's note to the order (delivery instructions)
    delivery_start: datetime | None = None  # the delivery slot chosen (delivery_range)
    delivery_end: datetime | None = None
    discount_amount: Decimal | None = None  # what the promotions took off the order
    discounts: tuple = ()  # (name, amount) of each promotion line (discountitem_set)


@dataclasses.dataclass(frozen=True)
class WebhookCall:
    """One call of the webhook: Omnitron's event and the order it carries."""

    event_type: str
    event_uuid: str
    order: Order


@dataclasses.dataclass(frozen=True)
class PlanOrder:
    """The order of a cancellation plan: flat, only what finds it and its status."""

    pk: int
    number: str
    channel: Channel  # only its pk is sure: the plan's channel may be a bare id
    status: str | None
    status_name: str | None
    refund_amount: Decimal | None
    modified_date: datetime | None


@dataclasses.dataclass(frozen=True)
class CancellationPlanCall:
    """One call of the cancellation-plan webhook."""

    event_type: str
    event_uuid: str
    plan_pk: int
    plan_type: str  # "cancel" or "refund" (absent: cancel)
    order: PlanOrder
    # The Omnitron items the plan cancels or refunds (cancellationplanorderitem_set), in
    # order; None when the plan does not list them (the public sample stops before them).
    item_pks: tuple | None = None


_MISSING = object()
DEFAULT_QUANTITY_KEY = "quantity"
PLAN_TYPES = ("cancel", "refund")
_SPACED_TIME = re.compile(r":\s+")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_STATUS = re.compile(r"^[0-9]{1,4}$")
# A unit count written as text: ASCII digits only (str.isdecimal() and int() take "١٢" as 12).
_ASCII_UNITS = re.compile(r"[0-9]{1,9}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def decode_json(body):
    """Return the JSON document in ``body`` (bytes), or raise InvalidJson."""
    if not body or not body.strip():
        raise InvalidJson("The request body is empty; a JSON object is expected.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidJson(f"The request body is not valid UTF-8 (byte {error.start}).") from None
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise InvalidJson(
            f"The request body is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise InvalidJson("The request body is nested too deeply to be an order.") from None
    except ValueError as error:  # e.g. an integer of more than 4300 digits
        raise InvalidJson(f"The request body is not valid JSON: {error}.") from None
    if _depth_over(document, const.MAX_DEPTH):
        raise InvalidJson(f"The request body is nested more than {const.MAX_DEPTH} levels deep; an order is not.")
    if "\\u0000" in text:
        # Valid JSON, but no PostgreSQL text can hold it: not even the event row
        # that keeps a refused body's number and uuid could be written.
        paths = _nul_paths(document)
        if paths:
            shown = ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
            raise InvalidJson(f"{shown}: may not contain NUL characters (\\u0000); no text of the body may.")
    if _SURROGATE_ESCAPE.search(text):
        # "\ud800" is valid JSON but no valid text: it could not be stored.
        try:
            json.dumps(document, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidJson("The request body contains a lone UTF-16 surrogate (\\ud800-\\udfff).") from None
    return document


def _depth_over(document, limit):
    """Whether objects and lists nest deeper than ``limit`` (iterative: no recursion)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _nul_paths(document):
    """The paths of the texts (values or keys) of ``document`` holding a NUL character, in document order."""
    found = []
    pending = [(document, "body")]
    while pending:
        value, path = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                found.append(path)
        elif isinstance(value, dict):
            children = []
            for key, child in value.items():
                if "\x00" in key:
                    found.append(path)
                children.append((child, key if path == "body" else f"{path}.{key}"))
            pending.extend(reversed(children))
        elif isinstance(value, list):
            pending.extend(reversed([(child, f"{path}[{index}]") for index, child in enumerate(value)]))
    return list(dict.fromkeys(found))


def _reject_constant(name):
    raise InvalidJson(f"The request body is not valid JSON: {name} is not a JSON number.")


class _Reader:
    """Reads typed values out of nested JSON, collecting errors by path.

    ``now`` (naive UTC) is the server's clock, against which dates are plausible.
    """

    def __init__(self, now=None):
        self.errors = []
        self.now = now or datetime.now(timezone.utc).replace(tzinfo=None)

    def error(self, path, message):
        self.errors.append(FieldError(path, message))

    def _fetch(self, parent, key, path, required, nullable):
        if parent is None:
            return _MISSING
        value = parent.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.error(path, "this field is required")
            return _MISSING
        if value is None:
            if not nullable:
                self.error(path, "may not be null")
            return _MISSING
        return value

    def object(self, parent, key, path, required=True, nullable=False):
        value = self._fetch(parent, key, path, required, nullable)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(path, f"must be an object, not {_json_type(value)}")
            return None
        return value

    def list(self, parent, key, path, required=True):
        value = self._fetch(parent, key, path, required, False)
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.error(path, f"must be a list, not {_json_type(value)}")
            return None
        return value

    def text(self, parent, key, path, required=False, nullable=True, max_length=const.MAX_TEXT):
        value = self._fetch(parent, key, path, required, nullable)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error(path, f"must be a string, not {_json_type(value)}")
            return None
        value = str(value).strip()
        if "\x00" in value:
            self.error(path, "may not contain NUL characters")
            return None
        if len(value) > max_length:
            self.error(path, f"is {len(value)} characters long; at most {max_length} are allowed")
            return None
        if not value:
            if required and not nullable:
                self.error(path, "may not be empty")
            return None
        return value

    def place(self, parent, key, path, max_length=const.MAX_PLACE):
        """The name of an address part (city, township, district), in any shape Omnitron sends.

        Omnitron's address model nests each part as an object (``{"pk": 61802,
        "name": "AKÖREN MAH", "city": 1, …}``); older or other serializers send
        a name, or only the part's id (a number, or digits in a string, as
        Akinon's channel_app ``AddressDto`` carries them). An id names nothing
        a person can read, so it is accepted and kept as no name.
        """
        value = self._fetch(parent, key, path, False, True)
        if value is _MISSING:
            return None
        if isinstance(value, dict):
            if value.get("name") is None:
                self.integer(value, "pk", f"{path}.pk", required=False, nullable=True, minimum=0)
                return None
            return self.text(value, "name", f"{path}.name", max_length=max_length)
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().isdigit() and value.strip().isascii():
            return None
        if not isinstance(value, str):
            self.error(path, f"must be an object with a name, a name or an id, not {_json_type(value)}")
            return None
        return self.text(parent, key, path, max_length=max_length)

    def integer(self, parent, key, path, required=True, nullable=False, minimum=1):
        value = self._fetch(parent, key, path, required, nullable)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"must be an integer, not {_json_type(value)}")
            return None
        if not minimum <= value <= const.MAX_DB_INTEGER:
            self.error(path, f"must be between {minimum} and {const.MAX_DB_INTEGER}, not {value}")
            return None
        return value

    def decimal(self, parent, key, path, required=True, nullable=False, maximum=const.MAX_AMOUNT, places=None):
        value = self._fetch(parent, key, path, required, nullable)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.error(path, f"must be a decimal number, not {_json_type(value)}")
            return None
        try:
            if not str(value).isascii():  # Decimal reads other scripts' digits too: "١٢" would be 12
                raise ValueError(value)
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            self.error(path, f"must be a decimal number, not {_shorten(value)!r}")
            return None
        if not number.is_finite():
            self.error(path, f"must be a finite decimal number, not {_shorten(value)!r}")
            return None
        if not 0 <= number <= maximum:
            self.error(path, f"must be between 0 and {maximum}, not {_shorten(value)}")
            return None
        if places is not None and number != number.quantize(Decimal(1).scaleb(-places)):
            self.error(path, f"may have at most {places} decimals, not {_shorten(value)}")
            return None
        return number

    def boolean(self, parent, key, path, required=False, default=False):
        value = self._fetch(parent, key, path, required, True)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.error(path, f"must be true or false, not {_json_type(value)}")
            return default
        return value

    def datetime(self, parent, key, path, required=False, nullable=True, ahead_ok=False):
        """A date and time, naive UTC; from 2000 on and, unless ``ahead_ok``, not
        more than a day ahead of the server's clock (const.MAX_DATE_AHEAD)."""
        value = self.text(parent, key, path, required=required, nullable=nullable, max_length=64)
        if value is None:
            return None
        parsed = parse_datetime(value)
        if parsed is None:
            self.error(path, f"must be an ISO 8601 date and time, not {value!r}")
        elif parsed < const.EARLIEST_DATE:
            self.error(path, f"{value!r} is not a plausible date: it is before {const.EARLIEST_DATE:%Y-%m-%d}")
            return None
        elif not ahead_ok and parsed > self.now + const.MAX_DATE_AHEAD:
            self.error(path, f"{value!r} is not a plausible date: it is more than a day ahead of the server's clock")
            return None
        return parsed


def parse_datetime(value):
    """Return the naive UTC datetime written in ``value``, or None.

    Odoo keeps datetimes to the second, so fractions of a second are dropped.

    Omnitron's documentation writes times with a space after each colon
    (``2018-10-27T18: 55: 01.000001Z``); those are accepted as well.
    """
    text = _SPACED_TIME.sub(":", value.strip())
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
    except (ValueError, OverflowError):
        return None
    return parsed.replace(microsecond=0)


def _json_type(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _shorten(value, limit=40):
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_webhook_call(
    document, quantity_key=DEFAULT_QUANTITY_KEY, max_order_units=const.DEFAULT_MAX_ORDER_UNITS, now=None
):
    """Return the WebhookCall described by ``document`` or raise InvalidPayload.

    ``quantity_key`` is the item attribute holding a merged item's unit count
    (the setting ``item_quantity_key``); ``max_order_units`` the most units the
    order's items may stand for together (the setting ``max_order_units``);
    ``now`` the server's clock, naive UTC (default: now).
    """
    reader = _Reader(now)
    event_type, event_uuid, payload = _read_envelope(reader, document)
    order = _read_order(reader, payload, "payload", quantity_key) if payload is not None else None
    if order is not None and max_order_units:
        units = sum(item.quantity for item in order.items)
        if units > max_order_units:
            reader.error(
                "payload.orderitem_set",
                f"stands for {units} units; at most {max_order_units} are accepted (the setting max_order_units)",
            )
    if reader.errors:
        raise InvalidPayload(reader.errors)
    return WebhookCall(event_type=event_type, event_uuid=event_uuid, order=order)


def parse_cancellation_plan(document, now=None):
    """Return the CancellationPlanCall described by ``document`` or raise InvalidPayload.

    Only what finds the order and what the plan asks is read; the plan's
    other fields (not documented beyond ``pk`` and ``order``) are kept in the
    stored payload, not checked.
    """
    reader = _Reader(now)
    event_type, event_uuid, payload = _read_envelope(reader, document)
    plan_pk = reader.integer(payload, "pk", "payload.pk")
    plan_type = reader.text(payload, "plan_type", "payload.plan_type", max_length=32)
    if plan_type is not None and plan_type.lower() not in PLAN_TYPES:
        reader.error("payload.plan_type", f"must be one of {', '.join(PLAN_TYPES)}, not {plan_type!r}")
    data = reader.object(payload, "order", "payload.order")
    channel_data = data.get("channel", _MISSING) if data is not None else None
    if isinstance(channel_data, dict):
        channel_pk = reader.integer(channel_data, "pk", "payload.order.channel.pk")
    else:
        channel_pk = reader.integer(data, "channel", "payload.order.channel")
    status, status_name = _read_status(reader, data, "payload.order.status", required=False)
    order = PlanOrder(
        pk=reader.integer(data, "pk", "payload.order.pk"),
        number=reader.text(data, "number", "payload.order.number", required=True, nullable=False, max_length=128),
        channel=Channel(pk=channel_pk, name=None, channel_type=None),
        status=status,
        status_name=status_name,
        refund_amount=reader.decimal(
            data, "refund_amount", "payload.order.refund_amount", required=False, nullable=True
        ),
        modified_date=reader.datetime(data, "modified_date", "payload.order.modified_date", ahead_ok=True),
    )
    item_pks = _read_plan_items(reader, payload)
    if reader.errors:
        raise InvalidPayload(reader.errors)
    return CancellationPlanCall(
        event_type=event_type,
        event_uuid=event_uuid,
        plan_pk=plan_pk,
        plan_type=(plan_type or PLAN_TYPES[0]).lower(),
        order=order,
        item_pks=item_pks,
    )


def _read_plan_items(reader, payload):
    """The item pks of a plan's ``cancellationplanorderitem_set``: each entry's ``order_item``
    is the item (an object with its pk, or the pk alone), as Akinon's plan object has it."""
    path = "payload.cancellationplanorderitem_set"
    if payload is None or payload.get("cancellationplanorderitem_set") is None:
        return None
    entries = reader.list(payload, "cancellationplanorderitem_set", path)
    if entries is None:
        return None
    pks = []
    for index, entry in enumerate(entries):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            reader.error(where, f"must be an object, not {_json_type(entry)}")
            continue
        item = entry.get("order_item")
        if isinstance(item, dict):
            pk = reader.integer(item, "pk", f"{where}.order_item.pk")
        else:
            pk = reader.integer(entry, "order_item", f"{where}.order_item")
        if pk is not None:
            pks.append(pk)
    return tuple(dict.fromkeys(pks))


def _read_envelope(reader, document):
    """The event's type and uuid, and the payload object (None when missing)."""
    if not isinstance(document, dict):
        raise InvalidPayload([FieldError("body", f"must be a JSON object, not {_json_type(document)}")])
    event = reader.object(document, "event", "event")
    event_type = reader.text(event, "type", "event.type", required=True, nullable=False, max_length=64)
    event_uuid = reader.text(event, "uuid", "event.uuid", required=True, nullable=False, max_length=64)
    payload = reader.object(document, "payload", "payload")
    return event_type, event_uuid, payload


def _read_status(reader, data, path, required=True):
    """An Omnitron status code of the table, with its name (None, None when absent or wrong)."""
    status = reader.text(data, "status", path, required=required, nullable=not required, max_length=8)
    if status is None:
        return None, None
    if not _STATUS.match(status) or status not in const.ORDER_STATUSES:
        known = ", ".join(const.ORDER_STATUSES)
        reader.error(path, f"{status!r} is not an Omnitron order status (known: {known})")
        return None, None
    return status, const.ORDER_STATUSES[status][0]


def _read_order(reader, payload, path, quantity_key=None):
    channel_data = reader.object(payload, "channel", f"{path}.channel")
    channel = Channel(
        pk=reader.integer(channel_data, "pk", f"{path}.channel.pk"),
        name=reader.text(channel_data, "name", f"{path}.channel.name", required=True, nullable=False),
        channel_type=reader.text(channel_data, "channel_type", f"{path}.channel.channel_type"),
    )
    status, status_name = _read_status(reader, payload, f"{path}.status")
    currency = reader.text(payload, "currency", f"{path}.currency", required=True, nullable=False, max_length=8)
    if currency is not None and not _CURRENCY.match(currency):
        reader.error(f"{path}.currency", f"must be a three-letter ISO 4217 code, not {currency!r}")
    items = _read_items(reader, payload, f"{path}.orderitem_set", quantity_key)
    cargo_data = reader.object(payload, "cargo_company", f"{path}.cargo_company")
    cargo = CargoCompany(
        name=reader.text(cargo_data, "name", f"{path}.cargo_company.name"),
        shipping_company=reader.text(
            cargo_data, "shipping_company", f"{path}.cargo_company.shipping_company", required=True, nullable=False
        ),
        erp_code=reader.text(cargo_data, "erp_code", f"{path}.cargo_company.erp_code", required=True, nullable=False),
    )
    return Order(
        pk=reader.integer(payload, "pk", f"{path}.pk"),
        number=reader.text(payload, "number", f"{path}.number", required=True, nullable=False, max_length=128),
        channel=channel,
        status=status,
        status_name=status_name,
        date_placed=reader.datetime(payload, "date_placed", f"{path}.date_placed", required=True, nullable=False),
        customer=_read_customer(reader, payload, f"{path}.customer"),
        billing_address=_read_address(reader, payload, "billing_address", path),
        shipping_address=_read_address(reader, payload, "shipping_address", path),
        currency=currency.upper() if currency else None,
        amount=reader.decimal(payload, "amount", f"{path}.amount"),
        shipping_amount=reader.decimal(payload, "shipping_amount", f"{path}.shipping_amount"),
        shipping_tax_rate=reader.decimal(
            payload,
            "shipping_tax_rate",
            f"{path}.shipping_tax_rate",
            required=False,
            nullable=True,
            maximum=100,
            places=const.TAX_RATE_DECIMALS,
        ),
        items=items,
        cargo_company=cargo,
        delivery_type=reader.text(payload, "delivery_type", f"{path}.delivery_type", max_length=64),
        has_gift_box=reader.boolean(payload, "has_gift_box", f"{path}.has_gift_box"),
        gift_box_note=reader.text(payload, "gift_box_note", f"{path}.gift_box_note", max_length=const.MAX_LONG_TEXT),
        tracking_number=reader.text(payload, "tracking_number", f"{path}.tracking_number"),
        tracking_url=reader.text(payload, "tracking_url", f"{path}.tracking_url", max_length=const.MAX_LONG_TEXT),
        invoice_number=reader.text(payload, "invoice_number", f"{path}.invoice_number"),
        invoice_date=reader.datetime(payload, "invoice_date", f"{path}.invoice_date"),
        e_archive_url=reader.text(payload, "e_archive_url", f"{path}.e_archive_url", max_length=const.MAX_LONG_TEXT),
        refund_amount=reader.decimal(payload, "refund_amount", f"{path}.refund_amount", required=False, nullable=True),
        modified_date=reader.datetime(payload, "modified_date", f"{path}.modified_date", ahead_ok=True),
        notes=reader.text(payload, "notes", f"{path}.notes", max_length=const.MAX_LONG_TEXT),
        **_read_delivery_range(reader, payload, f"{path}.delivery_range"),
        discount_amount=reader.decimal(
            payload, "discount_amount", f"{path}.discount_amount", required=False, nullable=True
        ),
        discounts=_read_discounts(reader, payload, f"{path}.discountitem_set"),
    )


def _read_delivery_range(reader, payload, path):
    """The delivery slot: ``{"start": …, "end": …}`` (either may be null), or null."""
    data = reader.object(payload, "delivery_range", path, required=False, nullable=True)
    return {
        "delivery_start": reader.datetime(data, "start", f"{path}.start", ahead_ok=True),
        "delivery_end": reader.datetime(data, "end", f"{path}.end", ahead_ok=True),
    }


# The keys a promotion line names itself by, in the order they are looked for (the
# public sample's list is empty: Akinon's discount items are offers with a name or a code).
_DISCOUNT_NAMES = ("name", "offer_name", "promotion_name", "code")


def _read_discounts(reader, payload, path):
    """Each promotion line of ``discountitem_set`` as (name, amount); absent or null: none."""
    if payload is None or payload.get("discountitem_set") is None:
        return ()
    entries = reader.list(payload, "discountitem_set", path)
    discounts = []
    for index, entry in enumerate(entries or ()):
        where = f"{path}[{index}]"
        if not isinstance(entry, dict):
            reader.error(where, f"must be an object, not {_json_type(entry)}")
            continue
        key = next((key for key in _DISCOUNT_NAMES if isinstance(entry.get(key), str) and entry[key].strip()), None)
        name = reader.text(entry, key, f"{where}.{key}", max_length=const.MAX_TEXT) if key else None
        amount = reader.decimal(entry, "amount", f"{where}.amount", required=False, nullable=True)
        discounts.append((name, amount))
    return tuple(discounts)


def _read_customer(reader, payload, path):
    data = reader.object(payload, "customer", path)
    return Customer(
        pk=reader.integer(data, "pk", f"{path}.pk"),
        first_name=reader.text(data, "first_name", f"{path}.first_name", max_length=const.MAX_NAME),
        last_name=reader.text(data, "last_name", f"{path}.last_name", max_length=const.MAX_NAME),
        email=reader.text(data, "email", f"{path}.email", max_length=const.MAX_EMAIL),
        phone=reader.text(data, "phone_number", f"{path}.phone_number", max_length=const.MAX_PHONE),
    )


def _read_address(reader, payload, key, parent_path):
    path = f"{parent_path}.{key}"
    data = reader.object(payload, key, path)
    if isinstance(data.get("country") if data else None, str):
        # A country named by its code alone ("TR"), as flat serializers send it.
        country_code = reader.text(data, "country", f"{path}.country", required=True, nullable=False, max_length=8)
    else:
        country = reader.object(data, "country", f"{path}.country")
        country_code = reader.text(country, "code", f"{path}.country.code", required=True, nullable=False, max_length=8)
    return Address(
        first_name=reader.text(data, "first_name", f"{path}.first_name", max_length=const.MAX_NAME),
        last_name=reader.text(data, "last_name", f"{path}.last_name", max_length=const.MAX_NAME),
        email=reader.text(data, "email", f"{path}.email", max_length=const.MAX_EMAIL),
        phone=reader.text(data, "phone_number", f"{path}.phone_number", max_length=const.MAX_PHONE),
        country_code=country_code.upper() if country_code else None,
        city=reader.place(data, "city", f"{path}.city"),
        township=reader.place(data, "township", f"{path}.township"),
        district=reader.place(data, "district", f"{path}.district"),
        postcode=reader.text(data, "postcode", f"{path}.postcode", max_length=32),
        line=reader.text(data, "line", f"{path}.line", max_length=const.MAX_LONG_TEXT),
        company_name=reader.text(data, "company_name", f"{path}.company_name", max_length=const.MAX_COMPANY_NAME),
        tax_no=reader.text(data, "tax_no", f"{path}.tax_no", max_length=64),
        tax_office=reader.text(data, "tax_office", f"{path}.tax_office", max_length=const.MAX_PLACE),
        identity_number=reader.text(data, "identity_number", f"{path}.identity_number", max_length=32),
        e_bill_taxpayer=_optional_boolean(reader, data, "e_bill_taxpayer", f"{path}.e_bill_taxpayer"),
    )


def _optional_boolean(reader, parent, key, path):
    """True, False, or None when Omnitron does not say (absent or null)."""
    if parent is None or parent.get(key) is None:
        return None
    return reader.boolean(parent, key, path)


def _read_items(reader, payload, path, quantity_key=None):
    raw_items = reader.list(payload, "orderitem_set", path)
    if raw_items is None:
        return ()
    if not raw_items:
        reader.error(path, "an order needs at least one item")
    if len(raw_items) > const.MAX_ITEMS:
        reader.error(path, f"has {len(raw_items)} items; at most {const.MAX_ITEMS} are accepted")
        return ()
    items = []
    first_index_of_pk = {}
    for index, raw in enumerate(raw_items):
        item_path = f"{path}[{index}]"
        if not isinstance(raw, dict):
            reader.error(item_path, f"must be an object, not {_json_type(raw)}")
            continue
        product = reader.object(raw, "product", f"{item_path}.product")
        status = reader.text(raw, "status", f"{item_path}.status", required=True, nullable=False, max_length=8)
        item = Item(
            pk=reader.integer(raw, "pk", f"{item_path}.pk"),
            product=Product(
                pk=reader.integer(product, "pk", f"{item_path}.product.pk", required=False, nullable=True),
                sku=reader.text(
                    product, "sku", f"{item_path}.product.sku", required=True, nullable=False, max_length=const.MAX_SKU
                ),
                name=reader.text(product, "name", f"{item_path}.product.name", required=True, nullable=False),
            ),
            status=status,
            price=reader.decimal(raw, "price", f"{item_path}.price"),
            tax_rate=reader.decimal(
                raw,
                "tax_rate",
                f"{item_path}.tax_rate",
                required=False,
                nullable=True,
                maximum=100,
                places=const.TAX_RATE_DECIMALS,
            ),
            tracking_number=reader.text(raw, "tracking_number", f"{item_path}.tracking_number"),
            invoice_number=reader.text(raw, "invoice_number", f"{item_path}.invoice_number"),
            invoice_date=reader.datetime(raw, "invoice_date", f"{item_path}.invoice_date"),
            e_archive_url=reader.text(
                raw, "e_archive_url", f"{item_path}.e_archive_url", max_length=const.MAX_LONG_TEXT
            ),
            quantity=_read_quantity(reader, raw, item_path, quantity_key),
        )
        if item.pk is not None and item.pk in first_index_of_pk:
            reader.error(f"{item_path}.pk", f"item {item.pk} appears twice (first at [{first_index_of_pk[item.pk]}])")
        first_index_of_pk.setdefault(item.pk, index)
        items.append(item)
    return tuple(items)


def _read_quantity(reader, raw, item_path, quantity_key):
    """The unit count of a merged item: ``attributes[quantity_key]``, else 1.

    Omnitron installations write it as a number or a numeric string.
    """
    if not quantity_key:
        return 1
    attributes = reader.object(raw, "attributes", f"{item_path}.attributes", required=False, nullable=True)
    if attributes is None or attributes.get(quantity_key) is None:
        return 1
    value = attributes[quantity_key]
    path = f"{item_path}.attributes.{quantity_key}"
    if isinstance(value, str) and _ASCII_UNITS.fullmatch(value.strip()):
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        reader.error(path, f"must be a whole number of units, not {_shorten(value)!r}")
        return 1
    if not 1 <= value <= const.MAX_ITEM_QUANTITY:
        reader.error(path, f"must be between 1 and {const.MAX_ITEM_QUANTITY}, not {value}")
        return 1
    return value
