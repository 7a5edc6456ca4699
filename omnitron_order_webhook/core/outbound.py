"""What is sent back to Omnitron, and when nothing needs sending (pure).

The jobs (``models/omnitron_outbound.py``) read the order's facts from Odoo
and ask this module for the request; it compares what Odoo did with what
Omnitron already has (the item's ``omnitron_*`` fields, written by the import,
by Omnitron's updates and by every call Omnitron accepted), so an unchanged
value is never sent again and an update that came from Omnitron is never
echoed back.
"""

import dataclasses
from datetime import date, datetime
from decimal import Decimal

from . import const
from .lifecycle import rank

STATUS_INVOICED = "450"  # invoiced, not shipped
STATUS_SHIPPED = "500"  # invoiced and shipped


@dataclasses.dataclass(frozen=True)
class ItemFacts:
    """One Omnitron item: what Omnitron has, and what Odoo did with its line."""

    pk: int
    status: str | None  # Omnitron's
    tracking_number: str | None  # Omnitron's
    shipping_company: str | None  # Omnitron's (as we last sent it)
    invoice_number: str | None  # Omnitron's
    invoice_date: date | None  # Omnitron's
    shipped: bool  # Odoo delivered every unit of the line
    tracking_ref: str | None  # the carrier tracking reference of the delivery that shipped it
    carrier_code: str | None  # that carrier's Omnitron shipping company code
    invoice_name: str | None  # the posted invoice of the line
    invoice_day: date | None  # its date
    e_archive_url: str | None = None  # Omnitron's
    invoice_link: str | None = None  # a link to the invoice a buyer can open, when the account sends it


def _day(value):
    return value.date() if isinstance(value, datetime) else value


def invoice_datetime(day):
    """The invoice date as the bulk update documents it: a date and time in UTC.

    Akinon's example is ``"2021-07-14T00:00:00.000000Z"`` and Omnitron's own
    items carry datetimes; a bare date is refused by a DRF ``DateTimeField`` on
    Django before 4.0. The invoice's day is sent as its midnight, the form
    documented, whatever Omnitron's Django.

    >>> invoice_datetime(date(2026, 12, 7))
    '2026-12-07T00:00:00.000000Z'
    """
    return f"{_day(day).isoformat()}T00:00:00.000000Z"


def parse_invoice_datetime(text):
    """The naive UTC datetime of what ``invoice_datetime`` sent (a bare date read too, as sent before).

    >>> parse_invoice_datetime("2026-12-07T00:00:00.000000Z"), parse_invoice_datetime("2026-12-07")
    (datetime.datetime(2026, 12, 7, 0, 0), datetime.datetime(2026, 12, 7, 0, 0))
    """
    return datetime.fromisoformat(text.replace("Z", "+00:00")).replace(tzinfo=None)


def item_update(item):
    """The ``orderitem_set`` entry that tells Omnitron what Odoo did with ``item``, or None.

    Shipped: status 500 with the tracking number and shipping company;
    invoiced: the invoice number and date, with status 450 when not shipped.
    A status Omnitron already has or has passed is kept (never sent backwards),
    and an item Omnitron cancelled or refunded is left alone.
    """
    if item.status in const.FINAL_STATUSES or item.status == const.STATUS_CANCELLATION_WAITING:
        return None
    if item.shipped:
        wanted = STATUS_SHIPPED
    elif item.invoice_name:
        wanted = STATUS_INVOICED
    else:
        return None
    current = rank(item.status)
    status = item.status if current is not None and current >= rank(wanted) else wanted
    entry = {"id": item.pk, "status": status}
    if item.shipped:
        if item.tracking_ref:
            entry["tracking_number"] = item.tracking_ref
        if item.carrier_code:
            entry["shipping_company"] = item.carrier_code
    if item.invoice_name:
        entry["invoice_number"] = item.invoice_name
        entry["invoice_date"] = invoice_datetime(item.invoice_day) if item.invoice_day else None
        if item.invoice_link:
            # "URL to access invoice pdf in Omnitron panel and sales channels" (the bulk update).
            entry["e_archive_url"] = item.invoice_link
    has = {
        "status": item.status,
        "tracking_number": item.tracking_number,
        "shipping_company": item.shipping_company,
        "invoice_number": item.invoice_number,
        "invoice_date": invoice_datetime(item.invoice_date) if item.invoice_date else None,
        "e_archive_url": item.e_archive_url,
    }
    if all(has[key] == value for key, value in entry.items() if key != "id"):
        return None  # Omnitron has all of it already
    return entry


