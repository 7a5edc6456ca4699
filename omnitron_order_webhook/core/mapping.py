"""Turn a validated Omnitron order into the plain values Odoo records need.

Read it as the mapping table of the addon: each function returns a dict of
Odoo field values for one record. What needs the database (ids of products,
taxes, countries…) is added by the import service in ``models/omnitron_order_import.py``.
"""

import hashlib
import json
from decimal import ROUND_HALF_UP, Decimal

from . import const


def order_state(status):
    """The sale.order state an Omnitron status code leads to."""
    return const.ORDER_STATUSES[status][1]


def person_name(first_name, last_name, fallback):
    name = " ".join(part for part in (first_name, last_name) if part)
    return name or fallback


def customer_values(order):
    """Values of the customer's commercial partner, keyed by (channel, customer)."""
    customer = order.customer
    return {
        "name": person_name(customer.first_name, customer.last_name, f"Omnitron customer {customer.pk}"),
        "email": customer.email or False,
        "phone": customer.phone or False,
        "omnitron_channel_pk": order.channel.pk,
        "omnitron_customer_pk": customer.pk,
        "customer_rank": 1,
    }


def address_values(address, address_type, fallback_name):
    """Values of an invoice or delivery contact, without the country id.

    ``omnitron_address_key`` fingerprints the content, so an identical address
    is found again rather than created twice. Omnitron's own ``hash_data`` is
    not used: it differs between billing and shipping copies of one address.
    """
    street2 = ", ".join(part for part in (address.district, address.township) if part)
    values = {
        "type": address_type,
        "name": person_name(address.first_name, address.last_name, fallback_name),
        "email": address.email or False,
        "phone": address.phone or False,
        "street": address.line or False,
        "street2": street2 or False,
        "city": address.city or False,
        "zip": address.postcode or False,
        "company_name": address.company_name or False,
        "omnitron_tax_number": address.tax_no or False,
        "omnitron_township": address.township or False,
        "omnitron_district": address.district or False,
        "omnitron_tax_office": address.tax_office or False,
    }
    values["omnitron_address_key"] = address_key(values, address.country_code)
    return values


# Turkish letters to the ASCII ones people type when they have no Turkish
# keyboard: "ŞANLIURFA", "SANLIURFA" and "Şanlıurfa" are one province.
_TURKISH_TO_ASCII = str.maketrans("ıçğöşüâîû", "icgosuaiu")


def _province_key(name):
    # Python's lower() maps "I" to "i" and "İ" to "i̇" (with a combining dot):
    # Turkish dotted and dotless capitals are lowered by hand first.
    lowered = (name or "").strip().replace("İ", "i").replace("I", "ı").lower()
    return lowered.translate(_TURKISH_TO_ASCII)


def turkish_province(city, provinces):
    """The id of the province (il) Omnitron's ``city`` names, or None.

    ``provinces`` maps state names (Odoo's ``res.country.state`` of Türkiye) to ids.
    """
    key = _province_key(city)
    if not key:
        return None
    matches = {state_id for name, state_id in provinces.items() if _province_key(name) == key}
    return matches.pop() if len(matches) == 1 else None


def turkish_address_layout(values, address, provinces):
    """``values`` of a Turkish address laid out as Odoo and e-Arşiv read one.

    Omnitron's ``city`` is the province (il), its ``township`` the district
    (ilçe), its ``district`` the neighbourhood (mahalle). Odoo's Turkish
    address format and the UBL-TR invoice (Nilvera) take the province as the
    state and the district as the city. Without a province Odoo knows, the
    values stay as Omnitron sent them. The content key is not changed: it
    fingerprints what Omnitron sent.
    """
    state_id = turkish_province(address.city, provinces)
    if state_id is None:
        return values
    laid_out = dict(values, state_id=state_id)
    if address.township:
        laid_out.update(city=address.township, street2=address.district or False)
    return laid_out


def address_key(values, country_code):
    """A stable fingerprint of an address's content (hex, 32 characters)."""
    content = {key: value for key, value in values.items() if key != "omnitron_address_key"}
    content["country"] = country_code
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def customer_tax_number(order):
    """The tax number for the customer's ``vat``: the billing address's.

    Odoo keeps ``vat`` on the commercial partner and copies it to every
    contact, so each address keeps its own number in ``omnitron_tax_number``.
    """
    billing = order.billing_address
    return billing.tax_no or billing.identity_number or False


def nilvera_status(address):
    """What Odoo's Turkish e-invoicing (Nilvera's customer status) can take from Omnitron's word.

    Omnitron says whether the buyer is an e-Fatura taxpayer (``e_bill_taxpayer``).
    A buyer who is not gets e-Arşiv, which needs no alias: ``earchive``. One who
    is needs the alias Nilvera's own check finds, so nothing is set (None), as
    when Omnitron does not say.

    >>> from types import SimpleNamespace as A
    >>> nilvera_status(A(e_bill_taxpayer=False)), nilvera_status(A(e_bill_taxpayer=True))
    ('earchive', None)
    """
    return "earchive" if address.e_bill_taxpayer is False else None


def discount_lines(order):
    """The promotions of the order as lines of text, for the Omnitron tab (empty: none).

    >>> from types import SimpleNamespace as O
    >>> from decimal import Decimal as D
    >>> discount_lines(O(discounts=(("Sepette %10", D("12.50")), (None, D("3"))), currency="try")).splitlines()
    ['Sepette %10: 12.50 TRY', '(unnamed promotion): 3 TRY']
    """
    return "\n".join(
        f"{name or '(unnamed promotion)'}: {amount if amount is not None else '?'} {order.currency.upper()}"
        for name, amount in order.discounts
    )


