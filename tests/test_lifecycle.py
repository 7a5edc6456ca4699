"""core/lifecycle.py: what a later delivery of an imported order changes.

``known_from`` builds the KnownOrder Odoo holds right after importing a parsed
order (``omnitron.order.update._known`` reads it back from the records), so each
test states a delivery as a change of the spec's sample and compares it with
the order as imported.
"""

import ast
import copy
import dataclasses
import pathlib
from datetime import datetime
from decimal import Decimal

import pytest

from omnitron_order_webhook.core import const, lifecycle, mapping
from omnitron_order_webhook.core.validation import parse_webhook_call


def _core_phrase_keys():
    """The keys models/omnitron_phrases.py renders for people (CORE_PHRASES), read without Odoo."""
    source = (pathlib.Path(lifecycle.__file__).parent.parent / "models" / "omnitron_phrases.py").read_text()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "CORE_PHRASES":
            return {key.value for key in node.value.keys}
    raise AssertionError("CORE_PHRASES not found")


CORE_KEYS = _core_phrase_keys()

ITEM = 48161  # the sample's one item
SECOND = 48162  # the item two_items() adds


def _stored(value):
    """A money value as Odoo's float field gives it back (sale_order._decimal)."""
    return Decimal(str(float(value or 0))).quantize(Decimal("0.01"))


def known_from(order, **changes):
    """The KnownOrder of ``order`` (validation.Order) right after its import, with ``changes``."""
    fallback = mapping.customer_values(order)["name"]
    known = lifecycle.KnownOrder(
        state=mapping.order_state(order.status),
        status=order.status,
        tracking_number=order.tracking_number,
        tracking_url=order.tracking_url,
        invoice_number=order.invoice_number,
        invoice_date=order.invoice_date,
        e_archive_url=order.e_archive_url,
        gift_box_note=order.gift_box_note,
        cargo_codes=(order.cargo_company.shipping_company, order.cargo_company.erp_code),
        amount=_stored(order.amount),
        shipping_amount=_stored(order.shipping_amount),
        refund_amount=_stored(order.refund_amount),
        modified_date=order.modified_date,
        customer_pk=order.customer.pk,
        billing_key=mapping.address_values(order.billing_address, "invoice", fallback)["omnitron_address_key"],
        shipping_key=mapping.address_values(order.shipping_address, "delivery", fallback)["omnitron_address_key"],
        per_row_prices=mapping.prices_per_row(order),
        items={
            item.pk: lifecycle.KnownItem(
                pk=item.pk,
                status=item.status,
                tracking_number=item.tracking_number,
                invoice_number=item.invoice_number,
                invoice_date=item.invoice_date,
                e_archive_url=item.e_archive_url,
                price=_stored(item.price),
                skus=(item.product.sku,),
                tax_rate=item.tax_rate or Decimal(0),
            )
            for item in order.items
        },
        reported_differences=None,
        currency=order.currency,
        customer_sent=(mapping.customer_values(order)["name"], order.customer.email),
    )
    return dataclasses.replace(known, **changes)


def with_item(known, pk, **changes):
    """``known`` with item ``pk`` changed."""
    items = dict(known.items)
    items[pk] = dataclasses.replace(items[pk], **changes)
    return dataclasses.replace(known, items=items)


def parse(document):
    return parse_webhook_call(document).order


def two_items(sample, price="100.00", attributes=None, amount=None):
    """The sample with a second item of ``price`` (amount adjusted unless given)."""
    second = copy.deepcopy(sample["payload"]["orderitem_set"][0])
    second.update(pk=SECOND, price=price, tracking_number=None, invoice_number=None, invoice_date=None)
    second["product"].update(pk=22918, sku="3169178")
    if attributes is not None:
        second["attributes"] = attributes
    sample["payload"]["orderitem_set"].append(second)
    sample["payload"]["amount"] = amount or str(Decimal("725.26") + Decimal(price))
    return sample


def set_item(sample, pk, **values):
    (item,) = (item for item in sample["payload"]["orderitem_set"] if item["pk"] == pk)
    item.update(values)
    return sample