def bulk_status_body(items):
    """The body of ``bulk_status_update`` for what changed, or None when nothing did."""
    entries = [entry for entry in map(item_update, items) if entry]
    return {"orderitem_set": entries} if entries else None


def live_statuses(payload):
    """``{item pk: status}`` of the items in an order's detail as Omnitron answers it now (empty: none readable)."""
    items = payload.get("orderitem_set") if isinstance(payload, dict) else None
    return {
        item["pk"]: str(item["status"])
        for item in items or ()
        if isinstance(item, dict) and isinstance(item.get("pk"), int) and isinstance(item.get("status"), (str, int))
    }


# What Omnitron may have done to an item without Odoo hearing of it (a lost delivery): a
# cancellation asked or made, a refund. Such an item is never pushed forward.
WITHDRAWN_STATUSES = const.FINAL_STATUSES | {const.STATUS_CANCELLATION_WAITING}


def withdrawn(body, live):
    """The item pks of ``body`` that Omnitron has cancelled, refunded or is cancelling, by its live ``live`` statuses.

    Akinon's own client reads the live item before it updates it; the addon's
    copy may be stale after a lost delivery, and pushing 500 onto a cancelled
    item would undo nothing but confuse everyone.

    >>> withdrawn({"orderitem_set": [{"id": 1, "status": "500"}, {"id": 2, "status": "500"}]}, {1: "100", 2: "400"})
    [1]
    """
    return [entry["id"] for entry in body["orderitem_set"] if live.get(entry["id"]) in WITHDRAWN_STATUSES]


def without_items(body, item_pks):
    """``body`` without the entries of ``item_pks``; None when nothing is left to send."""
    entries = [entry for entry in body["orderitem_set"] if entry["id"] not in set(item_pks)]
    return {"orderitem_set": entries} if entries else None


def accepted_values(entry):
    """The line values recording what Omnitron accepted from ``entry`` (what it has now)."""
    values = {"omnitron_status": entry["status"]}
    for key, field in (
        ("tracking_number", "omnitron_tracking_number"),
        ("shipping_company", "omnitron_shipping_company"),
        ("invoice_number", "omnitron_invoice_number"),
        ("e_archive_url", "omnitron_e_archive_url"),
    ):
        if key in entry:
            values[field] = entry[key]
    if entry.get("invoice_date"):
        values["omnitron_invoice_date"] = parse_invoice_datetime(entry["invoice_date"])
    return values


def cancel_body(order_pk, item_pks, reason_id, whole_order, cargo_refund=False):
    """The body of ``orders/{pk}/cancel/``: the whole order, or only ``item_pks``.

    ``is_cargo_refund`` is always said (Omnitron's default is false): the
    shipping is refunded exactly when Odoo records it as refunded.
    """
    item_pks = sorted(item_pks)
    return {
        "order": order_pk,
        "is_all": bool(whole_order),
        "cancel_items": [] if whole_order else item_pks,
        "reasons": {str(pk): reason_id for pk in item_pks},
        "forced_refund_amount": None,
        "is_cargo_refund": bool(cargo_refund),
    }


def refund_asked(items, prices_per_row, shipping_amount=None):
    """What Omnitron refunds for ``items`` ((price, units) as Omnitron sent them) and the cargo.

    A merged item's price is per unit or per row, as the import read it
    (``prices_per_row``); ``shipping_amount`` when the cargo is refunded too.
    """
    total = sum((price if prices_per_row else price * max(units, 1) for price, units in items), Decimal(0))
    return total + (shipping_amount or Decimal(0))


def return_body(order_pk, item_pks, reason_id, cargo_refund, refund_invoice_number=None):
    """The body of ``orders/{pk}/cancel/`` for items that came back to the merchant (Omnitron refunds them).

    Never the whole order (a return names its items); ``refund_invoice_number``
    only once the credit note is posted (omitted, not null, before).
    """
    body = cancel_body(order_pk, item_pks, reason_id, whole_order=False, cargo_refund=cargo_refund)
    if refund_invoice_number:
        body["refund_invoice_number"] = refund_invoice_number
    return body
