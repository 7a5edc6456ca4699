from . import (
    delivery_carrier,
    omnitron_order_import,
    omnitron_token,
    omnitron_webhook_event,
    product_template,
    res_partner,
    res_users,
    sale_order,
    sale_order_line,
)
