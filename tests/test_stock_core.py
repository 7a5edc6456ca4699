"""The number sent to Omnitron's stock lists, and which rows are sent (core/stock.py)."""

import pytest

from omnitron_order_webhook.core import stock
from omnitron_order_webhook.core.stock import Row


@pytest.mark.parametrize(
    ("free_qty", "on_hand", "outgoing", "expected"),
    [
        (10, 10, 0, 10),  # nothing reserved, nothing to ship
        (6, 10, 4, 6),  # 4 reserved for a delivery: free stock
        (10, 10, 3, 7),  # 3 confirmed, not reserved yet: on hand less outgoing
        (2.5, 2.5, 0, 2),  # whole units only
        (-3, -3, 0, 0),  # never below zero
        (0, 5, 9, 0),  # more to ship than there is
        (3e12, 3e12, 0, stock.MAX_STOCK),  # Omnitron's maximum
    ],
)
def test_what_can_be_sold_is_free_stock_less_unreserved_demand_in_whole_units(free_qty, on_hand, outgoing, expected):
    assert stock.sellable(free_qty, on_hand, outgoing) == expected


@pytest.mark.parametrize("bad", [None, "3", float("nan"), float("inf"), True])
def test_a_quantity_that_is_no_finite_number_is_refused_naming_it(bad):
    with pytest.raises(ValueError, match="free_qty must be a finite number"):
        stock.sellable(bad, 1, 0)


@pytest.mark.parametrize(
    ("components", "expected"),
    [
        ([(10, 2), (7, 1)], 5),  # the scarcest component decides: 10 units at 2 a kit
        ([(10, 2), (3, 1)], 3),  # the other one decides
        ([(3, 0.1)], 30),  # a tenth of a unit a kit: exact, not 29 from float division
        ([(5, 3)], 1),  # whole kits only
        ([(0, 1), (8, 1)], 0),  # a component with nothing to sell makes no kit
        ([(3e12, 1)], stock.MAX_STOCK),  # Omnitron's maximum
    ],
)
def test_a_kit_is_as_many_whole_kits_as_its_scarcest_component_makes(components, expected):
    assert stock.kit_sellable(components) == expected


@pytest.mark.parametrize(
    ("components", "message"),
    [
        ([], "components: a kit needs at least one component"),
        ([(5, 0)], r"components\[0\] quantity per kit must be above zero, not 0"),
        ([(5, 1), (5, -2)], r"components\[1\] quantity per kit must be above zero, not -2"),
        ([(None, 1)], r"components\[0\] sellable units must be a finite number, not None"),
        ([(5, float("nan"))], r"components\[0\] quantity must be a finite number"),
    ],
)
def test_a_kit_without_components_or_with_a_non_positive_quantity_is_refused_naming_it(components, message):
    with pytest.raises(ValueError, match=message):
        stock.kit_sellable(components)


def test_the_body_is_the_documented_writable_fields():
    assert stock.stock_body("MUG-1", 4, 41) == {
        "product_sku": "MUG-1",
        "stock": 4,
        "stock_list": 41,
        "unit_type": "qty",
    }


@pytest.mark.parametrize(
    ("sku", "number", "stock_list", "message"),
    [
        ("", 1, 1, "product_sku must be a non-empty SKU"),
        ("A", -1, 1, "stock must be a whole number from 0"),
        ("A", 1.5, 1, "stock must be a whole number from 0"),
        ("A", 1, 0, "stock_list must be Omnitron's stock list id"),
    ],
)
def test_a_body_with_a_bad_value_is_refused_naming_the_field(sku, number, stock_list, message):
    with pytest.raises(ValueError, match=message):
        stock.stock_body(sku, number, stock_list)


def test_only_numbers_that_differ_from_the_last_sent_are_sent():
    rows = [Row(1, "A", 3, 3), Row(2, "B", 0, None), Row(3, "C", 0, 2), Row(4, "D", 5, None, not_in_omnitron_sku="D")]
    assert [row.product_id for row in stock.changed_rows(rows)] == [2, 3]


def test_a_sku_omnitron_did_not_know_is_tried_again_once_it_changes():
    assert stock.changed_rows([Row(4, "D-2", 5, None, not_in_omnitron_sku="D")]) == [Row(4, "D-2", 5, None, "D")]


@pytest.mark.parametrize(
    ("status", "answer", "expected"),
    [
        (404, None, True),
        (400, {"product_sku": ["Product with sku X does not exist."]}, True),
        (400, {"stock_list": ["Invalid pk"]}, False),
        (500, {"product_sku": ["?"]}, False),
        (400, "not json", False),
    ],
)
def test_an_unknown_sku_is_told_apart_from_other_refusals(status, answer, expected):
    assert stock.is_unknown_sku(status, answer) is expected


def test_the_modules_doctests_hold():
    import doctest

    assert doctest.testmod(stock).failed == 0