def test_known_order_of_the_sample_is_what_odoo_holds_after_import(sample):
    known = known_from(parse(sample))
    assert (known.state, known.status, known.amount, known.refund_amount) == (
        "sale",
        "400",
        Decimal("725.26"),
        Decimal("0.00"),
    )
    assert known.cargo_codes == ("yurtici", "yurtici_kargo") and known.per_row_prices is False
    assert set(known.items) == {ITEM} and known.items[ITEM].status == "510"


def test_the_same_order_sent_again_changes_nothing(sample):
    order = parse(sample)
    plan = lifecycle.plan_update(known_from(order), order)
    assert plan.changed is False
    assert plan == lifecycle.UpdatePlan()


def test_cancelled_order_moves_status_and_cancels_with_a_chatter_line(sample):
    known = known_from(parse(sample))
    sample["payload"]["status"] = "100"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.status == ("400", "100")
    assert plan.cancel_order is True and plan.changed is True
    assert plan.order_values == {"omnitron_status": "100", "omnitron_status_name": "cancelled"}
    assert "status 400 (approved) → 100 (cancelled)" in plan.changes
    assert not (plan.confirm or plan.cancellation_requested or plan.order_refunded)
    assert plan.differences == ()


def test_a_cancelled_order_takes_its_cancelled_items_with_it(sample):
    known = known_from(parse(two_items(sample)))
    sample["payload"]["status"] = "100"
    set_item(sample, ITEM, status="100")
    set_item(sample, SECOND, status="100")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.cancel_order is True
    assert plan.cancelled_items == (), "the order's cancellation handles its lines"
    assert plan.item_values == {ITEM: {"omnitron_status": "100"}, SECOND: {"omnitron_status": "100"}}


def test_a_late_older_status_is_outdated_and_changes_nothing(sample):
    known = known_from(parse(sample), status="500", tracking_number=None)
    # The late "approved" delivery even carries values Odoo lacks: none is applied.
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated and "400 (approved)" in plan.outdated and "500 (shipped)" in plan.outdated
    assert dataclasses.replace(plan, outdated=None) == lifecycle.UpdatePlan()
    assert plan.changed is False


def test_an_older_modified_date_is_outdated_even_with_a_higher_status(sample):
    known = known_from(parse(sample), modified_date=datetime(2023, 2, 8, 14, 40, 25))
    sample["payload"].update(status="500", modified_date="2023-02-08T14:40:24Z")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated and "2023-02-08 14:40:24" in plan.outdated and "2023-02-08 14:40:25" in plan.outdated
    assert dataclasses.replace(plan, outdated=None) == lifecycle.UpdatePlan()


def test_a_newer_modified_date_is_recorded_with_the_change(sample):
    known = known_from(parse(sample), modified_date=datetime(2023, 2, 8, 14, 40, 25))
    sample["payload"].update(status="500", modified_date="2023-02-09T08:00:00Z")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated is None
    assert plan.status == ("400", "500")
    assert plan.order_values["omnitron_modified_date"] == datetime(2023, 2, 9, 8, 0, 0)


def test_the_same_modified_date_is_not_outdated(sample):
    sample["payload"]["modified_date"] = "2023-02-08T14:40:25Z"
    known = known_from(parse(sample))
    sample["payload"]["tracking_number"] = "NEW-TRACK"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated is None
    assert plan.order_values == {"omnitron_tracking_number": "NEW-TRACK"}


@pytest.mark.parametrize("state", ["draft", "sent"])
def test_a_paid_trade_in_quotation_reaching_approved_is_confirmed(sample, state):
    known = known_from(parse(sample), status="546", state=state)
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.status == ("546", "400")
    assert plan.confirm is True


def test_an_order_already_confirmed_is_not_confirmed_again(sample):
    known = known_from(parse(sample))
    assert known.state == "sale"
    sample["payload"]["status"] = "450"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.status == ("400", "450") and plan.confirm is False


def test_a_quotation_cancelled_is_not_confirmed(sample):
    known = known_from(parse(sample), status="546", state="draft")
    sample["payload"]["status"] = "100"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.cancel_order is True and plan.confirm is False


def test_one_item_cancelled_cancels_that_item_not_the_order(sample):
    known = known_from(parse(two_items(sample)))
    set_item(sample, SECOND, status="100")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.cancelled_items == (SECOND,)
    assert plan.cancel_order is False and plan.status is None
    assert plan.item_values == {SECOND: {"omnitron_status": "100"}}
    assert f"item {SECOND}: status 510 (shipped_and_informed) → 100 (cancelled)" in plan.changes


