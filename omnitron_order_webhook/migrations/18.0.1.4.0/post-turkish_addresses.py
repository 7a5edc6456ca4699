"""Before 18.0.1.4.0 a Turkish address was kept as Omnitron sent it: the
province (il) in ``city``, the district (ilçe) and neighbourhood (mahalle) in
``street2``, no state. Odoo's Turkish address format and the UBL-TR invoice
(Nilvera) read the province from the state and the district from the city, so
the import now lays Turkish addresses out that way; an address imported before
is found again by its content key and reused as it was. This lays those out
too: the province Odoo knows becomes the state, the district the city, the
neighbourhood street2. An address whose city names no province is left as it is.
"""

import logging
from collections import defaultdict

from odoo import SUPERUSER_ID, api
from odoo.addons.omnitron_order_webhook.core import mapping

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False, "tracking_disable": True})
    turkey = env.ref("base.tr", raise_if_not_found=False)
    if not turkey:
        return
    provinces = {state.name: state.id for state in turkey.state_ids}
    addresses = env["res.partner"].search(
        [("omnitron_address_key", "!=", False), ("country_id", "=", turkey.id), ("state_id", "=", False)]
    )
    # One write per layout: many customers share a province, district and neighbourhood.
    layouts = defaultdict(list)
    for address in addresses:
        state_id = mapping.turkish_province(address.city, provinces)
        if state_id is None:
            continue
        values = {"state_id": state_id}
        if address.omnitron_township:
            values.update(city=address.omnitron_township, street2=address.omnitron_district or False)
        layouts[tuple(sorted(values.items()))].append(address.id)
    for values, ids in layouts.items():
        env["res.partner"].browse(ids).write(dict(values))
    moved = sum(len(ids) for ids in layouts.values())
    if moved:
        _logger.info("%s Turkish addresses laid out with their province as the state", moved)