def order_values(order):
    """The sale.order fields that come straight from the payload."""
    return {
        "client_order_ref": order.number,
        "date_order": order.date_placed,
        "omnitron_pk": order.pk,
        "omnitron_number": order.number,
        "omnitron_channel_pk": order.channel.pk,
        "omnitron_channel_name": order.channel.name,
        "omnitron_channel_type": order.channel.channel_type or False,
        "omnitron_status": order.status,
        "omnitron_status_name": order.status_name,
        "omnitron_date_placed": order.date_placed,
        "omnitron_delivery_type": order.delivery_type or False,
        "omnitron_has_gift_box": order.has_gift_box,
        "omnitron_gift_box_note": order.gift_box_note or False,
        "omnitron_tracking_number": order.tracking_number or False,
        "omnitron_tracking_url": order.tracking_url or False,
        "omnitron_invoice_number": order.invoice_number or False,
        "omnitron_invoice_date": order.invoice_date or False,
        "omnitron_e_archive_url": order.e_archive_url or False,
        "omnitron_cargo_company": order.cargo_company.name or order.cargo_company.shipping_company,
        "omnitron_cargo_codes": cargo_codes(order.cargo_company),
        "omnitron_amount": float(order.amount),
        "omnitron_shipping_amount": float(order.shipping_amount),
        "omnitron_refund_amount": float(order.refund_amount or 0),
        "omnitron_modified_date": order.modified_date or False,
        # As sent: the update rules compare later deliveries with them (staff may rename the partner).
        "omnitron_customer_name": customer_values(order)["name"],
        "omnitron_customer_email": order.customer.email or False,
        "omnitron_prices_per_row": prices_per_row(order),
        "omnitron_notes": order.notes or False,
        "omnitron_delivery_start": order.delivery_start or False,
        "omnitron_delivery_end": order.delivery_end or False,
        "omnitron_discount_amount": float(order.discount_amount or 0),
        "omnitron_discounts": discount_lines(order) or False,
    }


def prices_per_row(order):
    """Whether the merged items' ``price`` is for the whole row rather than one unit.

    Omnitron does not document it. The reading is the one for which the lines
    and shipping add up to ``amount``; when neither does (or both, as without
    merged items), prices are read per unit and the total is flagged as usual.
    """
    if all(item.quantity == 1 for item in order.items):
        return False
    per_unit = sum((item.price * item.quantity for item in order.items), Decimal(0)) + order.shipping_amount
    per_row = sum((item.price for item in order.items), Decimal(0)) + order.shipping_amount
    return per_row == order.amount and per_unit != order.amount


def cargo_codes(cargo):
    """How the order keeps the cargo company Omnitron sent: ``shipping_company/erp_code``."""
    return f"{cargo.shipping_company}/{cargo.erp_code}"


def line_values(item, per_row=False):
    """The sale.order.line fields of one Omnitron item (``item.quantity`` units)."""
    unit_price = item.price / item.quantity if per_row else item.price
    # An item Omnitron already cancelled or refunded is kept, with nothing to ship.
    left = item.status in const.LEFT_ITEM_STATUSES
    return {
        "name": f"[{item.product.sku}] {item.product.name}",
        "product_uom_qty": 0.0 if left else float(item.quantity),
        "omnitron_quantity": item.quantity,
        "price_unit": float(unit_price),
        "omnitron_item_pk": item.pk,
        "omnitron_price": float(item.price),
        "omnitron_status": item.status,
        "omnitron_tracking_number": item.tracking_number or False,
        "omnitron_invoice_number": item.invoice_number or False,
        "omnitron_invoice_date": item.invoice_date or False,
        "omnitron_e_archive_url": item.e_archive_url or False,
    }


def product_values(product):
    """Values of a product created for an sku Odoo does not know yet."""
    return {
        "name": product.name,
        "default_code": product.sku,
        "omnitron_sku": product.sku,
        "type": "consu",
        "is_storable": True,  # an order management system ships it: Inventory tracks its stock
        # Invoiced as shipped: an automatic workflow invoices what a validated delivery shipped,
        # and an order cancelled before shipment has nothing to invoice.
        "invoice_policy": "delivery",
        "sale_ok": True,
        "omnitron_product_pk": product.pk or False,
    }


def shipping_tax_rate(order, carrier_rate):
    """The rate of the shipping line: Omnitron's, else the delivery carrier's.

    Omnitron often sends ``shipping_tax_rate`` null, yet shipping sold to a
    Turkish customer bears KDV and an e-Arşiv invoice (UBL-TR) refuses a line
    without a tax. The carrier's product says the merchant's rate; taken
    price-included like every Omnitron price, the order's total is unchanged.
    A carrier product without a single percentage tax leaves the line untaxed.
    """
    return order.shipping_tax_rate or carrier_rate


def tax_rates(order, shipping_rate=None):
    """Every non-zero tax rate the order needs, lines and shipping."""
    rates = {item.tax_rate for item in order.items if item.tax_rate}
    shipping_rate = shipping_tax_rate(order, shipping_rate)
    if shipping_rate:
        rates.add(shipping_rate)
    return sorted(rates)


def amount_mismatch(computed_total, order, rounding):
    """Return a sentence when Odoo's total differs from Omnitron's, else None.

    A difference of up to half the currency's rounding is rounding noise; more
    than that means Odoo's taxes or prices differ from the sender's.
    """
    sent = order.amount
    computed = Decimal(str(computed_total)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    if abs(computed - sent) * 2 <= Decimal(str(rounding)):
        return None
    return (
        f"Odoo's total {computed.normalize():f} {order.currency} differs from the amount Omnitron sent, "
        f"{sent:f} {order.currency}, by {(computed - sent).normalize():f}."
    )