def test_one_item_refunded_is_listed_as_refunded(sample):
    known = known_from(parse(two_items(sample)))
    set_item(sample, ITEM, status="600")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.refunded_items == (ITEM,)
    assert plan.cancelled_items == () and plan.order_refunded is False
    assert plan.item_values == {ITEM: {"omnitron_status": "600"}}


def test_an_item_status_older_than_the_known_one_is_not_applied(sample):
    known = with_item(known_from(parse(sample)), ITEM, status="550")
    plan = lifecycle.plan_update(known, parse(sample))  # the item says 510
    assert plan.item_values == {} and plan.changed is False


@pytest.mark.parametrize(
    ("was", "now", "growth"),
    [("0.00", "150.00", Decimal("150.00")), ("150.00", "200.50", Decimal("50.50"))],
)
def test_a_growing_refund_amount_is_applied_with_its_growth(sample, was, now, growth):
    known = known_from(parse(sample), refund_amount=Decimal(was))
    sample["payload"]["refund_amount"] = now
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.refund_growth == growth
    assert plan.order_values == {"omnitron_refund_amount": float(now)}
    assert f"refund amount {was} → {now}" in plan.changes
    assert plan.status is None and plan.order_refunded is False


def asked_of(sample, asked, reported):
    """The sample as Odoo holds it after asking Omnitron to refund its item (``asked``), recorded at
    600, and Omnitron's next delivery with the item at ``reported``."""
    known = with_item(
        known_from(parse(sample), refund_amount=Decimal("0.00")), ITEM, status="600", refund_asked=Decimal(asked)
    )
    sample["payload"]["orderitem_set"][0]["status"] = reported
    return known


@pytest.mark.parametrize(
    ("asked", "now", "growth"),
    [
        ("60.00", "60.00", None),  # Omnitron refunded exactly what Odoo asked
        ("60.00", "100.00", Decimal("40.00")),  # and 40 more of its own: news
        ("60.00", "50.00", None),  # less than asked: the rest is not news either
    ],
)
def test_a_refund_odoo_asked_for_is_not_news_when_omnitron_reports_the_item_refunded(sample, asked, now, growth):
    known = asked_of(sample, asked, "600")
    sample["payload"]["refund_amount"] = now
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.refund_growth == growth
    assert plan.order_values["omnitron_refund_amount"] == float(now)
    assert plan.item_values == {ITEM: {"omnitron_refund_asked": 0.0}}, "asked once, answered once"
    assert f"Omnitron answered Odoo's refund request for items {ITEM}" in plan.changes
    assert plan.refunded_items == ()


def test_a_cancellation_omnitron_refunds_nothing_for_is_answered_and_hides_no_later_refund(sample):
    known = asked_of(sample, "60.00", "100")  # a pay-on-delivery order: cancelled, nothing to pay back
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.changed and plan.refund_growth is None
    assert plan.item_values == {ITEM: {"omnitron_refund_asked": 0.0}}
    answered = with_item(known, ITEM, refund_asked=Decimal(0))
    sample["payload"]["refund_amount"] = "50.00"  # later, a goodwill refund
    assert lifecycle.plan_update(answered, parse(sample)).refund_growth == Decimal("50.00")


def test_a_refund_growing_before_omnitron_reports_the_asked_item_is_news(sample):
    known = asked_of(sample, "60.00", "550")  # the item not reported refunded (yet)
    sample["payload"]["refund_amount"] = "60.00"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.refund_growth == Decimal("60.00")
    assert ITEM not in plan.item_values, "still asked"


def test_a_refund_amount_sent_unchanged_or_absent_changes_nothing(sample):
    known = known_from(parse(sample))
    assert lifecycle.plan_update(known, parse(sample)).refund_growth is None
    del sample["payload"]["refund_amount"]
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.refund_growth is None and plan.changed is False


