"""A contract double of Akinon Omnitron's integration API, over real HTTP.

Why a double and not mocks: the addon talks back to Omnitron from Odoo workers
(``requests`` over HTTP), so the tests need something that listens on a port,
answers the documented calls, refuses the undocumented ones the way Omnitron
would (4xx, JSON body naming the problem, Django REST framework style), records
what it was sent and can be told to misbehave (5xx, 401 after expiry, 429,
rejections, hangs). It runs in a thread of the test process: Odoo-tier tests and
the live tier (several Odoo workers calling it at once) share it, hence the lock.

Standard library only, no Odoo import: the pure tier imports it by file path.
The contract is /work/shared/spec/omnitron_lifecycle.md, "Talking back to Omnitron"
and "Pulling orders": the double also stores orders (``add_order``) and serves
the read side a catch-up pull uses, the list of orders not yet taken by the ERP
(paginated the Django REST way) and each order's detail in the webhook
payload's shape; marking an order as sent takes it off that list.
"""

import argparse
import contextlib
import copy
import dataclasses
import json
import pathlib
import re
import secrets
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

LOGIN_PATH = "/api/i1/auth/login/"
BULK_STATUS_PATH = "/api/i1/order_items/bulk_status_update/"
ORDER_PATH = re.compile(r"/api/v1/orders/(\d+)/")
CANCEL_PATH = re.compile(r"/api/i1/orders/(\d+)/cancel/")
LIST_PATH = "/api/i1/orders/"
DETAIL_PATH = re.compile(r"/api/i1/orders_integration/(\d+)/detailed_integration/")
# An order's items, when the detail does not nest them (Akinon's "Get Order Item Detail"): ?order={pk}.
ITEMS_PATH = "/api/i1/order_item/detailed_integration/"
# Stock Reservation Release: the ERP has the order item (its own line id as ``code``).
MAPPING_PATH = re.compile(r"/api/i1/order_items/(\d+)/create_mapping/")
# Product stocks (GET: the list, by stock list; POST: create or update one product's stock on one list).
PRODUCT_STOCK_PATH = "/api/i1/product_stock/"
MAX_STOCK = 2147483647
UNIT_TYPES = ("qty", "kg")
# Product prices (a.4): i1 names the product by its SKU; amounts are decimals of two places.
PRODUCT_PRICE_PATH = "/api/i1/product_price/"
CURRENCY_TYPES = ("try", "usd", "eur", "gbp")
# Where Omnitron posts its cancellation plans (the addon's route), when the double is told to.
PLAN_EVENT_TYPE = "cancellation_plan.created"
# The list's page size: Omnitron's pagination takes it from ``limit``.
DEFAULT_PAGE_SIZE = 10  # orders
MAX_PAGE_SIZE = 100  # orders; a larger ``limit`` is cut to this, as DRF's max_page_size
# The fields of an order summary in the list (the list is lighter than the detail).
SUMMARY_FIELDS = ("pk", "number", "status", "channel", "is_send", "created_date", "modified_date", "amount")
BOOLEANS = {"true": True, "false": False}
SAMPLE_PATH = pathlib.Path(__file__).resolve().parent / "data" / "sample_order.json"
# Omnitron's address parts as its address model nests them (the sample's are null).
ADDRESS_SHAPES_PATH = SAMPLE_PATH.parent / "address_shapes.json"
# Omnitron's order item status codes (450 invoiced, 500 shipped, ...)
ITEM_STATUSES = frozenset(
    map(str, (50, 100, 200, 300, 350, 400, 450, 500, 510, 520, 540, 544, 545, 546, 547, 550, 600))
)
ITEM_TEXT_FIELDS = ("invoice_number", "e_archive_url", "tracking_number", "shipping_company")
CANCEL_REQUIRED = ("order", "is_all", "cancel_items", "reasons", "forced_refund_amount")
CANCEL_OPTIONAL = ("is_cargo_refund", "refund_invoice_number", "ibans", "holder_names")
REQUIRED = "This field is required."
UNKNOWN = "Unknown field: Omnitron's contract does not name it."
_INVALID = object()  # a body that is not JSON at all


@dataclasses.dataclass(frozen=True)
class Call:
    """One request as the double saw it (login passwords masked as ``***``)."""

    method: str
    path: str
    headers: dict
    body: object
    status: int
    at: float
    query: str = ""  # the request's query string, as sent (the list's filters and page)


