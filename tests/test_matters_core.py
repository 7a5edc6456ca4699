"""What needs a person, by kind: who acts, what closes it, which flag of the order it raises (core/matters.py)."""

import pytest

from omnitron_order_webhook.core import matters


def test_a_hold_is_omnitrons_to_lift_and_every_other_kind_a_persons_to_close():
    assert [key for key, kind in matters.KINDS.items() if not kind.handleable] == ["held"]


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        ("plan_request", matters.SALESPERSON),
        ("changed", matters.SALESPERSON),
        ("held", matters.WAREHOUSE),
        ("return_to_receive", matters.WAREHOUSE),
        ("over_return", matters.WAREHOUSE),
        ("refunded", matters.ACCOUNTANT),
        ("credit_note", matters.ACCOUNTANT),
        ("cancelled_late", matters.ACCOUNTANT),
        ("workflow_failed", matters.ACCOUNTANT),
        ("payment_unmatched", matters.ADMINISTRATOR),
    ],
)
def test_each_kind_goes_to_the_person_who_acts_on_it(kind, role):
    assert matters.KINDS[kind].role == role


def test_the_flags_of_an_order_are_read_from_its_open_matters_newest_value_first():
    values = matters.flag_values(
        [("held", "refund"), ("plan_request", "refund"), ("held", "cancel"), ("changed", None)]
    )
    assert values["omnitron_hold"] == "refund"
    assert values["omnitron_plan_request"] == "refund"
    assert values["omnitron_changed"] is True
    assert values["omnitron_refunded"] is False


def test_no_open_matter_leaves_every_flag_down():
    assert not any(matters.flag_values([]).values())


def test_an_unknown_flag_is_refused_naming_the_flags_there_are():
    with pytest.raises(
        ValueError, match="'omnitron_typo' is no flag of an Omnitron order; flags: omnitron_cancelled_late"
    ):
        matters.kind_of_flag("omnitron_typo")


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        ([], False),
        ([("stock.picking", "assigned")], False),
        ([("stock.picking", "done")], True),
        ([("stock.picking", "done"), ("account.move", "draft")], False),
        ([("stock.picking", "done"), ("account.move", "posted")], True),
        ([("stock.picking", "cancel"), ("account.move", "cancel")], True),
    ],
)
def test_documents_settle_a_matter_once_every_receipt_is_done_and_every_note_posted(documents, expected):
    assert matters.settled(documents) is expected


def test_the_modules_doctests_hold():
    import doctest

    assert doctest.testmod(matters).failed == 0
