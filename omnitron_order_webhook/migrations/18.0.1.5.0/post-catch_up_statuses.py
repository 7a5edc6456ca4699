"""Up to 18.0.1.4.0 the pull listed status 400 only, by default: an order Omnitron
had not sent at 450 or 500 (a marketplace order that reaches Omnitron already
prepared or shipped) was never pulled. Accounts still at that old default now
pull what Akinon's ERP connector lists, every status from approved to delivered
(core/catch_up.py, DEFAULT_STATUSES); an account whose statuses an
administrator chose keeps them.
"""

import logging

from odoo.addons.omnitron_order_webhook.core import catch_up

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "UPDATE omnitron_account SET catch_up_statuses = %s WHERE btrim(catch_up_statuses) = %s RETURNING id",
        [catch_up.DEFAULT_STATUSES, catch_up.OLD_DEFAULT_STATUSES],
    )
    if cr.rowcount:
        _logger.info(
            "Omnitron accounts %s now pull statuses %s", [row[0] for row in cr.fetchall()], catch_up.DEFAULT_STATUSES
        )
