"""Tables and limits of the Omnitron order webhook, kept in one place."""

# Omnitron order status codes (strings in the webhook) with their names and the
# sale.order state each one leads to. Source: Akinon OMS / Omnitron order status
# enum (see shared/DOMAIN.md). 100 cancels, 400 and above confirm, below 400 the
# order stays a quotation.
ORDER_STATUSES = {
    "50": ("cancellation_waiting", "draft"),
    "100": ("cancelled", "cancel"),
    "200": ("waiting", "draft"),
    "300": ("payment_waiting", "draft"),
    "350": ("confirmation_waiting", "draft"),
    "400": ("approved", "sale"),
    "450": ("preparing", "sale"),
    "500": ("shipped", "sale"),
    "510": ("shipped_and_informed", "sale"),
    "520": ("ready_for_pickup", "sale"),
    "540": ("attempted_delivery", "sale"),
    "544": ("review_started", "sale"),
    "545": ("review_waiting", "sale"),
    "546": ("waiting_for_payment", "sale"),
    "547": ("paid", "sale"),
    "550": ("delivered", "sale"),
    "600": ("refunded", "sale"),
}

# Largest id PostgreSQL's ``integer`` (Odoo's fields.Integer) can hold.
MAX_DB_INTEGER = 2**31 - 1

# Decimals of a tax rate: Odoo stores account.tax.amount with 4.
TAX_RATE_DECIMALS = 4

# Largest money amount we accept; anything above is a sender bug, not an order.
MAX_AMOUNT = 10**12  # in the order's currency

# Most items one order may have; more is a sender bug or an attack, not an order.
MAX_ITEMS = 1000

# Longest free text we accept in one field, in characters.
MAX_TEXT = 1024
MAX_LONG_TEXT = 4096  # notes and URLs

# Default size limit of a request body, before any parsing.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024  # bytes

# Events older than this are purged by the cron.
DEFAULT_EVENT_RETENTION_DAYS = 90  # days

# Reasons of a 202 answer: the order was deliberately not created.
REASON_DUPLICATE_ORDER = "duplicate_order"
REASON_CARGO_COMPANY_NOT_FOUND = "cargo_company_not_found"
REASON_PRODUCT_AMBIGUOUS = "product_ambiguous"
REASON_PRODUCT_NOT_FOUND = "product_not_found"

# Keys of ir.config_parameter read by the addon.
PARAM_MAX_BODY_BYTES = "omnitron_order_webhook.max_body_bytes"
PARAM_EVENT_RETENTION_DAYS = "omnitron_order_webhook.event_retention_days"