@pytest.mark.parametrize(
    ("key", "field"),
    [
        ("tracking_number", "omnitron_tracking_number"),
        ("tracking_url", "omnitron_tracking_url"),
        ("invoice_number", "omnitron_invoice_number"),
        ("invoice_date", "omnitron_invoice_date"),
        ("e_archive_url", "omnitron_e_archive_url"),
        ("gift_box_note", "omnitron_gift_box_note"),
    ],
)
@pytest.mark.parametrize("absent", ["null", "missing"])
def test_an_absent_order_value_never_erases_a_known_one(sample, key, field, absent):
    known = known_from(parse(sample))
    assert getattr(known, key) is not None
    if absent == "null":
        sample["payload"][key] = None
    else:
        del sample["payload"][key]
    plan = lifecycle.plan_update(known, parse(sample))
    assert field not in plan.order_values
    assert plan.changed is False


@pytest.mark.parametrize("key", ["tracking_number", "invoice_number", "invoice_date", "e_archive_url"])
def test_an_absent_item_value_never_erases_a_known_one(sample, key):
    known = known_from(parse(sample))
    assert getattr(known.items[ITEM], key) is not None
    set_item(sample, ITEM, **{key: None})
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.item_values == {} and plan.changed is False


def test_a_new_tracking_number_on_the_order_is_applied(sample):
    known = known_from(parse(sample), tracking_number=None)
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.order_values == {"omnitron_tracking_number": "202531672482"}
    assert plan.changes == ("tracking number 202531672482",)


def test_a_new_tracking_and_invoice_number_on_an_item_are_applied_to_its_line(sample):
    known = known_from(parse(sample))
    set_item(sample, ITEM, tracking_number="TRK-2", invoice_number="INV-2", invoice_date="2018-11-02T09:00:00Z")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.item_values == {
        ITEM: {
            "omnitron_tracking_number": "TRK-2",
            "omnitron_invoice_number": "INV-2",
            "omnitron_invoice_date": datetime(2018, 11, 2, 9, 0, 0),
        }
    }
    assert plan.order_values == {}
    (change,) = plan.changes
    assert change.startswith(f"item {ITEM}: ") and "TRK-2" in change and "INV-2" in change
    assert "2018-11-02 09:00:00" in change


def _customer_changed(sample):
    sample["payload"]["customer"]["pk"] = 99999


def _billing_moved(sample):
    sample["payload"]["billing_address"]["line"] = "Via Roma 1"


def _shipping_moved(sample):
    sample["payload"]["shipping_address"]["postcode"] = "20121"


def _price_changed(sample):
    set_item(sample, ITEM, price="700.00")


def _item_added(sample):
    two_items(sample, amount="725.26")  # the amount is not what the items cost: no item is known to leave


def _shipping_changed(sample):
    sample["payload"]["shipping_amount"] = "9.99"


def _amount_changed(sample):
    sample["payload"]["amount"] = "800.00"


@pytest.mark.parametrize(
    ("change", "words", "never_written"),
    [
        (_customer_changed, "customer 23401 → 99999", "partner_id"),
        (_billing_moved, "billing address now Via Roma 1, MILANO", "partner_invoice_id"),
        (_shipping_moved, "shipping address now Viale Edoardo Jenner, MILANO", "partner_shipping_id"),
        (_price_changed, f"item {ITEM} price 718.92 → 700.00", "omnitron_amount"),
        (_item_added, f"items added: {SECOND}", "omnitron_amount"),
        (_shipping_changed, "shipping 6.34 → 9.99", "omnitron_shipping_amount"),
        (_amount_changed, "amount 725.26 → 800.00", "omnitron_amount"),
    ],
)
def test_what_is_never_applied_becomes_a_difference(sample, change, words, never_written):
    known = known_from(parse(sample))
    change(sample)
    plan = lifecycle.plan_update(known, parse(sample))
    assert words in plan.differences
    assert plan.changed is True and plan.changes == ()
    # Only the flag's text is written: no customer, address, price, amount or shipping.
    assert plan.order_values == {"omnitron_reported_differences": "; ".join(plan.differences)}
    assert never_written not in plan.order_values
    assert plan.item_values == {}


