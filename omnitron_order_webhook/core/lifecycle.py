"""The rules of an imported order's life: what a later delivery changes.

Omnitron posts the same order again each time it moves (approved, invoiced,
shipped, delivered, cancelled, refunded). ``plan_update`` compares what Odoo
holds (a ``KnownOrder``, read by ``omnitron.order.update._known``) with the new
delivery (a ``validation.Order``) and returns an ``UpdatePlan``, which the
update service (``models/omnitron_order_update.py``) carries out. The rules:

- A delivery older than what was applied changes nothing (``outdated``): its
  ``modified_date`` is before the one applied or, when either has none (or
  either is more than ``const.MAX_CLOCK_SKEW`` ahead of the server's clock, so
  one bogus date cannot freeze the order), its status ranks below the applied
  one (``const.STATUS_RANKS``: the fulfilment path, then 100 < 600). With both dates, a newer delivery's status is
  applied whatever its rank. Without, a status is applied only when it ranks
  higher; so is an item's. 50 (cancellation waiting) is the exception: any
  status may follow it (a fulfilment status means Omnitron rejected the
  cancellation), and it follows any fulfilment status.
- Applied: statuses, tracking number and URL, invoice number and date,
  e-archive URL, cargo company, gift note, refund amount. An absent value
  never erases one Odoo has. What Odoo asked Omnitron to refund (a return or
  cancellation made in Odoo, kept per item as ``refund_asked``) is no news
  when Omnitron reports those items cancelled or refunded: the growth of
  ``refund_amount`` it explains is not ``refund_growth``, and the asked amount
  is cleared whether Omnitron refunded it or not (a pay-on-delivery order
  cancelled refunds nothing), so it never hides a later refund.
- Never applied: the customer (its pk, name and e-mail), the addresses,
  prices, an item's sku and tax rate, the currency, items added or removed,
  the amount (unless nothing else differs and the new amount is exactly what
  the items still standing cost). They become ``differences``, which flag the
  order.
- A status applied that calls for a state Odoo does not take by itself (a
  cancelled order moved on, a confirmed one sent back to a quotation's
  status) is named in ``unapplied_state``: the order is flagged for a person.
"""

import dataclasses
from datetime import datetime, timezone
from decimal import Decimal

from . import const, mapping, taxes
from .said import Said, Status


@dataclasses.dataclass(frozen=True)
class KnownItem:
    pk: int
    status: str | None
    tracking_number: str | None
    invoice_number: str | None
    invoice_date: datetime | None
    e_archive_url: str | None
    price: Decimal | None  # Omnitron's item price as it was sent
    quantity: int | None = None  # the units it stands for (None: not known, before merged items)
    skus: tuple = ()  # the skus that lead to its line's product (empty: not known)
    tax_rate: Decimal | None = None  # the rate of its line's tax, 0 without one (None: not known)
    refund_asked: Decimal = Decimal(0)  # what Odoo asked Omnitron to refund for it, not yet reported


@dataclasses.dataclass(frozen=True)
class KnownOrder:
    """What Odoo holds of an imported order, as the update rules compare it."""

    state: str  # the sale.order state: draft, sent, sale or cancel
    status: str | None
    tracking_number: str | None
    tracking_url: str | None
    invoice_number: str | None
    invoice_date: datetime | None
    e_archive_url: str | None
    gift_box_note: str | None
    cargo_codes: tuple  # (shipping_company, erp_code) of the order's carrier
    amount: Decimal
    shipping_amount: Decimal
    refund_amount: Decimal
    modified_date: datetime | None
    customer_pk: int | None
    billing_key: str | None
    shipping_key: str | None
    per_row_prices: bool  # merged items' prices were read per row at import
    items: dict  # item pk -> KnownItem
    reported_differences: str | None  # the differences already flagged
    customer_name: str | None = None  # the customer partner's name: the fallback name of its addresses
    currency: str | None = None  # the sale order's currency (None: not known)
    customer_sent: tuple | None = None  # (name, e-mail) of the customer as Omnitron sent them (None: not known)


@dataclasses.dataclass(frozen=True)
class UpdatePlan:
    outdated: str | None = None  # why nothing is applied: the delivery is older
    status: tuple | None = None  # (old, new) when the order's status moves forward
    order_values: dict = dataclasses.field(default_factory=dict)  # sale.order fields to write
    item_values: dict = dataclasses.field(default_factory=dict)  # item pk -> sale.order.line fields
    cargo: object = None  # validation.CargoCompany when it changed: its carrier is looked up again
    differences: tuple = ()  # what differs and is not applied, when not flagged before
    confirm: bool = False  # a quotation reached a confirming status
    cancel_order: bool = False  # the order's status became 100
    cancellation_requested: bool = False  # the order's status became 50
    order_refunded: bool = False  # the order's status became 600
    cancelled_items: tuple = ()  # items newly 100 (the order itself not cancelled)
    refunded_items: tuple = ()  # items newly 600
    refund_growth: Decimal | None = None  # how much refund_amount grew
    changes: tuple = ()  # what is applied, in words (chatter, event, answer)
    unapplied_state: str | None = None  # the sale.order state the new status calls for, which Odoo won't take

    @property
    def changed(self):
        return bool(self.changes or self.differences)