@dataclasses.dataclass
class _Fault:
    """A queued answer given instead of processing; ``path`` is a suffix filter."""

    count: int
    status: int = 500
    body: dict = None
    headers: dict = None
    path: str = None
    hang: float = 0.0
    # Answered as usual, but one byte every ``dribble`` seconds (a slow or hostile Omnitron).
    dribble: float = 0.0
    # Answered with this many bytes of padding inside a JSON string (an answer too large to read).
    size: int = 0

    def applies_to(self, path):
        """Faults skip the login unless their path names it explicitly."""
        if self.path is None:
            return path != LOGIN_PATH
        return path.endswith(self.path)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_amount(value):
    """A decimal of at most two places, 0 or more, as a number or a string (DRF's DecimalField)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    match = re.fullmatch(r"\d+(\.\d{1,2})?", str(value))
    return bool(match)


def _is_iso_datetime(value):
    """A date *and time*, as DRF's DateTimeField reads it: the bulk update's documented
    ``"2021-07-14T00:00:00.000000Z"``. A bare date (``"2021-07-14"``) is refused, as an
    Omnitron on a Django older than 4.0 refuses it: the safe form is the documented one."""
    if not isinstance(value, str) or "T" not in value:
        return False
    with contextlib.suppress(ValueError):
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    return False


def _header(headers, name):
    """HTTP header names are case-insensitive; the recorded dict keeps the client's spelling."""
    return next((value for key, value in headers.items() if key.lower() == name.lower()), "")


def _unknown_keys(body, allowed):
    return {key: [UNKNOWN] for key in body if key not in allowed}


def _channel_pk(channel):
    """The list names an order's channel by its pk; the detail nests the channel object."""
    return channel.get("pk") if isinstance(channel, dict) else channel


def order_summary(payload):
    """An order as the list shows it: a few fields of the detail, the channel as its pk."""
    summary = {field: payload.get(field) for field in SUMMARY_FIELDS}
    summary["channel"] = _channel_pk(payload.get("channel"))
    return summary


def sample_payload(address_shape="nested_objects"):
    """The payload of the spec's sample order (``tests/data/sample_order.json``), a fresh copy.

    Its addresses take ``address_shape`` of ``tests/data/address_shapes.json``
    (default: province, district and mahalle nested as Omnitron's address
    model sends them; None: the sample's own nulls).
    """
    payload = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))["payload"]
    if address_shape:
        parts = json.loads(ADDRESS_SHAPES_PATH.read_text(encoding="utf-8"))[address_shape]["address"]
        for key in ("billing_address", "shipping_address"):
            payload[key].update(copy.deepcopy(parts))
    return payload


def validate_is_send(body):
    """``PATCH /api/v1/orders/{pk}/``: exactly ``{"is_send": true}``."""
    errors = _unknown_keys(body, ("is_send",))
    if "is_send" not in body:
        errors["is_send"] = [REQUIRED]
    elif body["is_send"] is not True:
        errors["is_send"] = ["Must be true: the ERP only marks an order as taken."]
    return errors


def validate_bulk_status(body):
    """``orderitem_set``: a non-empty list of items, errors per item as DRF's ListSerializer."""
    errors = _unknown_keys(body, ("orderitem_set",))
    items = body.get("orderitem_set")
    if not isinstance(items, list) or not items:
        errors["orderitem_set"] = [REQUIRED if items is None else "Expected a non-empty list of items."]
        return errors
    seen, item_errors = set(), []
    for item in items:
        if not isinstance(item, dict):
            item_errors.append({"non_field_errors": ["Expected an object."]})
            continue
        found = _unknown_keys(item, ("id", "status", "invoice_date", *ITEM_TEXT_FIELDS))
        if not _is_int(item.get("id")) or item["id"] <= 0:
            found["id"] = [REQUIRED if "id" not in item else "A positive integer is required."]
        elif item["id"] in seen:
            found["id"] = [f"Item {item['id']} appears twice in orderitem_set."]
        else:
            seen.add(item["id"])
        if item.get("status") not in ITEM_STATUSES:
            found["status"] = [REQUIRED if "status" not in item else f"{item['status']!r} is not a valid choice."]
        if "invoice_date" in item and not _is_iso_datetime(item["invoice_date"]):
            found["invoice_date"] = [
                "Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
            ]
        for field in ITEM_TEXT_FIELDS:
            if field in item and not isinstance(item[field], str):
                found[field] = ["Not a valid string."]
        item_errors.append(found)
    if any(item_errors):
        errors["orderitem_set"] = item_errors
    return errors


def validate_cancel(body, pk):
    """``POST /api/i1/orders/{pk}/cancel/``: a whole order (is_all) or listed items."""
    errors = _unknown_keys(body, CANCEL_REQUIRED + CANCEL_OPTIONAL)
    errors.update({key: [REQUIRED] for key in CANCEL_REQUIRED if key not in body})
    if "order" in body and body["order"] != pk:
        errors["order"] = [f"Must be the order in the path ({pk})."]
    if "is_all" in body and not isinstance(body["is_all"], bool):
        errors["is_all"] = ["Must be a boolean."]
    items = body.get("cancel_items")
    if "cancel_items" in body:
        if not isinstance(items, list) or not all(_is_int(pk) and pk > 0 for pk in items):
            errors["cancel_items"] = ["Expected a list of item pks."]
        elif body.get("is_all") is True and items:
            errors["cancel_items"] = ["Must be empty when is_all is true."]
        elif body.get("is_all") is False and not items:
            errors["cancel_items"] = ["Must name the items when is_all is false."]
    reasons = body.get("reasons")
    if "reasons" in body and not (
        isinstance(reasons, dict)
        and reasons
        and all(key.isdigit() and _is_int(value) for key, value in reasons.items())
    ):
        errors["reasons"] = ['Expected a non-empty object {"<item pk>": <reason id>}.']
    amount = body.get("forced_refund_amount")
    if amount is not None and not (isinstance(amount, str) and re.fullmatch(r"\d+(\.\d+)?", amount)):
        errors["forced_refund_amount"] = ["Expected null or a decimal string."]
    if "is_cargo_refund" in body and not isinstance(body["is_cargo_refund"], bool):
        errors["is_cargo_refund"] = ["Must be a boolean."]
    return errors