def test_an_item_removed_becomes_a_difference(sample):
    known = known_from(parse(two_items(sample)))
    del sample["payload"]["orderitem_set"][1]
    plan = lifecycle.plan_update(known, parse(sample))  # amount still 825.26
    assert plan.differences == (f"items removed: {SECOND}",)
    assert plan.order_values == {"omnitron_reported_differences": f"items removed: {SECOND}"}
    assert plan.item_values == {} and plan.cancelled_items == ()


def test_differences_already_reported_are_not_reported_again(sample):
    known = known_from(parse(sample))
    _price_changed(sample)
    _shipping_changed(sample)
    first = lifecycle.plan_update(known, parse(sample))
    assert len(first.differences) == 2
    reported = dataclasses.replace(known, reported_differences="; ".join(first.differences))
    again = lifecycle.plan_update(reported, parse(sample))
    assert again.differences == ()
    assert again.changed is False
    assert "omnitron_reported_differences" not in again.order_values


def test_a_further_difference_reports_the_whole_list_again(sample):
    known = known_from(parse(sample))
    _price_changed(sample)
    reported = dataclasses.replace(
        known, reported_differences="; ".join(lifecycle.plan_update(known, parse(sample)).differences)
    )
    _customer_changed(sample)
    plan = lifecycle.plan_update(reported, parse(sample))
    assert len(plan.differences) == 2
    assert plan.order_values["omnitron_reported_differences"] == "; ".join(plan.differences)


def test_a_reported_difference_does_not_hide_a_status_change(sample):
    known = known_from(parse(sample))
    _price_changed(sample)
    known = dataclasses.replace(
        known, reported_differences="; ".join(lifecycle.plan_update(known, parse(sample)).differences)
    )
    sample["payload"]["status"] = "500"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.differences == ()
    assert plan.status == ("400", "500") and plan.changed is True


@pytest.mark.parametrize(
    ("attributes", "amount", "per_row", "amount_left"),
    [
        (None, None, False, "106.34"),  # 100.00 + 6.34
        ({"quantity": 2}, "825.26", False, "106.34"),  # 2 × 50.00 per unit + 6.34
        ({"quantity": 2}, "775.26", True, "56.34"),  # 50.00 for the row + 6.34
    ],
)
def test_an_amount_explained_by_a_cancelled_item_is_applied_not_flagged(
    sample, attributes, amount, per_row, amount_left
):
    price = "100.00" if attributes is None else "50.00"
    known = known_from(parse(two_items(sample, price=price, attributes=attributes, amount=amount)))
    assert known.per_row_prices is per_row
    old_amount = known.amount
    set_item(sample, ITEM, status="100")
    sample["payload"]["amount"] = amount_left
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.differences == ()
    assert plan.cancelled_items == (ITEM,)
    assert plan.order_values["omnitron_amount"] == float(amount_left)
    assert f"amount {old_amount} → {amount_left}" in plan.changes


def test_an_amount_explained_by_an_item_cancelled_before_is_applied(sample):
    known = with_item(known_from(parse(two_items(sample))), SECOND, status="100")
    set_item(sample, SECOND, status="100")
    sample["payload"]["amount"] = "725.26"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.differences == () and plan.cancelled_items == ()
    assert plan.order_values == {"omnitron_amount": 725.26}


def test_an_amount_not_matching_the_standing_items_is_a_difference(sample):
    known = known_from(parse(two_items(sample)))
    set_item(sample, SECOND, status="100")
    sample["payload"]["amount"] = "700.00"
    plan = lifecycle.plan_update(known, parse(sample))
    assert "amount 825.26 → 700.00" in plan.differences
    assert "omnitron_amount" not in plan.order_values
    assert plan.cancelled_items == (SECOND,), "the item is cancelled all the same"


def test_a_new_cargo_company_is_handed_over_for_a_new_carrier(sample):
    known = known_from(parse(sample))
    sample["payload"]["cargo_company"] = {"pk": 2, "name": "Aras Kargo", "erp_code": "aras", "shipping_company": "aras"}
    plan = lifecycle.plan_update(known, parse(sample))
    assert (plan.cargo.shipping_company, plan.cargo.erp_code, plan.cargo.name) == ("aras", "aras", "Aras Kargo")
    assert plan.order_values == {"omnitron_cargo_company": "Aras Kargo", "omnitron_cargo_codes": "aras/aras"}
    assert plan.changes == ("cargo company aras",)