def rank(status):
    """Where ``status`` stands on the order's path (None: not a known status)."""
    return const.STATUS_RANKS.get(status)


def moves_forward(old, new):
    """Whether status ``new`` may replace ``old`` (an unknown old one is replaced, an unknown new one never)."""
    new_rank = rank(new)
    if new_rank is None or new == old:
        return False
    if old == const.STATUS_CANCELLATION_WAITING:
        return True  # confirmed (100, 600) or rejected (a fulfilment status)
    if new == const.STATUS_CANCELLATION_WAITING:
        return old not in const.FINAL_STATUSES
    old_rank = rank(old)
    return old_rank is None or new_rank > old_rank


def describe_status(status):
    return Status(status).english()


def status_change(old, new):
    """The Said of a status change: codes in English for the API, names for people."""
    return Said(
        "status", f"status {describe_status(old)} → {describe_status(new)}", old=Status(old or ""), new=Status(new)
    )


def _text(value):
    return value.strftime("%Y-%m-%d %H:%M:%S") if isinstance(value, datetime) else str(value)


def trusted_date(value, now):
    """``value`` when it may order updates; None when absent or too far ahead of the clock ``now``."""
    if value is None or value > now + const.MAX_CLOCK_SKEW:
        return None
    return value


def plan_update(known, order, now=None):
    """The UpdatePlan of delivery ``order`` (validation.Order) for the order Odoo ``known``s.

    ``now`` is the server's clock (naive UTC; default: now): a ``modified_date``
    ahead of it by more than ``const.MAX_CLOCK_SKEW`` does not order updates.
    """
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    known_date, order_date = trusted_date(known.modified_date, now), trusted_date(order.modified_date, now)
    outdated = _outdated(known, order, known_date, order_date)
    if outdated:
        return UpdatePlan(outdated=outdated)
    changes = []
    order_values = {}
    status = None
    dated = bool(known_date and order_date)
    newer = dated and order_date > known_date
    if order.status != known.status and (
        moves_forward(known.status, order.status) or (newer and rank(order.status) is not None)
    ):
        status = (known.status, order.status)
        order_values.update(omnitron_status=order.status, omnitron_status_name=order.status_name)
        changes.append(status_change(known.status, order.status))
    for field, new, old in (
        ("omnitron_tracking_number", order.tracking_number, known.tracking_number),
        ("omnitron_tracking_url", order.tracking_url, known.tracking_url),
        ("omnitron_invoice_number", order.invoice_number, known.invoice_number),
        ("omnitron_invoice_date", order.invoice_date, known.invoice_date),
        ("omnitron_e_archive_url", order.e_archive_url, known.e_archive_url),
        ("omnitron_gift_box_note", order.gift_box_note, known.gift_box_note),
    ):
        if new is not None and new != old:
            order_values[field] = new
            changes.append(_field_change(field, new))
    # Items Odoo asked Omnitron to cancel or refund, now reported so: what they were asked
    # for explains as much growth of the refund amount, and is cleared.
    answered = {
        item.pk: known.items[item.pk].refund_asked
        for item in order.items
        if item.pk in known.items and known.items[item.pk].refund_asked and item.status in const.FINAL_STATUSES
    }
    refund_growth = None
    if order.refund_amount is not None and order.refund_amount != known.refund_amount:
        if order.refund_amount > known.refund_amount:
            refund_growth = order.refund_amount - known.refund_amount
            refund_growth = max(refund_growth - sum(answered.values(), Decimal(0)), Decimal(0)) or None
        order_values["omnitron_refund_amount"] = float(order.refund_amount)
        changes.append(
            Said(
                "refund_amount",
                f"refund amount {known.refund_amount:f} → {order.refund_amount:f}",
                old=f"{known.refund_amount:f}",
                new=f"{order.refund_amount:f}",
            )
        )
    if order_date and order_date != known.modified_date:
        order_values["omnitron_modified_date"] = order_date
    cargo = None
    if (order.cargo_company.shipping_company, order.cargo_company.erp_code) != tuple(known.cargo_codes):
        cargo = order.cargo_company
        order_values["omnitron_cargo_company"] = cargo.name or cargo.shipping_company
        order_values["omnitron_cargo_codes"] = mapping.cargo_codes(cargo)
        changes.append(Said("cargo_company", f"cargo company {cargo.shipping_company}", code=cargo.shipping_company))

    item_values, cancelled, refunded = {}, [], []
    for item in order.items:
        old = known.items.get(item.pk)
        if old is None:
            continue
        values, described = {}, []
        if item.status != old.status and moves_forward(old.status, item.status):
            values["omnitron_status"] = item.status
            described.append(status_change(old.status, item.status))
            if item.status == const.STATUS_CANCELLED:
                cancelled.append(item.pk)
            elif item.status == const.STATUS_REFUNDED:
                refunded.append(item.pk)
        for field, new, was in (
            ("omnitron_tracking_number", item.tracking_number, old.tracking_number),
            ("omnitron_invoice_number", item.invoice_number, old.invoice_number),
            ("omnitron_invoice_date", item.invoice_date, old.invoice_date),
            ("omnitron_e_archive_url", item.e_archive_url, old.e_archive_url),
        ):
            if new is not None and new != was:
                values[field] = new
                described.append(_field_change(field, new))
        if values:
            changes.append(Said("item", f"item {item.pk}: " + ", ".join(described), pk=item.pk, parts=tuple(described)))
        if item.pk in answered:
            values["omnitron_refund_asked"] = 0.0
        if values:
            item_values[item.pk] = values
    if answered:
        items = ", ".join(map(str, sorted(answered)))
        changes.append(
            Said("refund_answered", f"Omnitron answered Odoo's refund request for items {items}", items=items)
        )

    cancel_order = bool(status and status[1] == const.STATUS_CANCELLED)
    standing_total = _standing_total(known, order, cancelled + refunded)
    differences = _differences(known, order, standing_total)
    if order.amount != known.amount and not differences and order.amount == standing_total:
        order_values["omnitron_amount"] = float(order.amount)
        changes.append(_amount_change(known.amount, order.amount))
    if differences:
        text = "; ".join(differences)
        if text == known.reported_differences:
            differences = []
        else:
            order_values["omnitron_reported_differences"] = text
    return UpdatePlan(
        status=status,
        order_values=order_values,
        item_values=item_values,
        cargo=cargo,
        differences=tuple(differences),
        confirm=bool(status and known.state in ("draft", "sent") and mapping.order_state(status[1]) == "sale"),
        cancel_order=cancel_order,
        cancellation_requested=bool(status and status[1] == const.STATUS_CANCELLATION_WAITING),
        unapplied_state=_unapplied_state(known.state, status),
        order_refunded=bool(status and status[1] == const.STATUS_REFUNDED),
        # A cancelled order takes its lines with it; its items need no handling of their own.
        cancelled_items=() if cancel_order else tuple(cancelled),
        refunded_items=tuple(refunded),
        refund_growth=refund_growth,
        changes=tuple(changes),
    )