class _Server(ThreadingHTTPServer):
    """Threads per request, and a backlog deep enough for many Odoo workers at once."""

    daemon_threads = True
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    """Reads the request, lets the double decide, writes the JSON answer."""

    server_version = "OmnitronApiDouble/1.0"

    def setup(self):
        if self.server.double.keep_alive:
            # HTTP/1.1: the connection stays open between calls, as Omnitron's behind its load balancer.
            self.protocol_version = "HTTP/1.1"
        return super().setup()

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        double = self.server.double
        status, body, headers = double.handle(self.command, self.path, dict(self.headers), raw)
        with double._lock:
            double._connections.append((self.path, self.client_address[1]))
        pace = double._pace.pop(threading.get_ident(), None)
        payload = json.dumps(body).encode()
        if pace and pace.size:
            payload = b'{"padding": "' + b"x" * pace.size + b'"}'
        # A client that gave up (hang_next, dribble_next) is gone: its call is recorded all the same.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                self.send_header(name, str(value))
            self.end_headers()
            if pace and pace.dribble:
                self.wfile.flush()
                for index in range(len(payload)):
                    if double._stopping.wait(pace.dribble):
                        return
                    self.wfile.write(payload[index : index + 1])
                    self.wfile.flush()
            else:
                self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def log_message(self, fmt, *args):
        """Quiet in tests; the CLI logs request lines (never bodies: no password reaches a log)."""
        if self.server.double.verbose:
            sys.stderr.write(f"omnitron double: {fmt % args}\n")