def test_the_same_cargo_company_is_not_handed_over(sample):
    order = parse(sample)
    assert lifecycle.plan_update(known_from(order), order).cargo is None


def test_status_50_requests_a_cancellation(sample):
    known = known_from(parse(sample))
    sample["payload"]["status"] = "50"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.status == ("400", "50")
    assert plan.cancellation_requested is True
    assert plan.cancel_order is False and plan.order_refunded is False


def test_status_600_refunds_the_order(sample):
    known = known_from(parse(sample))
    sample["payload"]["status"] = "600"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.status == ("400", "600")
    assert plan.order_refunded is True
    assert plan.cancel_order is False and plan.cancellation_requested is False


def test_the_cancellation_path_outranks_delivered(sample):
    known = known_from(parse(sample), status="550")
    sample["payload"]["status"] = "100"
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated is None
    assert plan.status == ("550", "100") and plan.cancel_order is True


def test_refunded_outranks_cancelled_and_not_the_other_way(sample):
    cancelled = known_from(parse(sample), status="100", state="cancel")
    sample["payload"]["status"] = "600"
    plan = lifecycle.plan_update(cancelled, parse(sample))
    assert plan.status == ("100", "600") and plan.order_refunded is True

    refunded = known_from(parse(sample))
    sample["payload"]["status"] = "100"
    assert lifecycle.plan_update(refunded, parse(sample)).outdated


@pytest.mark.parametrize(
    "path",
    [const.FULFILMENT_PATH, ("100", "600"), (const.FULFILMENT_PATH[-1], "100")],
)
def test_each_status_moves_forward_to_the_next_and_never_back(path):
    for old, new in zip(path, path[1:], strict=False):
        assert lifecycle.moves_forward(old, new), (old, new)
        assert not lifecycle.moves_forward(new, old), (new, old)
        assert not lifecycle.moves_forward(old, old)


def test_the_trade_in_statuses_come_before_approval():
    assert lifecycle.rank("350") < lifecycle.rank("546") < lifecycle.rank("547") < lifecycle.rank("400")


@pytest.mark.parametrize("unknown", ["999", "0", "", None])
def test_an_unknown_status_never_moves_forward(unknown):
    assert lifecycle.rank(unknown) is None
    assert not lifecycle.moves_forward("200", unknown)
    assert not lifecycle.moves_forward(None, unknown)
    assert lifecycle.moves_forward(unknown, "200"), "a known status replaces an unknown one"


def test_an_unknown_status_in_a_delivery_is_not_applied(sample):
    known = known_from(parse(sample))
    order = dataclasses.replace(parse(sample), status="999", status_name="mystery")
    plan = lifecycle.plan_update(known, order)
    assert plan.outdated is None
    assert plan.status is None and "omnitron_status" not in plan.order_values
    assert plan.changed is False


def test_an_unknown_item_status_is_not_applied(sample):
    known = known_from(parse(sample))
    order = parse(sample)
    order = dataclasses.replace(order, items=(dataclasses.replace(order.items[0], status="999"),))
    plan = lifecycle.plan_update(known, order)
    assert plan.item_values == {} and plan.cancelled_items == () and plan.refunded_items == ()


def test_a_known_status_outside_the_table_is_replaced(sample):
    known = known_from(parse(sample), status="999")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated is None
    assert plan.status == ("999", "400")
    assert "status 999 → 400 (approved)" in plan.changes


def test_an_amount_that_follows_a_changed_shipping_is_flagged_not_applied(sample):
    known = known_from(parse(sample))
    sample["payload"].update(shipping_amount="9.99", amount="728.91")
    plan = lifecycle.plan_update(known, parse(sample))
    assert "omnitron_amount" not in plan.order_values
    assert any(difference.startswith("amount") for difference in plan.differences)
    assert any(difference.startswith("shipping") for difference in plan.differences)


def test_an_unnamed_address_is_compared_under_the_customer_partners_name(sample):
    for key in ("billing_address", "shipping_address"):
        sample["payload"][key].update(first_name=None, last_name=None)
    order = parse(sample)
    partner_name = "Renamed by staff"
    known = known_from(
        order,
        customer_name=partner_name,
        billing_key=mapping.address_values(order.billing_address, "invoice", partner_name)["omnitron_address_key"],
        shipping_key=mapping.address_values(order.shipping_address, "delivery", partner_name)["omnitron_address_key"],
    )
    assert lifecycle.plan_update(known, order) == lifecycle.UpdatePlan()