def _unapplied_state(state, status):
    """The sale.order state status change ``status`` calls for when Odoo does not take it by itself.

    A cancelled order is not reopened, a confirmed one not turned back into a
    quotation. 50, 100 and 600 have flows of their own.
    """
    if not status or status[1] in const.FINAL_STATUSES or status[1] == const.STATUS_CANCELLATION_WAITING:
        return None
    wanted = mapping.order_state(status[1])
    if (state == "cancel" and wanted != "cancel") or (state == "sale" and wanted == "draft"):
        return wanted
    return None


def _outdated(known, order, known_date, order_date):
    if known_date and order_date and order_date < known_date:
        return (
            f"This delivery was modified in Omnitron at {_text(order_date)}, before the one already "
            f"applied ({_text(known_date)}); nothing was changed."
        )
    if known_date and order_date:
        return None  # the dates decide, and this one is not older
    if (
        order.status != known.status
        and not moves_forward(known.status, order.status)
        and rank(order.status) is not None
        and rank(known.status) is not None
    ):
        return (
            f"This delivery's status {describe_status(order.status)} comes before the status already applied, "
            f"{describe_status(known.status)}: it is an older delivery and nothing was changed."
        )
    return None


def _differences(known, order, standing_total):
    """What differs and is never applied silently, in words (empty: nothing)."""
    differences = []
    if known.customer_pk is not None and order.customer.pk != known.customer_pk:
        differences.append(
            Said(
                "customer",
                f"customer {known.customer_pk} → {order.customer.pk}",
                old=known.customer_pk,
                new=order.customer.pk,
            )
        )
    differences.extend(_customer_differences(known, order))
    if known.currency and order.currency != known.currency:
        differences.append(
            Said("currency", f"currency {known.currency} → {order.currency}", old=known.currency, new=order.currency)
        )
    # The import names an address without a name after the customer partner.
    fallback = known.customer_name or mapping.customer_values(order)["name"]
    for said_key, label, key, address, address_type in (
        ("billing_address", "billing address", known.billing_key, order.billing_address, "invoice"),
        ("shipping_address", "shipping address", known.shipping_key, order.shipping_address, "delivery"),
    ):
        if key and mapping.address_values(address, address_type, fallback)["omnitron_address_key"] != key:
            where = ", ".join(part for part in (address.line, address.district, address.city) if part)
            if where:
                differences.append(Said(said_key, f"{label} now {where}", where=where))
            else:
                differences.append(Said(said_key + "_changed", f"{label} now changed"))
    sent = {item.pk: item for item in order.items}
    added = sorted(set(sent) - set(known.items))
    removed = sorted(set(known.items) - set(sent))
    if added:
        items = ", ".join(map(str, added))
        differences.append(Said("items_added", f"items added: {items}", items=items))
    if removed:
        items = ", ".join(map(str, removed))
        differences.append(Said("items_removed", f"items removed: {items}", items=items))
    for pk in sorted(set(sent) & set(known.items)):
        old_price = known.items[pk].price
        if old_price is not None and sent[pk].price != old_price:
            differences.append(
                Said(
                    "item_price",
                    f"item {pk} price {old_price:f} → {sent[pk].price:f}",
                    pk=pk,
                    old=f"{old_price:f}",
                    new=f"{sent[pk].price:f}",
                )
            )
        old_quantity = known.items[pk].quantity
        if old_quantity is not None and sent[pk].quantity != old_quantity:
            differences.append(
                Said(
                    "item_units",
                    f"item {pk} units {old_quantity} → {sent[pk].quantity}",
                    pk=pk,
                    old=old_quantity,
                    new=sent[pk].quantity,
                )
            )
        differences.extend(_item_differences(known.items[pk], sent[pk]))
    if order.shipping_amount != known.shipping_amount:
        differences.append(
            Said(
                "shipping",
                f"shipping {known.shipping_amount:f} → {order.shipping_amount:f}",
                old=f"{known.shipping_amount:f}",
                new=f"{order.shipping_amount:f}",
            )
        )
    if order.amount != known.amount and (differences or order.amount != standing_total):
        differences.append(_amount_change(known.amount, order.amount))
    return differences


