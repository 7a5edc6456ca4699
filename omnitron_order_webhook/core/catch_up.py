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
from .omnitron_api import DETAIL_PATH, LIST_PATH

# Orders asked for per page: Omnitron's page size is the ``limit`` parameter (its default is 10).
PAGE_SIZE = 50  # orders
# Pages one run reads at most, all its statuses together: a backlog larger than
# MAX_PAGES * PAGE_SIZE orders is left for the next run instead of holding a worker.
MAX_PAGES = 20  # pages
# The statuses pulled by default: 400 (approved), an order ready to be fulfilled.
DEFAULT_STATUSES = "400"
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


def detail_path(pk):
    """The path of order ``pk``'s detail, in the webhook payload's shape.

    >>> detail_path(31999)
    '/api/i1/orders_integration/31999/detailed_integration/'
    """
    return DETAIL_PATH.format(pk=int(pk))


@dataclasses.dataclass(frozen=True)
class Page:
    """What one page of the orders list says: its orders' pks in order, the next page's URL, the total."""

    pks: tuple
    next_url: str | None
    count: int | None


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

    Only what the pull needs is read (``results[].pk``, ``next``, ``count``);
    an answer without them is not a page and nothing of it is used, so a
    changed API stops the pull with a reason instead of importing nothing.

    >>> read_page({"count": 2, "next": None, "previous": None, "results": [{"pk": 7}, {"pk": 9}]})
    Page(pks=(7, 9), next_url=None, count=2)
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
    pks = []
    for index, result in enumerate(results):
        if not isinstance(result, dict):
            raise ValueError(f"{problem}results[{index}] must be an object, not {_json_type(result)}")
        pk = result.get("pk")
        if not _is_int(pk) or pk <= 0:
            raise ValueError(f"{problem}results[{index}].pk must be a positive integer, not {pk!r}")
        pks.append(pk)
    next_url = document.get("next")
    if next_url is not None and not (isinstance(next_url, str) and next_url.strip()):
        raise ValueError(f"{problem}next must be a URL or null, not {next_url!r}")
    count = document.get("count")
    if count is not None and not (_is_int(count) and count >= 0):
        raise ValueError(f"{problem}count must be a whole number or null, not {count!r}")
    return Page(pks=tuple(pks), next_url=next_url.strip() if next_url else None, count=count)


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

    def summary(self):
        """One English line (a job's result is read by administrators, as the server log)."""
        line = (
            f"listed {self.listed}, imported {self.imported}, already there {self.already}, "
            f"refused {self.refused}, failed {self.failed}"
        )
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