@pytest.mark.parametrize("status", [*const.FULFILMENT_PATH, "100", "600"])
def test_any_status_may_follow_a_cancellation_request(status):
    # A fulfilment status after 50: Omnitron rejected the cancellation; 100 or 600: it confirmed it.
    assert lifecycle.moves_forward("50", status)


@pytest.mark.parametrize("status", const.FULFILMENT_PATH)
def test_a_cancellation_request_follows_any_fulfilment_status_but_not_the_end(status):
    assert lifecycle.moves_forward(status, "50")
    assert not lifecycle.moves_forward("100", "50")
    assert not lifecycle.moves_forward("600", "50")


def test_a_rejected_cancellation_lets_the_order_move_on(sample):
    known = known_from(parse(sample), status="50")
    sample["payload"].update(status="450", tracking_number="TRACK-9")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated is None
    assert plan.status == ("50", "450")
    assert plan.order_values["omnitron_tracking_number"] == "TRACK-9"


def test_with_both_dates_a_newer_delivery_is_applied_whatever_its_rank(sample):
    from datetime import datetime

    known = known_from(parse(sample), status="500", modified_date=datetime(2024, 5, 1))
    sample["payload"].update(status="450", modified_date="2024-05-02T00:00:00Z")
    plan = lifecycle.plan_update(known, parse(sample))
    assert plan.outdated is None
    assert plan.status == ("500", "450")


# -- differences that were answered "nothing changed" ---------------------------


def _sku_changed(sample):
    sample["payload"]["orderitem_set"][0]["product"]["sku"] = "3169999"


def _currency_changed(sample):
    sample["payload"]["currency"] = "EUR"


def _tax_rate_changed(sample):
    set_item(sample, ITEM, tax_rate="20.00")


def _customer_renamed(sample):
    sample["payload"]["customer"]["last_name"] = "Rossi"


def _customer_email_changed(sample):
    sample["payload"]["customer"]["email"] = "new@example.com"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (_sku_changed, f"item {ITEM} sku 3169177 → 3169999"),
        (_currency_changed, "currency TRY → EUR"),
        (_tax_rate_changed, f"item {ITEM} tax rate 8 → 20"),
        (_customer_renamed, "customer name"),
        (_customer_email_changed, "customer e-mail"),
    ],
)
def test_another_sku_currency_tax_rate_or_customer_name_is_a_difference_flagged_once(sample, change, words):
    known = known_from(parse(sample))
    change(sample)
    plan = lifecycle.plan_update(known, parse(sample))
    assert any(words in difference for difference in plan.differences), plan.differences
    assert plan.changed is True and plan.changes == ()
    assert plan.order_values == {"omnitron_reported_differences": "; ".join(plan.differences)}
    assert all(difference.key in CORE_KEYS for difference in plan.differences)
    reported = dataclasses.replace(known, reported_differences="; ".join(plan.differences))
    assert lifecycle.plan_update(reported, parse(sample)).changed is False


def test_the_renamed_customer_is_said_with_both_names_and_the_new_email_with_both_addresses(sample):
    known = known_from(parse(sample), customer_sent=("Ada Lovelace", "ada@example.com"))
    sample["payload"]["customer"].update(first_name="Ada", last_name="King", email="ada.king@example.com")
    differences = lifecycle.plan_update(known, parse(sample)).differences
    assert "customer name Ada Lovelace → Ada King" in differences
    assert "customer e-mail ada@example.com → ada.king@example.com" in differences


def test_a_sku_that_leads_to_the_same_product_is_no_difference(sample):
    # The line's product answers to its reference and to the sku it was created for.
    known = with_item(known_from(parse(sample)), ITEM, skus=("REF-BY-STAFF", "3169177"))
    assert lifecycle.plan_update(known, parse(sample)) == lifecycle.UpdatePlan()


