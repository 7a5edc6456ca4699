"""core/outbound.py: what Odoo sends back to Omnitron, and when it sends nothing.

Each test states one item as ``facts(...)``: what Omnitron has (its status,
tracking, invoice, as the line's ``omnitron_*`` fields hold them) and what
Odoo did with the line (shipped, the carrier's tracking, the posted invoice).
"""

from datetime import date, datetime
from decimal import Decimal

import pytest

from omnitron_order_webhook.core import outbound

ITEM = 48161
SECOND = 48162
INVOICE_DAY = date(2024, 5, 2)


def facts(pk=ITEM, **changes):
    """An approved item (400) Odoo has neither shipped nor invoiced, with ``changes``."""
    values = {
        "pk": pk,
        "status": "400",
        "tracking_number": None,
        "shipping_company": None,
        "invoice_number": None,
        "invoice_date": None,
        "shipped": False,
        "tracking_ref": None,
        "carrier_code": None,
        "invoice_name": None,
        "invoice_day": None,
    }
    values.update(changes)
    return outbound.ItemFacts(**values)


SHIPPED = {"shipped": True, "tracking_ref": "YK123", "carrier_code": "yurtici"}
INVOICED = {"invoice_name": "INV/2024/00001", "invoice_day": INVOICE_DAY}


# What is sent for an item ---------------------------------------------------------


def test_a_shipped_item_is_sent_as_500_with_tracking_and_shipping_company():
    assert outbound.item_update(facts(**SHIPPED)) == {
        "id": ITEM,
        "status": "500",
        "tracking_number": "YK123",
        "shipping_company": "yurtici",
    }


def test_an_invoiced_item_not_shipped_is_sent_as_450_with_invoice_number_and_iso_date():
    assert outbound.item_update(facts(**INVOICED)) == {
        "id": ITEM,
        "status": "450",
        "invoice_number": "INV/2024/00001",
        "invoice_date": "2024-05-02T00:00:00.000000Z",
    }


def test_a_shipped_and_invoiced_item_is_sent_as_500_with_both():
    assert outbound.item_update(facts(**SHIPPED, **INVOICED)) == {
        "id": ITEM,
        "status": "500",
        "tracking_number": "YK123",
        "shipping_company": "yurtici",
        "invoice_number": "INV/2024/00001",
        "invoice_date": "2024-05-02T00:00:00.000000Z",
    }


def test_a_shipped_item_without_tracking_or_carrier_is_sent_as_500_alone():
    assert outbound.item_update(facts(shipped=True)) == {"id": ITEM, "status": "500"}


def test_an_item_odoo_neither_shipped_nor_invoiced_sends_nothing():
    assert outbound.item_update(facts()) is None
    # a tracking reference or carrier without a completed delivery is not a shipment
    assert outbound.item_update(facts(tracking_ref="YK123", carrier_code="yurtici")) is None


@pytest.mark.parametrize("status", ["200", "300", "350", "546", "547", "400", None, "999"])
def test_an_item_before_shipping_or_of_unknown_status_moves_to_500_when_shipped(status):
    assert outbound.item_update(facts(status=status, **SHIPPED))["status"] == "500"


# What Omnitron already has is never sent again ------------------------------------


def test_what_omnitron_already_has_is_not_sent_again():
    shipped = facts(status="500", tracking_number="YK123", shipping_company="yurtici", **SHIPPED)
    invoiced = facts(status="450", invoice_number="INV/2024/00001", invoice_date=INVOICE_DAY, **INVOICED)
    both = facts(
        status="500",
        tracking_number="YK123",
        shipping_company="yurtici",
        invoice_number="INV/2024/00001",
        invoice_date=INVOICE_DAY,
        **SHIPPED,
        **INVOICED,
    )
    assert [outbound.item_update(item) for item in (shipped, invoiced, both)] == [None, None, None]


def test_omnitrons_invoice_date_stored_as_a_datetime_counts_as_the_same_day():
    item = facts(status="450", invoice_number="INV/2024/00001", invoice_date=datetime(2024, 5, 2, 0, 0), **INVOICED)
    assert outbound.item_update(item) is None


def test_a_changed_tracking_number_is_sent_again():
    item = facts(status="500", tracking_number="YK-OLD", shipping_company="yurtici", **SHIPPED)
    assert outbound.item_update(item) == {
        "id": ITEM,
        "status": "500",
        "tracking_number": "YK123",
        "shipping_company": "yurtici",
    }