def _customer_differences(known, order):
    """The customer's name and e-mail as Omnitron sent them at import, against this delivery's (same customer)."""
    if known.customer_sent is None or (known.customer_pk is not None and order.customer.pk != known.customer_pk):
        return []
    differences = []
    old_name, old_email = known.customer_sent
    customer = order.customer
    name = mapping.person_name(customer.first_name, customer.last_name, None)
    if name and old_name and name != old_name:
        differences.append(Said("customer_name", f"customer name {old_name} → {name}", old=old_name, new=name))
    if customer.email and customer.email != old_email:
        old = old_email or "—"
        differences.append(
            Said("customer_email", f"customer e-mail {old} → {customer.email}", old=old, new=customer.email)
        )
    return differences


def _item_differences(known_item, item):
    """What differs of one item besides its price and units: its sku and its tax rate."""
    differences = []
    pk = item.pk
    if known_item.skus and item.product.sku not in known_item.skus:
        old = known_item.skus[0]
        differences.append(
            Said("item_sku", f"item {pk} sku {old} → {item.product.sku}", pk=pk, old=old, new=item.product.sku)
        )
    if known_item.tax_rate is not None and item.tax_rate is not None:
        old, new = taxes.format_rate(known_item.tax_rate), taxes.format_rate(item.tax_rate)
        if Decimal(old) != Decimal(new):
            differences.append(Said("item_tax_rate", f"item {pk} tax rate {old} → {new}", pk=pk, old=old, new=new))
    return differences


# The English words of the fields an update applies (a Said's key is the field).
FIELD_WORDS = {
    "omnitron_tracking_number": "tracking number",
    "omnitron_tracking_url": "tracking URL",
    "omnitron_invoice_number": "invoice number",
    "omnitron_invoice_date": "invoice date",
    "omnitron_e_archive_url": "e-archive URL",
    "omnitron_gift_box_note": "gift note",
}


def _field_change(field, value):
    return Said(field, f"{FIELD_WORDS[field]} {_text(value)}", value=_text(value))


def _amount_change(old, new):
    return Said("amount", f"amount {old:f} → {new:f}", old=f"{old:f}", new=f"{new:f}")


def _standing_total(known, order, leaving_items):
    """What the items not cancelled nor refunded cost, with shipping (None when items differ)."""
    if {item.pk for item in order.items} != set(known.items):
        return None
    standing = [
        item
        for item in order.items
        if item.pk not in leaving_items and item.status not in (const.STATUS_CANCELLED, const.STATUS_REFUNDED)
    ]
    unit = not known.per_row_prices
    total = sum((item.price * (item.quantity if unit else 1) for item in standing), Decimal(0))
    return total + order.shipping_amount
