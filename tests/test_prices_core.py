"""The prices sent to Omnitron's price lists, and which rows are sent (core/prices.py)."""

import doctest
from decimal import Decimal

import pytest

from omnitron_order_webhook.core import prices
from omnitron_order_webhook.core.prices import Price, PriceRow


def test_the_modules_doctests_hold():
    assert doctest.testmod(prices).failed == 0


def test_amounts_are_kept_to_the_cent_rounding_half_up():
    assert prices.money(99.995) == Decimal("100.00")
    assert prices.money(Decimal("0.005")) == Decimal("0.01")
    assert prices.money(0) == Decimal("0.00")


@pytest.mark.parametrize("bad", [-0.01, float("nan"), float("inf"), None, "12", True])
def test_an_amount_that_is_no_finite_amount_of_zero_or_more_is_refused_naming_it(bad):
    with pytest.raises(ValueError, match="^price must be an amount"):
        prices.money(bad)


def test_the_list_price_is_struck_through_only_when_higher_than_the_price_paid():
    assert prices.retail_price(150, 119.99) == Decimal("150.00")
    assert prices.retail_price(100, 120) is None
    assert prices.retail_price(100.004, 100) is None  # equal to the cent: nothing to strike through


def test_the_body_carries_decimal_strings_the_lower_case_currency_and_a_null_retail_price():
    body = prices.price_body("A-1", Price.of(120), 9, "TRY")
    assert body == {
        "product_sku": "A-1",
        "price_list": 9,
        "price": "120.00",
        "retail_price": None,
        "tax_rate": "0.00",
        "currency_type": "try",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("", Price.of(1), 9, "TRY"), "product_sku must be a non-empty SKU"),
        (("A", Price.of(1), 0, "TRY"), "price_list must be Omnitron's price list id"),
        (("A", Price.of(1), True, "TRY"), "price_list must be Omnitron's price list id"),
        (("A", Price.of(1), 9, "TL"), "currency_type must be a three-letter ISO currency code"),
    ],
)
def test_a_body_that_omnitron_would_refuse_is_refused_first_naming_the_field(args, message):
    with pytest.raises(ValueError, match=message):
        prices.price_body(*args)


def test_only_rows_whose_figures_differ_from_the_last_sent_are_sent():
    sent = Price.of(100, 120, 20)
    rows = [
        PriceRow(1, "A", sent, sent),  # unchanged
        PriceRow(2, "B", Price.of(100, None, 20), sent),  # the strike-through price went away
        PriceRow(3, "C", Price.of(100, 120, 10), sent),  # the tax rate changed
        PriceRow(4, "D", sent, None),  # never sent
        PriceRow(5, "E", sent, None, not_in_omnitron_sku="E"),  # Omnitron does not know it
        PriceRow(6, "F2", sent, None, not_in_omnitron_sku="F"),  # its SKU changed since
    ]
    assert [row.product_id for row in prices.changed_prices(rows)] == [2, 3, 4, 6]


def test_a_page_of_omnitron_prices_reads_skus_and_decimal_strings_or_numbers():
    rows, more = prices.read_price_page(
        {
            "count": 3,
            "next": "https://omnitron.example/api/i1/product_price/?page=2",
            "results": [
                {"product": "A", "price": "120.00", "retail_price": "150.00", "tax_rate": "20.00", "price_list": 3},
                {"product_sku": "B", "price": 99.9, "retail_price": None, "tax_rate": 20, "price_list": 3},
            ],
        },
        3,
    )
    assert more is True
    assert rows == [
        prices.OmnitronPrice("A", Price.of(120, 150, 20)),
        prices.OmnitronPrice("B", Price.of(Decimal("99.90"), None, 20)),
    ]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ("<html>maintenance</html>", "no page of results"),
        ({"detail": "Not found."}, "no page of results"),
        ({"results": ["A"]}, r"results\[0\] is no product price"),
        ({"results": [{"product": 12, "price": "1"}]}, r"results\[0\]\.product must be a SKU"),
        ({"results": [{"product": "A", "price": "1", "price_list": 4}]}, r"results\[0\]\.price_list is 4"),
        ({"results": [{"product": "A", "price": "abc"}]}, r"results\[0\]: 'abc' is no amount"),
        ({"results": [{"product": "A", "price": None}]}, r"results\[0\]: price must be an amount"),
    ],
)
def test_an_answer_that_is_no_page_of_prices_is_refused_naming_what_is_wrong(answer, message):
    with pytest.raises(ValueError, match=message):
        prices.read_price_page(answer, 3)