def test_a_changed_shipping_company_or_invoice_is_sent_again():
    carrier = facts(status="500", tracking_number="YK123", shipping_company="aras", **SHIPPED)
    invoice = facts(status="450", invoice_number="INV/2024/00001", invoice_date=date(2024, 5, 1), **INVOICED)
    assert outbound.item_update(carrier)["shipping_company"] == "yurtici"
    assert outbound.item_update(invoice)["invoice_date"] == "2024-05-02T00:00:00.000000Z"


def test_an_invoice_added_to_a_shipped_item_is_sent_with_the_status_omnitron_has():
    item = facts(status="500", tracking_number="YK123", shipping_company="yurtici", **SHIPPED, **INVOICED)
    assert outbound.item_update(item) == {
        "id": ITEM,
        "status": "500",
        "tracking_number": "YK123",
        "shipping_company": "yurtici",
        "invoice_number": "INV/2024/00001",
        "invoice_date": "2024-05-02T00:00:00.000000Z",
    }


# A status is never sent backwards, and finished items are left alone --------------


@pytest.mark.parametrize("status", ["510", "520", "540", "544", "545", "550"])
def test_a_status_omnitron_already_passed_is_kept_never_sent_backwards(status):
    update = outbound.item_update(facts(status=status, **SHIPPED))
    assert update["status"] == status
    assert update["tracking_number"] == "YK123"
    # and once Omnitron has the tracking too, nothing is sent
    done = facts(status=status, tracking_number="YK123", shipping_company="yurtici", **SHIPPED)
    assert outbound.item_update(done) is None


def test_an_invoice_for_an_item_omnitron_shipped_keeps_500_not_450():
    assert outbound.item_update(facts(status="500", **INVOICED))["status"] == "500"


@pytest.mark.parametrize("status", ["100", "600", "50"])
def test_cancelled_refunded_or_cancellation_waiting_items_are_left_alone(status):
    assert outbound.item_update(facts(status=status, **SHIPPED, **INVOICED)) is None


# The bulk_status_update body ------------------------------------------------------


def test_bulk_status_body_is_none_when_nothing_changed():
    unchanged = facts(status="500", tracking_number="YK123", shipping_company="yurtici", **SHIPPED)
    assert outbound.bulk_status_body([]) is None
    assert outbound.bulk_status_body([facts(), unchanged, facts(SECOND, status="100", **SHIPPED)]) is None


def test_bulk_status_body_lists_only_the_changed_items_in_their_order():
    unchanged = facts(status="500", tracking_number="YK123", shipping_company="yurtici", **SHIPPED)
    body = outbound.bulk_status_body([facts(SECOND, **INVOICED), unchanged, facts(49000), facts(ITEM + 5, **SHIPPED)])
    assert body == {
        "orderitem_set": [
            {
                "id": SECOND,
                "status": "450",
                "invoice_number": "INV/2024/00001",
                "invoice_date": "2024-05-02T00:00:00.000000Z",
            },
            {"id": ITEM + 5, "status": "500", "tracking_number": "YK123", "shipping_company": "yurtici"},
        ]
    }


# What Omnitron accepted, as the line records it -----------------------------------


def test_accepted_values_map_a_full_entry_back_to_the_line_fields():
    entry = outbound.item_update(facts(**SHIPPED, **INVOICED))
    assert outbound.accepted_values(entry) == {
        "omnitron_status": "500",
        "omnitron_tracking_number": "YK123",
        "omnitron_shipping_company": "yurtici",
        "omnitron_invoice_number": "INV/2024/00001",
        "omnitron_invoice_date": datetime(2024, 5, 2),
    }


def test_accepted_values_write_only_what_the_entry_carried():
    assert outbound.accepted_values({"id": ITEM, "status": "500", "tracking_number": "YK9"}) == {
        "omnitron_status": "500",
        "omnitron_tracking_number": "YK9",
    }


def test_after_recording_what_omnitron_accepted_nothing_is_sent_again():
    item = facts(**SHIPPED, **INVOICED)
    values = outbound.accepted_values(outbound.item_update(item))
    recorded = facts(
        status=values["omnitron_status"],
        tracking_number=values["omnitron_tracking_number"],
        shipping_company=values["omnitron_shipping_company"],
        invoice_number=values["omnitron_invoice_number"],
        invoice_date=values["omnitron_invoice_date"],
        **SHIPPED,
        **INVOICED,
    )
    assert outbound.item_update(recorded) is None


# The cancel body ------------------------------------------------------------------


def test_cancel_body_of_the_whole_order_names_no_items_but_gives_each_a_reason():
    assert outbound.cancel_body(31999, [SECOND, ITEM], 7, whole_order=True, cargo_refund=True) == {
        "order": 31999,
        "is_all": True,
        "cancel_items": [],
        "reasons": {str(ITEM): 7, str(SECOND): 7},
        "forced_refund_amount": None,
        "is_cargo_refund": True,  # the shipping Odoo records as refunded is asked for
    }


