"""Tables and limits of the Omnitron order webhook, kept in one place."""

from datetime import datetime, timedelta

# Omnitron status codes (strings in the webhook; orders and items share one
# table, shared/spec/omnitron_lifecycle.md) with their names and the sale.order
# state an order *created* at that status gets: below 400, and 546 (a trade-in
# waiting for its payment), the order is a quotation; 100 and 600 create it
# cancelled (nothing is left to ship or invoice); the rest confirm it.
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
    "546": ("waiting_for_payment", "draft"),
    "547": ("paid", "sale"),
    "550": ("delivered", "sale"),
    "600": ("refunded", "cancel"),
}

# How statuses follow each other, for updates that arrive out of order: a
# status is applied only when it ranks above the one already applied, so a
# late "approved" never undoes "shipped". The fulfilment path comes first, in
# this order (the trade-in's 546/547 precede approval); the cancellation path
# ranks above all of it: 100 (cancelled) < 600 (refunded). 50 (cancellation
# waiting) may follow any fulfilment status and be followed by any status
# (core/lifecycle.py). A status outside the table ranks nowhere.
FULFILMENT_PATH = ("200", "300", "350", "546", "547", "400", "450", "500", "510", "520", "540", "544", "545", "550")
CANCELLATION_PATH = ("50", "100", "600")
STATUS_RANKS = {status: rank for rank, status in enumerate(FULFILMENT_PATH + CANCELLATION_PATH)}
STATUS_CANCELLATION_WAITING = "50"
STATUS_CANCELLED = "100"
STATUS_APPROVED = "400"
STATUS_REFUNDED = "600"
# Where an order's life ends: nothing follows these.
FINAL_STATUSES = frozenset({STATUS_CANCELLED, STATUS_REFUNDED})
# Item statuses for which nothing is left to ship.
LEFT_ITEM_STATUSES = FINAL_STATUSES

# Item statuses meaning the goods already left the warehouse: 500 shipped,
# 510 shipped and informed, 520 ready for pickup, 540 attempted delivery, 544
# and 545 return review, 550 delivered (shared/spec/omnitron_lifecycle.md).
# Such items get no stock move at import: Odoo must not ship them again.
SHIPPED_ITEM_STATUSES = frozenset({"500", "510", "520", "540", "544", "545", "550"})

# Largest id PostgreSQL's ``integer`` (Odoo's fields.Integer) can hold.
MAX_DB_INTEGER = 2**31 - 1

# Decimals of a tax rate: Odoo stores account.tax.amount with 4.
TAX_RATE_DECIMALS = 4

# Largest money amount we accept; anything above is a sender bug, not an order.
MAX_AMOUNT = 10**12  # in the order's currency

# Deepest nesting of objects and lists a body may have (the spec's sample has
# 8): deeper is refused as invalid JSON before anything is stored.
MAX_DEPTH = 32

# Most items one order may have; more is a sender bug or an attack, not an order.
MAX_ITEMS = 1000
# Most units one merged item may stand for.
MAX_ITEM_QUANTITY = 100_000
# Most units one order may stand for, all items together: the default of the
# setting max_order_units (an order may be one item of the most units), and
# the most that setting allows (every item at its most).
DEFAULT_MAX_ORDER_UNITS = MAX_ITEM_QUANTITY
MAX_ORDER_UNITS = MAX_ITEMS * MAX_ITEM_QUANTITY

# Plausible dates of an order: none is older than this, and none is placed or
# invoiced further ahead of the server's clock than MAX_DATE_AHEAD (time zones
# written wrong, clocks apart). A modified_date ahead of the clock is accepted
# but orders no update (core/lifecycle.py): beyond MAX_CLOCK_SKEW the status
# ranks decide instead.
EARLIEST_DATE = datetime(2000, 1, 1)  # naive UTC
MAX_DATE_AHEAD = timedelta(days=1)
MAX_CLOCK_SKEW = timedelta(minutes=5)

# Longest free text we accept in one field, in characters.
MAX_TEXT = 1024
MAX_LONG_TEXT = 4096  # notes and URLs
# Fields that end up in a PostgreSQL btree index (partner name and complete
# name "customer, contact", VAT, phone, product reference) are shorter: an
# index row holds at most 2,704 bytes, and a character is up to 4 bytes.
MAX_NAME = 128  # a first or last name, in characters (a partner name is both)
MAX_COMPANY_NAME = 256  # in characters
MAX_SKU = 128  # product.default_code, in characters
MAX_PHONE = 64  # in characters
MAX_EMAIL = 254  # RFC 5321, in characters
MAX_PLACE = 128  # city, township, district, tax office, in characters

