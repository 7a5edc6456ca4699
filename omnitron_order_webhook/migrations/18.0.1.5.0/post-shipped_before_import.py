"""Up to 18.0.1.4.0 an item Omnitron reported shipped when its order was imported
got its stock moves cancelled and nothing else: it was never delivered in Odoo,
so never invoiced (products the import creates are invoiced on delivered
quantities: a 1,200 TRY item left an invoice of its shipping alone), and Odoo's
stock still counted goods that had left.

The upgrade delivers them as the import now does (models/omnitron_order_
cancellation.py, ``_deliver_shipped``): for each confirmed order with such items
still undelivered, one done delivery per tracking number from the order's
warehouse to the customer, dated the upgrade, so their goods leave Odoo's stock
now (once) and the lines become invoiceable; for a channel whose goods leave
from elsewhere, the lines are marked delivered without a stock move. Items
Omnitron has since cancelled or refunded are left alone.
"""

import logging
from types import SimpleNamespace

from odoo import SUPERUSER_ID, api
from odoo.addons.omnitron_order_webhook.core import const

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    orders = env["sale.order"].search(
        [("omnitron_shipped_before_import", "!=", False), ("state", "=", "sale")], order="id"
    )
    flow = env["omnitron.order.cancellation"]
    delivered = 0
    for order in orders:
        lines = order.order_line.filtered(
            lambda line: (
                line.omnitron_status in const.SHIPPED_ITEM_STATUSES and line.qty_delivered < line.product_uom_qty
            )
        )
        if not lines:
            continue
        items = [
            SimpleNamespace(pk=line.omnitron_item_pk, tracking_number=line.omnitron_tracking_number or None)
            for line in lines
        ]
        flow.with_company(order.company_id)._deliver_shipped(order, items)
        delivered += len(lines)
    if delivered:
        _logger.info("%s items shipped before their import delivered (and counted out of stock)", delivered)