def test_cancel_body_of_some_items_lists_them_sorted_with_string_keyed_reasons():
    body = outbound.cancel_body(31999, (SECOND, ITEM), 3, whole_order=False)
    assert body == {
        "order": 31999,
        "is_all": False,
        "cancel_items": [ITEM, SECOND],
        "reasons": {"48161": 3, "48162": 3},
        "forced_refund_amount": None,
        "is_cargo_refund": False,  # said, not left to Omnitron's default
    }
    assert all(isinstance(key, str) for key in body["reasons"])


# The return body ------------------------------------------------------------------


def test_a_return_names_its_items_asks_for_the_cargo_refund_as_set_and_its_posted_credit_note():
    assert outbound.return_body(
        31999, [SECOND, ITEM], 7, cargo_refund=True, refund_invoice_number="RINV/2026/00012"
    ) == {
        "order": 31999,
        "is_all": False,
        "cancel_items": [ITEM, SECOND],
        "reasons": {str(ITEM): 7, str(SECOND): 7},
        "forced_refund_amount": None,
        "is_cargo_refund": True,
        "refund_invoice_number": "RINV/2026/00012",
    }


def test_a_return_without_a_posted_credit_note_omits_its_number_rather_than_sending_null():
    body = outbound.return_body(31999, [ITEM], 7, cargo_refund=False)
    assert "refund_invoice_number" not in body
    assert body["is_cargo_refund"] is False and body["is_all"] is False


@pytest.mark.parametrize(
    ("prices", "per_row", "shipping", "asked"),
    [
        ([("100.00", 1), ("60.00", 1)], False, None, Decimal("160.00")),
        ([("100.00", 3)], False, None, Decimal("300.00")),  # a merged item priced per unit
        ([("300.00", 3)], True, None, Decimal("300.00")),  # priced per row
        ([("60.00", 1)], False, Decimal("9.99"), Decimal("69.99")),  # the cargo refunded too
    ],
)
def test_the_refund_odoo_asks_for_is_what_the_items_cost_in_omnitron(prices, per_row, shipping, asked):
    items = [(Decimal(price), quantity) for price, quantity in prices]
    assert outbound.refund_asked(items, per_row, shipping) == asked


def test_the_outbound_modules_doctests_hold():
    import doctest

    assert doctest.testmod(outbound).failed == 0


def test_an_invoice_date_omnitron_has_in_either_form_is_not_sent_again():
    # What Omnitron kept of an earlier bare-date push, and of the documented datetime, is the same day.
    assert outbound.parse_invoice_datetime("2024-05-02") == outbound.parse_invoice_datetime(
        "2024-05-02T00:00:00.000000Z"
    )


LINK = "https://shop.example.com/my/invoices/7?access_token=abc"


def test_an_invoice_link_the_account_sends_goes_as_e_archive_url_once():
    entry = outbound.item_update(facts(**INVOICED, invoice_link=LINK))
    assert entry["e_archive_url"] == LINK
    assert outbound.accepted_values(entry)["omnitron_e_archive_url"] == LINK
    kept = {
        "status": "450",
        "invoice_number": INVOICED["invoice_name"],
        "invoice_date": datetime(2024, 5, 2),
        "e_archive_url": LINK,
    }
    assert outbound.item_update(facts(**INVOICED, invoice_link=LINK, **kept)) is None, "Omnitron has it"
    assert "e_archive_url" not in outbound.item_update(facts(**INVOICED)), "the account sends none"


# The live items before a push ----------------------------------------------------------


def test_an_item_omnitron_cancelled_refunded_or_is_cancelling_is_withdrawn_from_the_push():
    body = outbound.bulk_status_body([facts(ITEM, **SHIPPED), facts(SECOND, **SHIPPED), facts(7, **SHIPPED)])
    live = outbound.live_statuses(
        {"orderitem_set": [{"pk": ITEM, "status": "100"}, {"pk": SECOND, "status": "400"}, {"pk": 7, "status": 50}]}
    )
    assert outbound.withdrawn(body, live) == [ITEM, 7]
    assert [entry["id"] for entry in outbound.without_items(body, [ITEM, 7])["orderitem_set"]] == [SECOND]
    assert outbound.without_items(body, [ITEM, SECOND, 7]) is None
    assert outbound.live_statuses({"pk": 1}) == {} and outbound.live_statuses(None) == {}
