"""Orders imported before 18.0.1.1.0 kept no record of Omnitron's item prices,
units, shipping amount and cargo codes, which the update rules compare a later
delivery with (core/lifecycle.py). Fill them from what that import wrote, so
the first update of such an order does not report false differences."""


def migrate(cr, version):
    if not version:
        return
    # That import made one line per item, one unit at the item's price.
    cr.execute(
        """
        UPDATE sale_order_line
           SET omnitron_price = price_unit, omnitron_quantity = 1
         WHERE omnitron_item_pk IS NOT NULL AND omnitron_price IS NULL
        """
    )
    # ...and one delivery line at the shipping amount.
    cr.execute(
        """
        UPDATE sale_order so
           SET omnitron_shipping_amount = COALESCE(
                   (SELECT SUM(line.price_unit) FROM sale_order_line line
                     WHERE line.order_id = so.id AND line.is_delivery), 0)
         WHERE so.omnitron_number IS NOT NULL AND so.omnitron_shipping_amount IS NULL
        """
    )
    # The carrier was found by the cargo company's codes, so they are the ones sent.
    cr.execute(
        """
        UPDATE sale_order so
           SET omnitron_cargo_codes = carrier.omnitron_shipping_company || '/' || carrier.omnitron_erp_code
          FROM delivery_carrier carrier
         WHERE so.carrier_id = carrier.id
           AND so.omnitron_number IS NOT NULL
           AND so.omnitron_cargo_codes IS NULL
           AND carrier.omnitron_shipping_company IS NOT NULL
           AND carrier.omnitron_erp_code IS NOT NULL
        """
    )