# The webhook's path, as Omnitron is told to call it (docs: the spec's "Endpoint").
WEBHOOK_PATH = "/api/v1/oms/orders_omnitron/"
# Akinon OMS's second webhook: cancellation and refund plans (omnitron_lifecycle.md).
CANCELLATION_PLAN_PATH = "/api/v1/oms/cancellation_plan/"
# Event types, by webhook: what a stored delivery is reprocessed as.
WEBHOOK_ORDER = "order"
WEBHOOK_CANCELLATION_PLAN = "cancellation_plan"
WEBHOOKS = [(WEBHOOK_ORDER, "Order"), (WEBHOOK_CANCELLATION_PLAN, "Cancellation plan")]
# How a delivery reached Odoo: posted by Omnitron, fetched by the catch-up
# pull (or an order's Refresh from Omnitron), or run again by an administrator.
SOURCE_WEBHOOK = "webhook"
SOURCE_PULL = "pull"
SOURCE_REPROCESS = "reprocess"
SOURCES = [(SOURCE_WEBHOOK, "Webhook"), (SOURCE_PULL, "Pull"), (SOURCE_REPROCESS, "Reprocessed")]

# States of an omnitron.webhook.event, by what happened to the delivery. The
# event model's Selection, the services and the tests all read them here.
STATE_DONE = "done"  # the order was created
STATE_IGNORED = "ignored"  # deliberately not created (202)
STATE_REJECTED = "rejected"  # refused as invalid (4xx)
STATE_FAILED = "failed"  # an unexpected or configuration error; nothing was saved (500)
STATE_UPDATED = "updated"  # an imported order was changed (an update or a cancellation plan)
EVENT_STATES = [
    (STATE_DONE, "Done"),
    (STATE_UPDATED, "Updated"),
    (STATE_IGNORED, "Ignored"),
    (STATE_REJECTED, "Rejected"),
    (STATE_FAILED, "Failed"),
]

# Reasons of a 202 answer: the order was deliberately not created. The first
# three are the admin's filters (core/filters.py), checked in this order.
REASON_BELOW_MIN_OMNITRON_ID = "below_min_omnitron_id"
REASON_CHANNEL_NOT_ALLOWED = "channel_not_allowed"
REASON_PROPERTY_MISMATCH = "property_mismatch"
REASON_DUPLICATE_ORDER = "duplicate_order"
REASON_CARGO_COMPANY_NOT_FOUND = "cargo_company_not_found"
REASON_PRODUCT_AMBIGUOUS = "product_ambiguous"
REASON_PRODUCT_NOT_FOUND = "product_not_found"
REASON_TAX_NOT_CONFIGURED = "tax_not_configured"
REASON_CURRENCY_NOT_ACTIVE = "currency_not_active"
# Reasons of the order's later deliveries and of the cancellation-plan webhook.
REASON_ORDER_UPDATED = "order_updated"  # an imported order was changed
REASON_OUTDATED_UPDATE = "outdated_update"  # older than what was already applied
REASON_ORDER_NOT_FOUND = "order_not_found"  # a plan for an order never imported
REASON_DUPLICATE_PLAN = "duplicate_plan"  # a plan recorded before
# Routine answers, not reported to Sentry: Omnitron posts every order again
# as it moves, so an unchanged or older delivery is the normal case.
ROUTINE_REASONS = frozenset({REASON_DUPLICATE_ORDER, REASON_OUTDATED_UPDATE, REASON_DUPLICATE_PLAN})
# The admin's own filters: deliberate, so nobody has to look at them.
FILTER_REASONS = frozenset({REASON_BELOW_MIN_OMNITRON_ID, REASON_CHANNEL_NOT_ALLOWED, REASON_PROPERTY_MISMATCH})
REASONS = (
    REASON_BELOW_MIN_OMNITRON_ID,
    REASON_CHANNEL_NOT_ALLOWED,
    REASON_PROPERTY_MISMATCH,
    REASON_DUPLICATE_ORDER,
    REASON_CARGO_COMPANY_NOT_FOUND,
    REASON_PRODUCT_AMBIGUOUS,
    REASON_PRODUCT_NOT_FOUND,
    REASON_TAX_NOT_CONFIGURED,
    REASON_CURRENCY_NOT_ACTIVE,
    REASON_ORDER_UPDATED,
    REASON_OUTDATED_UPDATE,
    REASON_ORDER_NOT_FOUND,
    REASON_DUPLICATE_PLAN,
)

