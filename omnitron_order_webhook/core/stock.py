"""Stock from Odoo to Omnitron: the number sent, and which rows need sending (pure).

Omnitron sells on the web shop and every marketplace from its stock lists;
Odoo's warehouse is the truth. For each (stock list, product) the addon
sends one number, ``stock``: what the stock list's warehouses can sell now
(``sellable``). Omnitron keeps what it sold and Odoo has not acknowledged in
``sold_quantity_unreported`` (its reservation) and subtracts it itself.

Only rows whose number differs from what Omnitron was last sent are sent
(``changed_rows``): Omnitron fans every write out to every channel app, so an
unchanged value is pure cost.

The write is the product-stock create-or-update of Akinon's integration API.
Its POST section could not be read in full (``../shared/spec/omnitron_stock.md``
a.3): the path and body below are the documented GET serializer's writable
fields on the documented path, kept in one place to change once a sandbox
confirms them.
"""

import dataclasses
import math
from decimal import Decimal

# The product-stock create-or-update: path and body in one place (see the module's docstring).
PRODUCT_STOCK_PATH = "/api/i1/product_stock/"
MAX_STOCK = 2147483647  # Omnitron's documented maximum of ``stock``
# Stock Reservation Release: Omnitron keeps the line's units reserved until the ERP says it has the line.
RELEASE_PATH = "/api/i1/order_items/{item_pk}/create_mapping/"
UNIT_QUANTITY = "qty"


def sellable(free_qty, on_hand, outgoing):
    """The whole units the warehouses can sell: free stock less demand not yet reserved, never below zero.

    ``free_qty`` is Odoo's free quantity (on hand less reserved, as Odoo's own
    web shop sells); ``on_hand - outgoing`` removes the confirmed demand not
    reserved yet (a backorder, a delivery waiting for another step). Incoming
    goods are never counted: a purchase not received is nothing to sell.

    >>> sellable(10, 12, 3)
    9
    >>> sellable(4.9, 10, 0)
    4
    >>> sellable(-2, 0, 0)
    0
    """
    for name, value in (("free_qty", free_qty), ("on_hand", on_hand), ("outgoing", outgoing)):
        if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError(f"{name} must be a finite number, not {value!r}")
    units = math.floor(min(Decimal(str(free_qty)), Decimal(str(on_hand)) - Decimal(str(outgoing))))
    return max(0, min(units, MAX_STOCK))


def kit_sellable(components):
    """The whole kits the components' sellable units make: ``floor(min(units / quantity per kit))``.

    ``components`` is ``[(sellable units of a component, its quantity in one
    kit), ...]``, each component once (its lines summed), in the component's
    own unit. A kit is counted from what its components can sell, never by
    subtracting Odoo's aggregated kit fields (``omnitron_stock.md`` c.2): a
    component reserved for another order is not in its sellable units, so it
    makes no kit.

    >>> kit_sellable([(10, 2), (7, 1)])
    5
    >>> kit_sellable([(9, 0.5), (100, 3)])
    18
    >>> kit_sellable([(0, 1), (50, 1)])
    0
    """
    components = list(components)
    if not components:
        raise ValueError("components: a kit needs at least one component to be counted")
    kits = None
    for index, (units, per_kit) in enumerate(components):
        for name, value in ((f"components[{index}] sellable units", units), (f"components[{index}] quantity", per_kit)):
            if not isinstance(value, (int, float, Decimal)) or isinstance(value, bool) or not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number, not {value!r}")
        if per_kit <= 0:
            raise ValueError(f"components[{index}] quantity per kit must be above zero, not {per_kit!r}")
        # Decimal, so 0.1 per kit of 3 units makes 30 kits, not 29 (3 / 0.1 is 29.999… in floats).
        made = math.floor(Decimal(str(max(units, 0))) / Decimal(str(per_kit)))
        kits = made if kits is None else min(kits, made)
    return min(kits, MAX_STOCK)


def stock_body(sku, stock, stock_list_pk, unit_type=UNIT_QUANTITY):
    """The create-or-update body of one product's stock on one stock list.

    >>> stock_body("SKU-1", 3, 7)
    {'product_sku': 'SKU-1', 'stock': 3, 'stock_list': 7, 'unit_type': 'qty'}
    """
    if not isinstance(sku, str) or not sku.strip():
        raise ValueError(f"product_sku must be a non-empty SKU, not {sku!r}")
    if not isinstance(stock, int) or isinstance(stock, bool) or not 0 <= stock <= MAX_STOCK:
        raise ValueError(f"stock must be a whole number from 0 to {MAX_STOCK}, not {stock!r}")
    if not isinstance(stock_list_pk, int) or isinstance(stock_list_pk, bool) or stock_list_pk <= 0:
        raise ValueError(f"stock_list must be Omnitron's stock list id (a positive integer), not {stock_list_pk!r}")
    return {"product_sku": sku, "stock": stock, "stock_list": stock_list_pk, "unit_type": unit_type}


