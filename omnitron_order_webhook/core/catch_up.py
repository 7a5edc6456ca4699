"""The catch-up pull: the orders Omnitron holds that the ERP has not taken yet.

A webhook delivery can be lost (Omnitron down, Odoo down, a network cut), so
a job per Omnitron account asks Omnitron's integration API for the orders not
yet marked as sent (``is_send=False``) at the statuses it is told to pull,
reads each one's detail and imports it through the same reception as a
webhook body; the import marks it sent, which takes it off the list
(shared/spec/omnitron_lifecycle.md, "Pulling orders"). This module holds what
that job decides without a database: which statuses, which pages, what a page
says, how a detail becomes a webhook call, and the tally it reports.
"""

import dataclasses
import re
import uuid
from urllib.parse import urlencode

from . import const
from .omnitron_api import DETAIL_PATH, ITEMS_PATH, LIST_PATH
from .validation import FieldError, InvalidPayload

# Orders asked for per page: Omnitron's page size is the ``limit`` parameter (its default is 10).
PAGE_SIZE = 50  # orders
# Pages one run reads at most, all its statuses together: a backlog larger than
# MAX_PAGES * PAGE_SIZE orders is left for the next run instead of holding a worker.
MAX_PAGES = 20  # pages
# The statuses pulled by default, as Akinon's own ERP connector lists orders ("is_send
# false and not canceled"): every status from approved on, the ones an order is created
# confirmed at (const.ORDER_STATUSES): approved, preparing, shipped and on to delivered,
# and a paid trade-in. Not before approval (200-350, 546: not yet sold), not cancelled
# or refunded (50, 100, 600): a marketplace order that reaches Omnitron at 450 or 500
# is pulled too.
DEFAULT_STATUSES = "400 450 500 510 520 540 544 545 547 550"
# The default of 18.0.1.4.0 and before, which the upgrade to 18.0.1.5.0 replaces.
OLD_DEFAULT_STATUSES = "400"
# The most pages of an order's items read (MAX_ITEMS items at PAGE_SIZE a page, and one more).
MAX_ITEM_PAGES = -(-const.MAX_ITEMS // 50) + 1  # pages
# The webhook event type a pulled order is received as (the list holds orders the
# ERP has not taken). The reception does not choose by type: an order Odoo holds
# already is found by its channel and number, as for any delivery.
EVENT_TYPE = "order.created"
# The namespace of the pulled deliveries' event uuids (uuid5): fixed, so the same
# order pulled twice in the same state gets the same uuid.
EVENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:omnitron-order-webhook:catch-up")

_SEPARATORS = re.compile(r"[\s,]+")


def parse_statuses(text):
    """The Omnitron order status codes in ``text``, separated by commas or spaces, in order, once each.

    Each code must be one of Omnitron's order statuses (``const.ORDER_STATUSES``):
    a mistyped code would pull nothing and say nothing, so it is refused.

    >>> parse_statuses("400, 450 400")
    ('400', '450')
    >>> parse_statuses("400,42")
    Traceback (most recent call last):
    ...
    ValueError: '42' is not an Omnitron order status (known: 50, 100, 200, 300, 350, 400, 450, 500, 510, 520, 540, 544, 545, 546, 547, 550, 600)
    """  # noqa: E501 - a doctest's expected line cannot be wrapped
    codes = [code for code in _SEPARATORS.split(str(text or "")) if code]
    if not codes:
        raise ValueError("Give at least one status to pull (Omnitron order status codes, e.g. 400).")
    for code in codes:
        if code not in const.ORDER_STATUSES:
            raise ValueError(f"{code!r} is not an Omnitron order status (known: {', '.join(const.ORDER_STATUSES)})")
    return tuple(dict.fromkeys(codes))


def list_path(status, page, limit=PAGE_SIZE):
    """The path and query of one page of the orders not yet sent at ``status`` (page 1-based).

    >>> list_path("400", 2)
    '/api/i1/orders/?is_send=False&status=400&limit=50&page=2'
    """
    return f"{LIST_PATH}?{urlencode({'is_send': 'False', 'status': status, 'limit': limit, 'page': page})}"


def items_path(order_pk, page, limit=PAGE_SIZE):
    """The path and query of one page of order ``order_pk``'s items (page 1-based).

    >>> items_path(31999, 2)
    '/api/i1/order_item/detailed_integration/?order=31999&limit=50&page=2'
    """
    return f"{ITEMS_PATH}?{urlencode({'order': int(order_pk), 'limit': limit, 'page': page})}"


def detail_path(pk):
    """The path of order ``pk``'s detail, in the webhook payload's shape.

    >>> detail_path(31999)
    '/api/i1/orders_integration/31999/detailed_integration/'
    """
    return DETAIL_PATH.format(pk=int(pk))


@dataclasses.dataclass(frozen=True)
class Listed:
    """An order as the list summarises it: what decides, before its detail is fetched, whether to take it."""

    pk: int
    status: str | None = None
    channel_pk: int | None = None
    modified_date: str | None = None


@dataclasses.dataclass(frozen=True)
class Page:
    """What one page of a list says: its orders in order, whether a next page exists, the total.

    ``next``'s URL is read only as "more" or "none": pages are counted on the
    account's own API URL, as Akinon's client counts them, so a link naming a
    proxy's host (or ``http://`` behind TLS) is never called.
    """

    pks: tuple
    has_next: bool
    count: int | None
    orders: tuple = ()


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _json_type(value):
    """A JSON value's type, in JSON's words (an answer is JSON, not Python)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "a list", dict: "an object"}.get(type(value), type(value).__name__)


def read_page(document):
    """The Page in Omnitron's answer ``document`` (DRF pagination), or ValueError saying what is wrong.

    Only what the pull needs is read (``results[].pk``, ``next``, ``count``,
    and each summary's status, channel and modified date when it has them);
    an answer without them is not a page and nothing of it is used, so a
    changed API stops the pull with a reason instead of importing nothing.

    >>> page = read_page({"count": 2, "next": None, "results": [{"pk": 7, "status": "400", "channel": {"pk": 3}}]})
    >>> page.pks, page.has_next, page.count, page.orders[0]
    ((7,), False, 2, Listed(pk=7, status='400', channel_pk=3, modified_date=None))
    >>> read_page({"results": [{"pk": "7"}]})
    Traceback (most recent call last):
    ...
    ValueError: Omnitron's orders list is not a page: results[0].pk must be a positive integer, not '7'
    """
    problem = "Omnitron's orders list is not a page: "
    if not isinstance(document, dict):
        raise ValueError(f"{problem}the answer must be an object, not {_json_type(document)}")
    results = document.get("results")
    if not isinstance(results, list):
        said = "is missing" if "results" not in document else f"must be a list, not {_json_type(results)}"
        raise ValueError(f"{problem}results {said}")
    orders = []
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            raise ValueError(f"{problem}results[{index}] must be an object, not {_json_type(result)}")
        pk = result.get("pk")
        if not _is_int(pk) or pk <= 0:
            raise ValueError(f"{problem}results[{index}].pk must be a positive integer, not {pk!r}")
        orders.append(_listed(result, pk))
    has_next, count = _pagination(document, problem)
    return Page(pks=tuple(order.pk for order in orders), has_next=has_next, count=count, orders=tuple(orders))


def _listed(result, pk):
    """What a summary says of its order; a field in another shape than expected is left unsaid (the detail decides)."""
    status = result.get("status")
    channel = result.get("channel")
    channel = channel.get("pk") if isinstance(channel, dict) else channel
    modified = result.get("modified_date")
    return Listed(
        pk=pk,
        status=str(status) if isinstance(status, (str, int)) and not isinstance(status, bool) else None,
        channel_pk=channel if _is_int(channel) else None,
        modified_date=modified if isinstance(modified, str) else None,
    )


def _pagination(document, problem):
    next_url = document.get("next")
    if next_url is not None and not (isinstance(next_url, str) and next_url.strip()):
        raise ValueError(f"{problem}next must be a URL or null, not {next_url!r}")
    count = document.get("count")
    if count is not None and not (_is_int(count) and count >= 0):
        raise ValueError(f"{problem}count must be a whole number or null, not {count!r}")
    return bool(next_url), count


def skip_reason(listed, statuses, allowed_channels=frozenset(), refused_channels=frozenset(), min_pk=0):
    """Why a listed order is not fetched at all, or None to fetch it.

    What the summary already says settles it (the reception would refuse the
    order for it): a status the account does not pull (Omnitron may ignore
    the filter), a channel the settings or the account do not accept, a pk
    below the minimum. An empty ``allowed_channels`` accepts every channel.
    Unknown fields (a summary without them) never skip: the detail decides.

    >>> skip_reason(Listed(7, "400", 20), ("400",), frozenset({20}))
    >>> skip_reason(Listed(7, "100", 20), ("400",))
    'status'
    >>> skip_reason(Listed(7, "400", 21), ("400",), frozenset({20}))
    'channel_not_allowed'
    >>> skip_reason(Listed(7, "400", 21), ("400",), refused_channels=frozenset({21}))
    'channel_not_allowed'
    >>> skip_reason(Listed(7), ("400",), frozenset({20}), min_pk=8)
    'below_min_omnitron_id'
    """
    if listed.pk < min_pk:
        return const.REASON_BELOW_MIN_OMNITRON_ID
    if listed.status is not None and listed.status not in statuses:
        return SKIP_STATUS
    if listed.channel_pk is not None and (
        (allowed_channels and listed.channel_pk not in allowed_channels) or listed.channel_pk in refused_channels
    ):
        return const.REASON_CHANNEL_NOT_ALLOWED
    return None


SKIP_STATUS = "status"  # a listed order at a status the account does not pull


def read_items_page(document, order_pk):
    """The items on one page of order ``order_pk``'s items (raw objects), whether more follow, the total.

    Raises InvalidPayload naming each path that makes the answer no page of
    this order's items: the pulled order is then refused as a body with those
    errors would be, never half-imported.
    """
    where = "payload.orderitem_set"
    if not isinstance(document, dict) or not isinstance(document.get("results"), list):
        shown = _json_type(document) if not isinstance(document, dict) else "an object without a results list"
        raise InvalidPayload([FieldError(where, f"Omnitron's items endpoint answered {shown}, not a page of items")])
    errors = []
    for index, item in enumerate(document["results"]):
        if not isinstance(item, dict):
            errors.append(FieldError(f"{where}[{index}]", f"must be an object, not {_json_type(item)}"))
            continue
        order = item.get("order")
        order = order.get("pk") if isinstance(order, dict) else order
        if order is not None and order != order_pk:
            errors.append(FieldError(f"{where}[{index}].order", f"names order {order!r}, not the listed {order_pk}"))
    try:
        has_next, count = _pagination(document, "")
    except ValueError as error:
        errors.append(FieldError(where, f"Omnitron's items page is not a page: {error}"))
        has_next, count = False, None
    if errors:
        raise InvalidPayload(errors)
    return tuple(document["results"]), has_next, count


def with_items(payload, items, count=None):
    """``payload`` (a detail without ``orderitem_set``) with the ``items`` read apart from it.

    ``count`` is what the items endpoint's first page said it holds: more
    items than that is no answer to trust (a page read twice, an order
    changing under the read), so it is refused naming the path.
    """
    if count is not None and len(items) > count:
        raise InvalidPayload(
            [
                FieldError(
                    "payload.orderitem_set",
                    f"Omnitron's items endpoint answered {len(items)} items; its count said {count}",
                )
            ]
        )
    return {**payload, "orderitem_set": [{k: v for k, v in item.items() if k != "order"} for item in items]}


def needs_items(payload):
    """Whether a detail leaves its items to the items endpoint (Akinon's detail lists none)."""
    return isinstance(payload, dict) and "orderitem_set" not in payload


def identity_errors(payload, pk):
    """A detail that names another order than the one listed: refused, never imported under its own pk.

    >>> identity_errors({"pk": 8}, 7)[0].message
    'names order 8, not the listed 7'
    >>> identity_errors({"pk": 7}, 7), identity_errors({}, 7)
    ([], [])
    """
    if isinstance(payload, dict) and "pk" in payload and payload["pk"] != pk:
        return [FieldError("payload.pk", f"names order {payload['pk']!r}, not the listed {pk}")]
    return []


def number_errors(payload, number):
    """A refreshed order's detail must be that order: another number is refused, never imported as new.

    >>> number_errors({"number": "B-2"}, "A-1")[0].message
    "names order 'B-2', not the refreshed 'A-1'"
    >>> number_errors({"number": "A-1"}, "A-1")
    []
    """
    if isinstance(payload, dict) and payload.get("number") != number:
        return [FieldError("payload.number", f"names order {payload.get('number')!r}, not the refreshed {number!r}")]
    return []


@dataclasses.dataclass
class PullTally:
    """What one run of the pull did, order by order, for its job's result and the account's last run.

    ``listed``: orders the list named; ``imported``: created in Odoo;
    ``already``: Odoo held them already; ``refused``: the reception would not
    take them (their detail is not a valid order, or it was refused as a
    webhook body would be); ``failed``: an error left them for the next run.
    ``pages``: pages read; ``more_left``: the run stopped at MAX_PAGES with pages unread.

    >>> tally = PullTally(listed=60, imported=58, already=1, refused=1, pages=2)
    >>> tally.summary()
    'listed 60, imported 58, already there 1, refused 1, failed 0'
    >>> tally.more_left = True
    >>> tally.summary()
    'listed 60, imported 58, already there 1, refused 1, failed 0; more left for the next run'
    """

    listed: int = 0
    imported: int = 0
    already: int = 0
    refused: int = 0
    failed: int = 0
    pages: int = 0
    more_left: bool = False
    skipped: int = 0
    temporary_failures: int = 0  # of the ``failed``: details that failed for now (5xx, timeout)

    def summary(self):
        """One English line (a job's result is read by administrators, as the server log).

        ``skipped`` (listed, not fetched: a status or channel not pulled, or a
        refusal whose cause has not changed) is said only when there are some.
        """
        line = (
            f"listed {self.listed}, imported {self.imported}, already there {self.already}, "
            f"refused {self.refused}, failed {self.failed}"
        )
        if self.skipped:
            line += f", not fetched {self.skipped}"
        return f"{line}; more left for the next run" if self.more_left else line


def event_uuid(account_key, pk, modified_date=None):
    """The uuid of a pulled order's delivery: 32 hex digits, the same for the same account, order and state.

    The same order pulled again unchanged reads as the same delivery in the
    event log; once Omnitron changes it (a new ``modified_date``), as a new one.

    >>> event_uuid("acc-1", 31999, "2024-05-02T10:00:00Z") == event_uuid("acc-1", 31999, "2024-05-02T10:00:00Z")
    True
    >>> len(event_uuid("acc-1", 31999))
    32
    """
    name = f"{account_key}\x1f{pk}\x1f{'' if modified_date is None else modified_date}"
    return uuid.uuid5(EVENT_NAMESPACE, name).hex


def detail_call(payload, *, account_key, pk):
    """The webhook envelope around a pulled order's detail, for ``validation.parse_webhook_call``.

    A pulled order goes through the same parse, checks and import as a
    webhook body, so the two ways in cannot drift apart. ``pk`` is the one
    the list named (the detail's own may be missing or wrong); a ``payload``
    that is not an object is wrapped all the same, and the parse refuses it
    naming its path.

    >>> call = detail_call({"pk": 7, "modified_date": "2024-05-02T10:00:00Z"}, account_key=1, pk=7)
    >>> call["event"]["type"], len(call["event"]["uuid"]), call["payload"]["pk"]
    ('order.created', 32, 7)
    """
    modified_date = payload.get("modified_date") if isinstance(payload, dict) else None
    if not isinstance(modified_date, (str, int, float)):
        modified_date = None  # only a plain value names the order's state
    return {"event": {"type": EVENT_TYPE, "uuid": event_uuid(account_key, pk, modified_date)}, "payload": payload}