# Error codes of a 4xx or 5xx answer's "error" field, with their HTTP status.
ERROR_INVALID_JSON = "invalid_json"
ERROR_INVALID_PAYLOAD = "invalid_payload"
ERROR_UNAUTHORIZED = "unauthorized"
ERROR_FORBIDDEN = "forbidden"
ERROR_METHOD_NOT_ALLOWED = "method_not_allowed"
ERROR_NOT_ACCEPTABLE = "not_acceptable"
ERROR_PAYLOAD_TOO_LARGE = "payload_too_large"
ERROR_UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
ERROR_RATE_LIMITED = "rate_limited"
ERROR_CONFIG = "config_error"
ERROR_INTERNAL = "internal_error"
ERROR_STATUSES = {
    ERROR_INVALID_JSON: 400,
    ERROR_INVALID_PAYLOAD: 400,
    ERROR_UNAUTHORIZED: 401,
    ERROR_FORBIDDEN: 403,
    ERROR_METHOD_NOT_ALLOWED: 405,
    ERROR_NOT_ACCEPTABLE: 406,
    ERROR_PAYLOAD_TOO_LARGE: 413,
    ERROR_UNSUPPORTED_MEDIA_TYPE: 415,
    ERROR_RATE_LIMITED: 429,
    ERROR_CONFIG: 500,
    ERROR_INTERNAL: 500,
}

# Which deliveries need a person (the event's needs_attention): ignored for a
# reason someone can fix, failed, or rejected (a lost order) - not routine
# re-deliveries, not the admin's filters, and not a rate-limited delivery,
# which Omnitron sends again by itself.
ATTENTION_STATES = frozenset({STATE_IGNORED, STATE_FAILED, STATE_REJECTED})
NO_ATTENTION_REASONS = ROUTINE_REASONS | FILTER_REASONS | {ERROR_RATE_LIMITED}

# What people read for a reason or error code (the event's Selection; Odoo
# translates the labels).
REASON_LABELS = [
    (REASON_BELOW_MIN_OMNITRON_ID, "Below the minimum Omnitron ID"),
    (REASON_CHANNEL_NOT_ALLOWED, "Channel not allowed"),
    (REASON_PROPERTY_MISMATCH, "Refused by a property rule"),
    (REASON_DUPLICATE_ORDER, "Already imported"),
    (REASON_CARGO_COMPANY_NOT_FOUND, "No carrier for the cargo company"),
    (REASON_PRODUCT_AMBIGUOUS, "Several products with one reference"),
    (REASON_PRODUCT_NOT_FOUND, "Product not found"),
    (REASON_TAX_NOT_CONFIGURED, "Tax not configured"),
    (REASON_CURRENCY_NOT_ACTIVE, "Currency not active"),
    (REASON_ORDER_UPDATED, "Order updated"),
    (REASON_OUTDATED_UPDATE, "Older than the order"),
    (REASON_ORDER_NOT_FOUND, "Order not imported"),
    (REASON_DUPLICATE_PLAN, "Plan already recorded"),
    (ERROR_INVALID_JSON, "Not valid JSON"),
    (ERROR_INVALID_PAYLOAD, "Order not valid"),
    (ERROR_UNAUTHORIZED, "Not authenticated"),
    (ERROR_FORBIDDEN, "Sender not allowed"),
    (ERROR_METHOD_NOT_ALLOWED, "Method not allowed"),
    (ERROR_NOT_ACCEPTABLE, "Answer type not acceptable"),
    (ERROR_PAYLOAD_TOO_LARGE, "Body too large"),
    (ERROR_UNSUPPORTED_MEDIA_TYPE, "Not a JSON body"),
    (ERROR_RATE_LIMITED, "Too many requests"),
    (ERROR_CONFIG, "Configuration error"),
    (ERROR_INTERNAL, "Unexpected error"),
]

# What people read for a status code (orders and items share the table) and a
# delivery type; an unknown code is shown as sent.
STATUS_LABELS = [
    ("50", "Cancellation waiting"),
    ("100", "Cancelled"),
    ("200", "Waiting"),
    ("300", "Payment waiting"),
    ("350", "Confirmation waiting"),
    ("400", "Approved"),
    ("450", "Preparing"),
    ("500", "Shipped"),
    ("510", "Shipped and informed"),
    ("520", "Ready for pickup"),
    ("540", "Delivery attempted"),
    ("544", "Review started"),
    ("545", "Review waiting"),
    ("546", "Waiting for payment"),
    ("547", "Paid"),
    ("550", "Delivered"),
    ("600", "Refunded"),
]
DELIVERY_TYPE_LABELS = [("standard", "Standard"), ("next_day", "Next day"), ("same_day", "Same day")]

# The first keys of the addon's PostgreSQL advisory locks, in one place so they never collide
# (the second key is the record's id): the catch-up pull of an account, the turn of an order.
ADVISORY_LOCK_PULL = 0x0A7E
ADVISORY_LOCK_ORDER = 0x0A7F