class OmnitronApiDouble:
    """Omnitron's integration API on 127.0.0.1, a free port; see the module docstring."""

    def __init__(
        self,
        username="odoo",
        password="s3cret",
        port=0,
        verbose=False,
        items_apart=False,
        next_host=None,
        keep_alive=False,
    ):
        self.username, self.password = username, password
        # keep_alive: answer HTTP/1.1 and keep each connection open for the next call.
        self.keep_alive = keep_alive
        self._connections = []  # (path, the client's port) per call: which connection each came on
        self.port, self.verbose = port, verbose
        # How this Omnitron answers (both are Akinon's; the tests run against each):
        # items_apart: the detail carries no orderitem_set, the items endpoint has them;
        # next_host: a list page's ``next`` names this host (a proxy's own name, http behind TLS).
        self.items_apart, self.next_host = items_apart, next_host
        # Where a cancel's plan is posted ((url, token)), as Omnitron does; None: only recorded (``plans``).
        self.plan_webhook = None
        self._plans, self._plan_pk = [], 90000
        self._lock = threading.Condition()
        self._calls, self._keys, self._faults = [], set(), []
        self._orders, self._corrupt = {}, {}  # pk -> stored payload; pk -> the detail's invalid answer
        self._fail_until, self._fail_status = 0.0, 500
        self._throttle_until, self._throttle_retry_after = 0.0, 30
        self._stopping = threading.Event()
        self._server = self._thread = None
        self._pace = {}  # server thread -> the _Fault pacing the answer it is writing (dribble, size)
        # (stock list pk, sku) -> Omnitron's product stock row; SKUs Omnitron has no product for.
        self._stocks, self._stock_pk, self.unknown_skus = {}, 0, set()
        self._mappings = {}  # order item pk -> the mapping made by create_mapping
        self._prices, self._price_pk = {}, 0  # (price list pk, sku) -> Omnitron's product price row

    # Life cycle ---------------------------------------------------------------
    def start(self):
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.double = self
        self._stopping.clear()
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server:
            self._stopping.set()  # wakes hanging answers
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(5)
            self._server = self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # What was called ----------------------------------------------------------
    @property
    def calls(self):
        """A copy, in arrival order (a hung call is recorded when it answers)."""
        with self._lock:
            return sorted(self._calls, key=lambda call: call.at)

    def calls_to(self, path_or_suffix, method=None, ok_only=False):
        return [
            call
            for call in self.calls
            if call.path.endswith(path_or_suffix)
            and (method is None or call.method == method.upper())
            and (not ok_only or 200 <= call.status < 300)
        ]

    def connections(self, path_or_suffix):
        """How many connections the calls to ``path_or_suffix`` came on (one when they were kept alive)."""
        with self._lock:
            return len({port for path, port in self._connections if path.split("?")[0].endswith(path_or_suffix)})

    def logins(self):
        return self.calls_to(LOGIN_PATH, "POST", ok_only=True)

    def count_calls(self, method, pattern, ok_only=False):
        """How many ``method`` calls had a path matching the regular expression ``pattern`` (whole path).

        E.g. ``count_calls("GET", r"/api/i1/orders_integration/\\d+/detailed_integration/")``.
        """
        regex = re.compile(pattern)
        return sum(
            1
            for call in self.calls
            if call.method == method.upper()
            and regex.fullmatch(call.path)
            and (not ok_only or 200 <= call.status < 300)
        )

    def wait_for_calls(self, count, timeout=5.0):
        """Wait until ``count`` calls are recorded (the live tier calls from other processes)."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._calls) >= count, timeout)
        return self.calls

    def reset(self):
        """Forget the calls, the faults and the stored orders; issued keys stay valid."""
        with self._lock:
            self._calls.clear()
            self._faults.clear()
            self._fail_until = self._throttle_until = 0.0
            self._orders.clear()
            self._corrupt.clear()
            self._plans.clear()
            self._stocks.clear()
            self.unknown_skus.clear()
            self._mappings.clear()
            self._prices.clear()
            self._connections.clear()

    # Product stocks Omnitron holds -------------------------------------------------
    def stocks(self, stock_list=None):
        """``{sku: stock}`` of a stock list (all lists: ``{(list, sku): stock}``)."""
        with self._lock:
            if stock_list is None:
                return {key: row["stock"] for key, row in self._stocks.items()}
            return {sku: row["stock"] for (pk, sku), row in self._stocks.items() if pk == stock_list}

    def set_stock(self, stock_list, sku, stock, sold_quantity_unreported=0):
        """A product's stock as Omnitron has it (typed in Omnitron, or sent before)."""
        with self._lock:
            self._stock_row(stock_list, sku).update(stock=stock, sold_quantity_unreported=sold_quantity_unreported)

    def _stock_row(self, stock_list, sku):
        row = self._stocks.get((stock_list, sku))
        if row is None:
            self._stock_pk += 1
            row = self._stocks[(stock_list, sku)] = {
                "id": self._stock_pk,
                "product_sku": sku,
                "stock": 0,
                "stock_list": stock_list,
                "unit_type": "qty",
                "sold_quantity_unreported": 0,
                "extra_field": {},
            }
        return row

    # Product prices Omnitron holds -------------------------------------------------
    def prices(self, price_list):
        """``{sku: (price, retail_price, tax_rate, currency_type)}`` of a price list, amounts as strings."""
        with self._lock:
            return {
                sku: (row["price"], row["retail_price"], row["tax_rate"], row["currency_type"])
                for (pk, sku), row in self._prices.items()
                if pk == price_list
            }

    def set_price(self, price_list, sku, price, retail_price=None, tax_rate="20.00"):
        """A product's price as Omnitron has it (typed in Omnitron, or sent before)."""
        with self._lock:
            self._price_row(price_list, sku).update(price=price, retail_price=retail_price, tax_rate=tax_rate)

    def _price_row(self, price_list, sku):
        row = self._prices.get((price_list, sku))
        if row is None:
            self._price_pk += 1
            row = self._prices[(price_list, sku)] = {
                "id": self._price_pk,
                "product": sku,  # i1: the product's SKU
                "price_list": price_list,
                "price": "0.00",
                "retail_price": None,
                "tax_rate": "0.00",
                "currency_type": "try",
                "extra_field": {},
            }
        return row

    # Orders Omnitron holds (the read side) -------------------------------------
    def add_order(self, payload, *, is_send=False):
        """Store an order, ``payload`` in the webhook payload's shape; returns its pk.

        Needs ``pk`` (a positive integer), ``number``, ``status`` (a string)
        and ``channel`` (the channel object, or its pk). The stored copy's
        ``is_send`` is ``is_send``: an order not yet taken by the ERP is on the
        unsent list. Adding a pk again replaces that order (it changed in Omnitron).
        """
        if not isinstance(payload, dict):
            raise ValueError("An order is a payload object (a dict).")
        pk = payload.get("pk")
        if not _is_int(pk) or pk <= 0:
            raise ValueError(f"An order needs a positive integer pk, not {pk!r}.")
        for field in ("number", "status"):
            if not isinstance(payload.get(field), str):
                raise ValueError(f"Order {pk} needs a string {field}, not {payload.get(field)!r}.")
        if not _is_int(_channel_pk(payload.get("channel"))):
            raise ValueError(f"Order {pk} needs a channel (an object with a pk, or its pk).")
        stored = {**copy.deepcopy(payload), "is_send": bool(is_send)}
        with self._lock:
            self._orders[pk] = stored
            self._corrupt.pop(pk, None)
        return pk

    def seed_orders(self, count, *, first_pk=None, status=None, is_send=False):
        """Store ``count`` orders made from the spec's sample, with distinct pks, numbers and item pks.

        Order ``i`` (0-based) has pk ``first_pk + i`` (default: the sample's
        pk), the number ``<sample number>-<i+1>`` and its items' pks moved
        past the previous order's; ``status`` replaces the sample's (``"400"``).
        Returns the pks, ascending.
        """
        base = sample_payload()
        first_pk = base["pk"] if first_pk is None else first_pk
        items = len(base.get("orderitem_set") or ()) or 1
        pks = []
        for index in range(count):
            payload = copy.deepcopy(base)
            payload["pk"], payload["number"] = first_pk + index, f"{base['number']}-{index + 1}"
            if status is not None:
                payload["status"] = status
            for item in payload.get("orderitem_set") or ():
                if _is_int(item.get("pk")):
                    item["pk"] += index * items
            pks.append(self.add_order(payload, is_send=is_send))
        return pks

    @property
    def orders(self):
        """The stored orders, ``{pk: payload}`` by ascending pk (copies)."""
        with self._lock:
            return {pk: copy.deepcopy(self._orders[pk]) for pk in sorted(self._orders)}

    def order(self, pk):
        """The stored payload of order ``pk`` (a copy), None when the double does not hold it."""
        with self._lock:
            return copy.deepcopy(self._orders.get(pk))

    @property
    def plans(self):
        """The cancellation plans the cancels made (webhook bodies, in order), posted or not."""
        with self._lock:
            return copy.deepcopy(self._plans)

    def corrupt_detail(self, pk, body):
        """From now on the detail of order ``pk`` answers 200 with ``body`` (any JSON), not a valid order."""
        with self._lock:
            self._corrupt[pk] = copy.deepcopy(body)

    # Faults (consumed in the order they were queued) --------------------------
    def fail_next(self, count, status=500, body=None, headers=None, path=None):
        self._queue(_Fault(count, status, body or {"detail": "Server error"}, headers, path))

    def fail_for(self, seconds, status=500):
        with self._lock:
            self._fail_until, self._fail_status = time.monotonic() + seconds, status

    def expire_keys(self):
        with self._lock:
            self._keys.clear()

    def rate_limit_next(self, retry_after=30, count=1):
        self._queue(_Fault(count, 429, {"detail": "Request was throttled."}, {"Retry-After": str(retry_after)}))

    def throttle_for(self, seconds, retry_after=30):
        """Every call but the login answers 429 with ``Retry-After: retry_after`` for ``seconds``."""
        if seconds < 0 or not _is_int(retry_after) or retry_after < 0:
            raise ValueError(
                f"throttle_for needs seconds >= 0 and whole seconds retry_after >= 0, not {seconds!r}, {retry_after!r}."
            )
        with self._lock:
            self._throttle_until, self._throttle_retry_after = time.monotonic() + seconds, retry_after

    def reject_next(self, body=None, status=400, path=None):
        self._queue(_Fault(1, status, body or {"non_field_errors": ["Order item 1 not found."]}, path=path))

    def hang_next(self, seconds, count=1, path=None):
        self._queue(_Fault(count, path=path, hang=seconds))

    def dribble_next(self, seconds_per_byte, count=1, path=None):
        """The next answers are the usual ones, written one byte every ``seconds_per_byte``."""
        self._queue(_Fault(count, path=path, dribble=seconds_per_byte))

    def answer_large_next(self, size, count=1, path=None):
        """The next answers are 200s of ``size`` bytes of padding (and the request is processed)."""
        self._queue(_Fault(count, path=path, size=size))

    def _queue(self, fault):
        with self._lock:
            self._faults.append(fault)

    def _take_fault(self, path):
        with self._lock:
            fault = next((fault for fault in self._faults if fault.applies_to(path)), None)
            if fault:
                fault.count -= 1
                if fault.count <= 0:
                    self._faults.remove(fault)
            elif path != LOGIN_PATH and time.monotonic() < self._fail_until:
                fault = _Fault(1, self._fail_status, {"detail": "Server error"})
            elif path != LOGIN_PATH and time.monotonic() < self._throttle_until:
                fault = _Fault(
                    1, 429, {"detail": "Request was throttled."}, {"Retry-After": str(self._throttle_retry_after)}
                )
            return fault

    # Answering ----------------------------------------------------------------
    def handle(self, method, target, headers, raw):
        """Answer one request (called from the server's threads) and record it."""
        at, target = time.monotonic(), urlsplit(target)
        path, query = target.path, target.query
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = _INVALID
        fault = self._take_fault(path)
        if fault and fault.hang:
            self._stopping.wait(fault.hang)
            fault = None
        if fault and (fault.dribble or fault.size):
            self._pace[threading.get_ident()] = fault
            fault = None
        if fault:
            status, answer, extra = fault.status, fault.body, fault.headers
        else:
            status, answer, extra = self._process(method, path, headers, body, query)
        if path == LOGIN_PATH and isinstance(body, dict) and "password" in body:
            body = {**body, "password": "***"}
        with self._lock:
            self._calls.append(Call(method, path, headers, None if body is _INVALID else body, status, at, query))
            self._lock.notify_all()
        return status, answer, extra

    def _route(self, path):
        """``(method, handler, pk)`` for a documented path, None for any other."""
        if path == LOGIN_PATH:
            return "POST", self._login, None
        if path == BULK_STATUS_PATH:
            return "PATCH", self._bulk_status, None
        if path == LIST_PATH:
            return "GET", self._list, None
        if path == ITEMS_PATH:
            return "GET", self._items, None
        if path == PRODUCT_STOCK_PATH:
            return "GET, POST", {"GET": self._product_stocks, "POST": self._upsert_stock}, None
        if path == PRODUCT_PRICE_PATH:
            return "GET, POST", {"GET": self._product_prices, "POST": self._upsert_price}, None
        for pattern, method, handler in (
            (ORDER_PATH, "PATCH", self._mark_sent),
            (CANCEL_PATH, "POST", self._cancel),
            (MAPPING_PATH, "POST", self._create_mapping),
            (DETAIL_PATH, "GET", self._detail),
        ):
            match = pattern.fullmatch(path)
            if match:
                return method, handler, int(match.group(1))
        return None

    def _process(self, method, path, headers, body, query=""):
        """Omnitron's order of checks: path, token, method, media type, JSON, fields.

        A GET reads no body: its answer depends on the query and the stored orders.
        """
        route = self._route(path)
        if route is None:
            return 404, {"detail": f"Not found: {path} is not an Omnitron API path."}, None
        allowed, handler, pk = route
        if path != LOGIN_PATH and not self._authorized(headers):
            return 401, {"detail": "Invalid token."}, None
        if isinstance(handler, dict):
            handler = handler.get(method)
        elif method != allowed:
            handler = None
        if handler is None:
            return 405, {"detail": f'Method "{method}" not allowed.'}, {"Allow": allowed}
        if method == "GET":
            status, answer = handler(dict(parse_qsl(query, keep_blank_values=True)), pk, headers)
            return status, answer, None
        content_type = _header(headers, "Content-Type").split(";")[0].strip()
        if content_type != "application/json":
            return 415, {"detail": f'Unsupported media type "{content_type}" in request.'}, None
        if body is _INVALID:
            return 400, {"detail": "JSON parse error: the body is not valid JSON."}, None
        if not isinstance(body, dict):
            return 400, {"non_field_errors": ["Invalid data. Expected a JSON object."]}, None
        status, answer = handler(body, pk)
        return status, answer, None

    def _authorized(self, headers):
        scheme, _, key = _header(headers, "Authorization").partition(" ")
        with self._lock:
            return scheme == "Token" and key in self._keys

    def _login(self, body, _pk):
        missing = {field: [REQUIRED] for field in ("username", "password") if not body.get(field)}
        if missing:
            return 400, missing
        if (body["username"], body["password"]) != (self.username, self.password):
            return 400, {"non_field_errors": ["Unable to log in with provided credentials."]}
        key = secrets.token_hex(20)  # a DRF token: 40 hex characters, a new one each login
        with self._lock:
            self._keys.add(key)
        return 200, {"key": key}

    @staticmethod
    def _bulk_status(body, _pk):
        errors = validate_bulk_status(body)
        return (400, errors) if errors else (200, {"orderitem_set": body["orderitem_set"]})

    def _mark_sent(self, body, pk):
        """An order the double stores leaves the unsent list; any other pk is answered all the same."""
        errors = validate_is_send(body)
        if errors:
            return 400, errors
        with self._lock:
            if pk in self._orders:
                self._orders[pk]["is_send"] = True
        return 200, {"pk": pk, "is_send": True}

    def _list(self, params, _pk, headers):
        """``GET /api/i1/orders/``: filtered by ``is_send`` and ``status``, paginated as DRF does.

        DRF's PageNumberPagination: ``limit`` is the page size (default 10, cut
        to 100; a value that is not a positive integer means the default),
        ``page`` is 1-based (or ``last``) and a page that does not exist is a
        404 "Invalid page."; ``next`` and ``previous`` are the request's
        absolute URL with ``page`` replaced (dropped for the first page), its
        parameters sorted. Parameters it does not know are ignored.
        """
        sent = params.get("is_send", "")
        if sent and sent.lower() not in BOOLEANS:
            return 400, {"is_send": [f"Select a valid choice. {sent} is not one of the available choices."]}
        status = params.get("status", "")
        with self._lock:
            orders = [
                order_summary(self._orders[pk])
                for pk in sorted(self._orders)
                if (not sent or self._orders[pk]["is_send"] is BOOLEANS[sent.lower()])
                and (not status or self._orders[pk]["status"] == status)
            ]
        return self._page(LIST_PATH, orders, params, headers)

    def _page(self, path, rows, params, headers):
        """One page of ``rows`` as DRF's PageNumberPagination answers (see ``_list``)."""
        try:
            size = min(int(params.get("limit", "")), MAX_PAGE_SIZE)
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        size = size if size > 0 else DEFAULT_PAGE_SIZE
        pages = max(1, -(-len(rows) // size))  # an empty list still has its first page
        number = params.get("page", "1")
        number = pages if number == "last" else number
        try:
            number = int(number)
        except ValueError:
            number = 0
        if not 1 <= number <= pages:
            return 404, {"detail": "Invalid page."}
        # DRF builds the links from the request's Host; behind a proxy that is the proxy's own name.
        host = self.next_host or _header(headers, "Host") or urlsplit(self.url).netloc

        def link(page):
            kept = {key: value for key, value in params.items() if key != "page"}
            if page > 1:
                kept["page"] = str(page)
            return f"http://{host}{path}" + (f"?{urlencode(sorted(kept.items()))}" if kept else "")

        return 200, {
            "count": len(rows),
            "next": link(number + 1) if number < pages else None,
            "previous": link(number - 1) if number > 1 else None,
            "results": rows[(number - 1) * size : number * size],
        }

    def _items(self, params, _pk, headers):
        """``GET /api/i1/order_item/detailed_integration/?order={pk}``: an order's items, paginated.

        Each item as the detail would nest it, plus ``order`` (the order's pk).
        """
        order = params.get("order", "")
        if not order.isdigit():
            return 400, {"order": ["A valid integer is required."]}
        with self._lock:
            stored = self._orders.get(int(order))
            rows = [{**item, "order": int(order)} for item in copy.deepcopy((stored or {}).get("orderitem_set") or [])]
        return self._page(ITEMS_PATH, rows, params, headers)

    def _product_stocks(self, params, _pk, headers):
        """``GET /api/i1/product_stock/``: the product stocks, by ``stock_list`` and ``product_sku``, paginated."""
        stock_list = params.get("stock_list", "")
        if stock_list and not stock_list.isdigit():
            return 400, {"stock_list": ["Select a valid choice. That choice is not one of the available choices."]}
        sku = params.get("product_sku", "")
        with self._lock:
            # In the order they were made (their ids); only the page asked for is copied, so paging
            # through 50,000 product stocks costs the double a page's work per page, not the list's.
            rows = [
                row
                for (pk, row_sku), row in self._stocks.items()
                if (not stock_list or pk == int(stock_list)) and (not sku or row_sku == sku)
            ]
            answer = self._page(PRODUCT_STOCK_PATH, rows, params, headers)
            return answer[0], copy.deepcopy(answer[1])

    def _upsert_stock(self, body, _pk):
        """``POST /api/i1/product_stock/``: create or update one product's stock on one list (its upsert).

        Each product and stock list pair is unique; a SKU Omnitron has no
        product for is refused naming ``product_sku``.
        """
        errors = _unknown_keys(body, ("product_sku", "stock", "stock_list", "unit_type"))
        sku, stock, stock_list = body.get("product_sku"), body.get("stock"), body.get("stock_list")
        if not isinstance(sku, str) or not sku:
            errors["product_sku"] = [REQUIRED]
        elif sku in self.unknown_skus:
            errors["product_sku"] = [f"Product with sku {sku} does not exist."]
        if not _is_int(stock) or not 0 <= stock <= MAX_STOCK:
            errors["stock"] = [f"Ensure this value is a whole number from 0 to {MAX_STOCK}."]
        if not _is_int(stock_list) or stock_list <= 0:
            errors["stock_list"] = ["Invalid pk - object does not exist."]
        if body.get("unit_type", "qty") not in UNIT_TYPES:
            errors["unit_type"] = [f'"{body.get("unit_type")}" is not a valid choice.']
        if errors:
            return 400, errors
        with self._lock:
            row = self._stock_row(stock_list, sku)
            row.update(stock=stock, unit_type=body.get("unit_type", "qty"))
            return 200, copy.deepcopy(row)

    def _product_prices(self, params, _pk, headers):
        """``GET /api/i1/product_price/``: the product prices, by ``price_list`` and ``product``, paginated."""
        price_list = params.get("price_list", "")
        if price_list and not price_list.isdigit():
            return 400, {"price_list": ["Select a valid choice. That choice is not one of the available choices."]}
        with self._lock:
            rows = [
                copy.deepcopy(row)
                for (pk, _sku), row in sorted(self._prices.items())
                if not price_list or pk == int(price_list)
            ]
        return self._page(PRODUCT_PRICE_PATH, rows, params, headers)

    def _upsert_price(self, body, _pk):
        """``POST /api/i1/product_price/``: create or update one product's price on one price list.

        Each product and price list pair is unique; amounts are decimals of at
        most two places, ``retail_price`` may be null; a SKU Omnitron has no
        product for is refused naming ``product_sku``.
        """
        errors = _unknown_keys(
            body, ("product_sku", "price_list", "price", "retail_price", "tax_rate", "currency_type")
        )
        sku, price_list = body.get("product_sku"), body.get("price_list")
        if not isinstance(sku, str) or not sku:
            errors["product_sku"] = [REQUIRED]
        elif sku in self.unknown_skus:
            errors["product_sku"] = [f"Product with sku {sku} does not exist."]
        if not _is_int(price_list) or price_list <= 0:
            errors["price_list"] = ["Invalid pk - object does not exist."]
        for name, nullable in (("price", False), ("retail_price", True), ("tax_rate", False)):
            value = body.get(name)
            if value is None and nullable and name in body:
                continue
            if not _is_amount(value):
                errors[name] = ["A valid number is required (at most 2 decimal places, not below 0)."]
        if body.get("currency_type") not in CURRENCY_TYPES:
            errors["currency_type"] = [f'"{body.get("currency_type")}" is not a valid choice.']
        if errors:
            return 400, errors
        with self._lock:
            row = self._price_row(price_list, sku)
            row.update({key: body[key] for key in ("price", "retail_price", "tax_rate", "currency_type")})
            return 200, copy.deepcopy(row)

    def mappings(self):
        """``{order item pk: the ERP's code}`` of the items whose reservation was released."""
        with self._lock:
            return {pk: mapping["code"] for pk, mapping in self._mappings.items()}

    def _create_mapping(self, body, pk):
        """``POST /api/i1/order_items/{pk}/create_mapping/``: the ERP has the item; its reservation goes.

        ``code`` (the ERP's line id) is mandatory; an item mapped already is refused as such.
        """
        errors = _unknown_keys(body, ("update_stock", "code"))
        if not isinstance(body.get("code"), str) or not body.get("code"):
            errors["code"] = [REQUIRED]
        if "update_stock" in body and not isinstance(body["update_stock"], bool):
            errors["update_stock"] = ["Must be a valid boolean."]
        if errors:
            return 400, errors
        with self._lock:
            if pk in self._mappings:
                return 400, {"non_field_errors": ["Mapping already exists for this order item."]}
            mapping = {
                "pk": 4000 + len(self._mappings),
                "content_type": 66,
                "object_id": pk,
                "integration_type": "external_company",
                "code": body["code"],
            }
            self._mappings[pk] = mapping
            return 201, dict(mapping)

    def _detail(self, _params, pk, _headers):
        """``GET /api/i1/orders_integration/{pk}/detailed_integration/``: the stored payload."""
        with self._lock:
            if pk in self._corrupt:
                return 200, copy.deepcopy(self._corrupt[pk])
            if pk not in self._orders:
                return 404, {"detail": "Not found."}
            detail = copy.deepcopy(self._orders[pk])
        if self.items_apart:
            detail.pop("orderitem_set", None)
            detail.pop("discountitem_set", None)
        return 200, detail

    def _cancel(self, body, pk):
        """Cancels or refunds; then, as Omnitron does, a cancellation plan (and its webhook) for it."""
        errors = validate_cancel(body, pk)
        if errors:
            return 400, errors
        self._plan(body, pk)
        self._cancelling(body, pk)
        return 200, {}

    def _cancelling(self, body, pk):
        """As Omnitron does, the items asked for wait for their plan: their detail says 50 from now on."""
        with self._lock:
            stored = self._orders.get(pk)
            if not stored:
                return
            asked = set(body.get("cancel_items") or ())
            for entry in stored.get("orderitem_set") or ():
                wanted = isinstance(entry, dict) and (not asked or entry.get("pk") in asked)
                if wanted and str(entry.get("status")) not in ("100", "600"):
                    entry["status"] = "50"

    def _plan(self, body, pk):
        """The ``cancellation_plan.created`` a cancel makes: recorded, and posted when ``plan_webhook`` is set."""
        with self._lock:
            stored = copy.deepcopy(self._orders.get(pk)) or {"pk": pk}
            self._plan_pk += 1
            plan_pk = self._plan_pk
        items = body.get("cancel_items") or [
            item.get("pk") for item in stored.get("orderitem_set") or () if _is_int(item.get("pk"))
        ]
        refund = bool(body.get("is_cargo_refund")) or "refund_invoice_number" in body
        order = {key: value for key, value in stored.items() if key not in ("orderitem_set", "discountitem_set")}
        order["channel"] = _channel_pk(order.get("channel"))
        order["status"] = "50"
        plan = {
            "event": {"type": PLAN_EVENT_TYPE, "uuid": secrets.token_hex(16)},
            "payload": {
                "pk": plan_pk,
                "plan_type": "refund" if refund else "cancel",
                "status": "waiting",
                "order": order,
                "cancellationplanorderitem_set": [
                    {"pk": plan_pk * 100 + index, "order_item": {"pk": item_pk, "order": pk}}
                    for index, item_pk in enumerate(items)
                ],
            },
        }
        with self._lock:
            self._plans.append(plan)
            target = self.plan_webhook
        if target:
            threading.Thread(target=_post_plan, args=(target, plan), daemon=True).start()


def _post_plan(target, plan):
    """Post ``plan`` to the addon's plan route (Omnitron's own delivery, after the cancel answered)."""
    import urllib.request  # noqa: PLC0415 - only a double that posts its plans needs it

    url, token = target
    time.sleep(0.2)  # Omnitron creates the plan after answering the cancel
    request = urllib.request.Request(
        url,
        data=json.dumps(plan).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
        method="POST",
    )
    with contextlib.suppress(OSError), urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback only
        pass


def main(argv=None):
    """Serve the double until interrupted, for trying a client by hand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--username", default="odoo")
    parser.add_argument("--password", default="s3cret")
    parser.add_argument(
        "--orders", type=int, default=0, metavar="N", help="store N unsent orders made from the sample (pks from 1)"
    )
    args = parser.parse_args(argv)
    with OmnitronApiDouble(args.username, args.password, port=args.port, verbose=True) as api:
        if args.orders > 0:
            api.seed_orders(args.orders, first_pk=1)
        sys.stdout.write(
            f"Omnitron API double on {api.url} (user {args.username}, {len(api.orders)} orders); Ctrl+C stops it\n"
        )
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