@dataclasses.dataclass(frozen=True)
class Row:
    """One product of one stock list: its SKU, the number now, and what Omnitron was last sent."""

    product_id: int
    sku: str
    stock: int
    sent: int | None  # None: never sent
    not_in_omnitron_sku: str | None = None  # the SKU Omnitron did not know, when it said so


def changed_rows(rows):
    """The rows to send: their number differs from the last sent, and Omnitron may know their SKU.

    A SKU Omnitron answered it does not know is not sent again until it
    changes (a new SKU on the product).

    >>> [row.product_id for row in changed_rows([Row(1, "A", 3, 3), Row(2, "B", 0, None), Row(3, "C", 2, 1)])]
    [2, 3]
    >>> changed_rows([Row(4, "D", 5, None, not_in_omnitron_sku="D")])
    []
    """
    return [
        row
        for row in rows
        if row.stock != row.sent and not (row.not_in_omnitron_sku and row.not_in_omnitron_sku == row.sku)
    ]


def is_unknown_sku(status, answer):
    """Whether Omnitron's refusal of a stock write says it does not know the product.

    A 404, or a 400 naming the product (its SKU): anything else (a bad stock
    list, a bad number) is a failure of ours to show, not a product to skip.

    >>> is_unknown_sku(400, {"product_sku": ["Product not found."]})
    True
    >>> is_unknown_sku(400, {"stock_list": ["Invalid pk"]})
    False
    """
    if status == 404:
        return True
    if status != 400 or not isinstance(answer, dict):
        return False
    return any(key in answer for key in ("product_sku", "product"))


def release_body(line_id):
    """The reservation release of one order item: Odoo's line id as the ERP's code, the stock updated.

    >>> release_body(42)
    {'update_stock': True, 'code': '42'}
    """
    if not isinstance(line_id, int) or isinstance(line_id, bool) or line_id <= 0:
        raise ValueError(f"code must be Odoo's order line id (a positive integer), not {line_id!r}")
    return {"update_stock": True, "code": str(line_id)}


def already_released(status, answer):
    """Whether Omnitron's refusal of a release says the item is mapped already (a release done before).

    >>> already_released(400, {"non_field_errors": ["Mapping already exists for this order item."]})
    True
    >>> already_released(400, {"code": ["This field is required."]})
    False
    """
    if status != 400:
        return False
    return "already" in str(answer).lower()


@dataclasses.dataclass(frozen=True)
class OmnitronStock:
    """One product's stock as Omnitron holds it on a stock list."""

    sku: str
    stock: int
    sold_quantity_unreported: int


def read_stock_page(answer, stock_list_pk):
    """The rows of one page of ``GET /api/i1/product_stock/?stock_list=…`` and whether another page follows.

    Anything that is not a DRF page of product stocks is refused naming what
    is wrong: an answer that cannot be read is never "nothing to change".

    >>> read_stock_page({"count": 1, "next": None, "results": [
    ...     {"product_sku": "A", "stock": 3, "stock_list": 7, "sold_quantity_unreported": 1}]}, 7)
    ([OmnitronStock(sku='A', stock=3, sold_quantity_unreported=1)], False)
    """
    if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
        raise ValueError(f"Omnitron's product stocks answer is no page of results: {str(answer)[:200]}")
    rows = []
    for index, row in enumerate(answer["results"]):
        where = f"results[{index}]"
        if not isinstance(row, dict):
            raise ValueError(f"{where} is no product stock: {row!r}")
        sku, number, listed = row.get("product_sku"), row.get("stock"), row.get("stock_list")
        if not isinstance(sku, str) or not sku:
            raise ValueError(f"{where}.product_sku must be a SKU, not {sku!r}")
        if not isinstance(number, int) or isinstance(number, bool):
            raise ValueError(f"{where}.stock must be a whole number, not {number!r}")
        if listed not in (None, stock_list_pk):
            raise ValueError(f"{where}.stock_list is {listed!r}, not the stock list asked for ({stock_list_pk})")
        unreported = row.get("sold_quantity_unreported") or 0
        if not isinstance(unreported, int) or isinstance(unreported, bool):
            raise ValueError(f"{where}.sold_quantity_unreported must be a whole number, not {unreported!r}")
        rows.append(OmnitronStock(sku, number, unreported))
    return rows, bool(answer.get("next"))