def test_what_is_absent_or_unknown_is_no_difference(sample):
    known = known_from(parse(sample), currency=None, customer_sent=None)
    known = with_item(known, ITEM, skus=(), tax_rate=None)
    _sku_changed(sample)
    _currency_changed(sample)
    _tax_rate_changed(sample)
    _customer_renamed(sample)
    assert lifecycle.plan_update(known, parse(sample)) == lifecycle.UpdatePlan()
    # A delivery without a tax rate, an e-mail or a name does not erase them.
    fresh = copy.deepcopy(sample)
    known = known_from(parse(fresh))
    set_item(fresh, ITEM, tax_rate=None)
    fresh["payload"]["customer"].update(email=None, first_name=None, last_name=None)
    assert lifecycle.plan_update(known, parse(fresh)) == lifecycle.UpdatePlan()


def test_no_tax_in_odoo_and_a_rate_from_omnitron_is_a_difference(sample):
    known = with_item(known_from(parse(sample)), ITEM, tax_rate=Decimal(0))
    assert f"item {ITEM} tax rate 0 → 8" in lifecycle.plan_update(known, parse(sample)).differences


# -- a date ahead of the clock does not decide ---------------------------------

NOW = datetime(2025, 6, 1, 12, 0, 0)


def test_a_delivery_dated_far_ahead_of_the_clock_is_ordered_by_status_and_its_date_is_not_kept(sample):
    known = known_from(parse(sample), status="500", modified_date=datetime(2025, 6, 1, 9, 0, 0))
    sample["payload"].update(status="400", modified_date="9999-12-31T00:00:00Z")
    plan = lifecycle.plan_update(known, parse(sample), now=NOW)
    assert plan.outdated and "400 (approved)" in plan.outdated  # ranks decide: 400 comes before 500
    sample["payload"]["status"] = "550"
    plan = lifecycle.plan_update(known, parse(sample), now=NOW)
    assert plan.status == ("500", "550")
    assert "omnitron_modified_date" not in plan.order_values


def test_a_date_ahead_of_the_clock_kept_by_odoo_does_not_freeze_the_order(sample):
    known = known_from(parse(sample), modified_date=datetime(9999, 12, 31))
    sample["payload"].update(status="100", modified_date="2025-06-01T11:59:00Z")
    plan = lifecycle.plan_update(known, parse(sample), now=NOW)
    assert plan.outdated is None
    assert plan.cancel_order is True
    assert plan.order_values["omnitron_modified_date"] == datetime(2025, 6, 1, 11, 59)


def test_a_date_a_few_minutes_ahead_still_decides(sample):
    known = known_from(parse(sample), status="500", modified_date=datetime(2025, 6, 1, 11, 0, 0))
    sample["payload"].update(status="450", modified_date="2025-06-01T12:04:00Z")
    plan = lifecycle.plan_update(known, parse(sample), now=NOW)
    assert plan.status == ("500", "450")


# -- a status Odoo will not take by itself ---------------------------------------


def test_a_cancelled_order_that_omnitron_moves_on_is_to_be_flagged(sample):
    known = known_from(parse(sample), status="100", state="cancel", modified_date=datetime(2025, 6, 1, 9, 0))
    sample["payload"].update(status="400", modified_date="2025-06-01T10:00:00Z")
    plan = lifecycle.plan_update(known, parse(sample), now=NOW)
    assert plan.status == ("100", "400")
    assert plan.unapplied_state == "sale"
    assert plan.confirm is False


@pytest.mark.parametrize(
    ("state", "old", "status", "unapplied"),
    [
        ("sale", "400", "546", "draft"),  # a confirmed order Omnitron puts back to a quotation's status
        ("sale", "400", "450", None),
        ("draft", "546", "400", None),  # confirmed by the update itself
        ("cancel", "100", "600", None),  # the refund flow has its own word
        ("sale", "400", "50", None),  # a cancellation request has its own word
    ],
)
def test_only_a_status_odoo_will_not_take_by_itself_is_to_be_flagged(sample, state, old, status, unapplied):
    known = known_from(parse(sample), status=old, state=state, modified_date=datetime(2025, 6, 1, 9, 0))
    sample["payload"].update(status=status, modified_date="2025-06-01T10:00:00Z")
    plan = lifecycle.plan_update(known, parse(sample), now=NOW)
    assert plan.status == (old, status)
    assert plan.unapplied_state == unapplied
