"""Prices from Odoo to Omnitron: the figures sent, and which rows need sending (pure).

Opt-in, per account: many Akinon merchants price in Omnitron itself. When an
Omnitron price list is mapped to an Odoo pricelist, each product's row of that
list carries (``../shared/spec/omnitron_stock.md`` a.4, ``omnitron_lifecycle.md``):

- ``price``: what the customer pays for one unit, tax included (the
  pricelist's price of one unit, its sale taxes added);
- ``retail_price``: the strike-through list price, tax included, only when it
  is higher than ``price`` (else null: nothing is struck through);
- ``tax_rate``: the sale tax's rate in percent (20.0 for KDV %20);
- ``currency_type``: the pricelist's currency, lower case (``try``).

Only rows that differ from what Omnitron was last sent are sent, as for stock.
The write's path and body are the documented GET serializer's fields on the
documented path (its POST section could not be read): one constant to change
once a sandbox confirms them.
"""

import dataclasses
import math
from decimal import ROUND_HALF_UP, Decimal

# The product-price create-or-update: path and body in one place (see the module's docstring).
PRODUCT_PRICE_PATH = "/api/i1/product_price/"
CENT = Decimal("0.01")


def money(value, name="price"):
    """``value`` as Omnitron's two-decimal amount; refused, naming ``name``, when not a finite amount ≥ 0.

    >>> money(119.995)
    Decimal('120.00')
    >>> money(-1)
    Traceback (most recent call last):
    ValueError: price must be an amount of 0 or more, not -1
    """
    if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool):
        raise ValueError(f"{name} must be an amount, not {value!r}")
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be an amount of 0 or more, not {value!r}")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def retail_price(list_price, price):
    """The strike-through price: the list price when it is higher than the price paid, else None.

    >>> retail_price(150, 120)
    Decimal('150.00')
    >>> retail_price(120, 120) is None
    True
    """
    listed, paid = money(list_price, "retail_price"), money(price)
    return listed if listed > paid else None


def currency_type(code):
    """Omnitron's currency of an ISO 4217 code: lower case (``TRY`` → ``try``).

    >>> currency_type("TRY")
    'try'
    """
    if not isinstance(code, str) or len(code) != 3 or not code.isalpha():
        raise ValueError(f"currency_type must be a three-letter ISO currency code, not {code!r}")
    return code.lower()


@dataclasses.dataclass(frozen=True)
class Price:
    """One product's figures on one Omnitron price list: what is sent, and compared with the last sent."""

    price: Decimal
    retail_price: Decimal | None
    tax_rate: Decimal

    @classmethod
    def of(cls, price, retail=None, tax_rate=0):
        return cls(
            money(price),
            None if retail in (None, False) else money(retail, "retail_price"),
            money(tax_rate, "tax_rate"),
        )


@dataclasses.dataclass(frozen=True)
class PriceRow:
    """One product of one price list: its SKU, its figures now, and what Omnitron was last sent."""

    product_id: int
    sku: str
    now: Price
    sent: Price | None  # None: never sent
    not_in_omnitron_sku: str | None = None  # the SKU Omnitron did not know, when it said so


def changed_prices(rows):
    """The rows to send: their figures differ from the last sent, and Omnitron may know their SKU.

    >>> same, new = Price.of(10), Price.of(12)
    >>> [row.product_id for row in changed_prices([PriceRow(1, "A", same, same), PriceRow(2, "B", new, same),
    ...                                             PriceRow(3, "C", new, None, not_in_omnitron_sku="C")])]
    [2]
    """
    return [
        row
        for row in rows
        if row.now != row.sent and not (row.not_in_omnitron_sku and row.not_in_omnitron_sku == row.sku)
    ]


def price_body(sku, figures, price_list_pk, currency):
    """The create-or-update body of one product's price on one price list.

    >>> price_body("SKU-1", Price.of(120, 150, 20), 3, "TRY")
    {'product_sku': 'SKU-1', 'price_list': 3, 'price': '120.00', 'retail_price': '150.00', \
'tax_rate': '20.00', 'currency_type': 'try'}
    """
    if not isinstance(sku, str) or not sku.strip():
        raise ValueError(f"product_sku must be a non-empty SKU, not {sku!r}")
    if not isinstance(price_list_pk, int) or isinstance(price_list_pk, bool) or price_list_pk <= 0:
        raise ValueError(f"price_list must be Omnitron's price list id (a positive integer), not {price_list_pk!r}")
    # Amounts as decimal strings, as Omnitron's own serializers write them: a float would carry 119.99999.
    return {
        "product_sku": sku,
        "price_list": price_list_pk,
        "price": str(figures.price),
        "retail_price": None if figures.retail_price is None else str(figures.retail_price),
        "tax_rate": str(figures.tax_rate),
        "currency_type": currency_type(currency),
    }


@dataclasses.dataclass(frozen=True)
class OmnitronPrice:
    """One product's price as Omnitron holds it on a price list."""

    sku: str
    figures: Price


def read_price_page(answer, price_list_pk):
    """The rows of one page of ``GET /api/i1/product_price/?price_list=…`` and whether another page follows.

    i1 names the product by its SKU (``product``, or ``product_sku``).
    Anything that is not a DRF page of product prices is refused naming what
    is wrong: an answer that cannot be read is never "nothing to change".

    >>> read_price_page({"count": 1, "next": None, "results": [{"product": "A", "price": "120.00",
    ...     "retail_price": None, "tax_rate": "20.00", "price_list": 3}]}, 3)
    ([OmnitronPrice(sku='A', figures=Price(price=Decimal('120.00'), retail_price=None, \
tax_rate=Decimal('20.00')))], False)
    """
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise ValueError(f"Omnitron's product prices answer is no page of results: {str(answer)[:200]}")
    rows = []
    for index, row in enumerate(answer["results"]):
        where = f"results[{index}]"
        if not isinstance(row, dict):
            raise ValueError(f"{where} is no product price: {row!r}")
        sku = row.get("product_sku", row.get("product"))
        if not isinstance(sku, str) or not sku:
            raise ValueError(f"{where}.product must be a SKU (i1), not {sku!r}")
        listed = row.get("price_list")
        if listed not in (None, price_list_pk):
            raise ValueError(f"{where}.price_list is {listed!r}, not the price list asked for ({price_list_pk})")
        try:
            figures = Price.of(
                _amount(row.get("price")), _amount(row.get("retail_price")), _amount(row.get("tax_rate")) or 0
            )
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
        rows.append(OmnitronPrice(sku, figures))
    return rows, bool(answer.get("next"))


def _amount(value):
    """An amount Omnitron wrote as a number or a decimal string (None stays None)."""
    if isinstance(value, str):
        try:
            return Decimal(value)
        except ArithmeticError:
            raise ValueError(f"{value!r} is no amount") from None
    return value
