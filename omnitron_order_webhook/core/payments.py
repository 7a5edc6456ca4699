"""How an Omnitron order was paid, read from its payload (pure Python).

Facts (shared/spec/omnitron_lifecycle.md, "Payments in the order payload"):
``payment_option`` is an object ``{pk, name, payment_type, slug}`` on detailed
serializers and an id on flat ones; ``payment_option_slug`` is spelled
differently per installation (``credit_card``, ``credit-card``,
``Credit_Card``); the transaction sets name the rest; a marketplace order
(the spec's sample, an n11 order) carries no payment data at all.

``payment_kind`` reads, in that order of trust: the option's
``payment_type``, its slug (the option's, else the order's), then which
transaction set is non-empty; the first that names a known kind wins. A
value nothing maps is kind ``other`` with the raw value kept, never guessed
into a known kind; no payment data at all is a marketplace's order.
"""

import dataclasses

CARD = "card"
PAY_ON_DELIVERY = "pay_on_delivery"
FUNDS_TRANSFER = "funds_transfer"
LOYALTY = "loyalty"
WALLET = "wallet"
CASH_REGISTER = "cash_register"
MARKETPLACE = "marketplace"
OTHER = "other"

KINDS = [
    (CARD, "Card"),
    (PAY_ON_DELIVERY, "Pay on delivery"),
    (FUNDS_TRANSFER, "Funds transfer"),
    (LOYALTY, "Loyalty"),
    (WALLET, "Wallet (BEX)"),
    (CASH_REGISTER, "Cash register"),
    (MARKETPLACE, "Marketplace"),
    (OTHER, "Other"),
]

# Payment types and slugs, normalised (lower case, "-" and spaces as "_").
_NAMED = {
    "credit_card": CARD,
    "card": CARD,
    "debit_card": CARD,
    "masterpass": CARD,
    "pay_on_delivery": PAY_ON_DELIVERY,
    "payondelivery": PAY_ON_DELIVERY,
    "cash_on_delivery": PAY_ON_DELIVERY,
    "card_on_delivery": PAY_ON_DELIVERY,
    "funds_transfer": FUNDS_TRANSFER,
    "fundstransfer": FUNDS_TRANSFER,
    "bank_transfer": FUNDS_TRANSFER,
    "loyalty": LOYALTY,
    "loyalty_money": LOYALTY,
    "bex": WALLET,
    "bkm_express": WALLET,
    "bkm": WALLET,
    "cash_register": CASH_REGISTER,
    "cashregister": CASH_REGISTER,
}

# Transaction sets in the order they are looked at: the first non-empty one names the kind.
TRANSACTION_SETS = (
    ("transaction_set", CARD),
    ("payondeliverytransaction_set", PAY_ON_DELIVERY),
    ("fundstransfertransaction_set", FUNDS_TRANSFER),
    ("bextransaction_set", WALLET),
    ("cashregistertransaction_set", CASH_REGISTER),
    ("loyaltytransaction_set", LOYALTY),
)

MAX_RAW = 64  # characters of a raw value kept


@dataclasses.dataclass(frozen=True)
class Payment:
    kind: str  # one of KINDS
    raw: str | None  # the value it was read from (payment_type, slug or transaction set), as Omnitron wrote it
    source: str  # where: "payment_type", "slug", a transaction set's name, or "none"


def normalise(value):
    """``Credit-Card `` → ``credit_card``: how types and slugs are compared.

    >>> normalise("Credit-Card ")
    'credit_card'
    """
    return "_".join(str(value).strip().lower().replace("-", " ").split())


def payment_kind(payload):
    """The ``Payment`` of an order ``payload`` (a dict; anything else reads as no payment data).

    >>> payment_kind({"payment_option": {"payment_type": "credit_card"}}).kind
    'card'
    >>> payment_kind({"payment_option_slug": "Kapida-Odeme"})
    Payment(kind='other', raw='Kapida-Odeme', source='slug')
    >>> payment_kind({}).kind
    'marketplace'
    """
    payload = payload if isinstance(payload, dict) else {}
    option = payload.get("payment_option")
    named = []
    if isinstance(option, dict):
        named += [_named(option.get("payment_type"), "payment_type"), _named(option.get("slug"), "slug")]
    named.append(_named(payload.get("payment_option_slug"), "slug"))
    named = [payment for payment in named if payment]
    known = [payment for payment in named if payment.kind != OTHER]
    if known:
        return known[0]
    for name, kind in TRANSACTION_SETS:
        entries = payload.get(name)
        if isinstance(entries, list) and entries:
            return Payment(kind, name, name)
    if named:
        return named[0]  # a type or slug nobody maps: kept as written, never guessed
    if option not in (None, "", {}):
        # An option we cannot read (a flat serializer's bare id): paid somehow, not by a marketplace.
        return Payment(OTHER, _raw(option), "payment_option")
    return Payment(MARKETPLACE, None, "none")


def _named(value, source):
    if not isinstance(value, str) or not value.strip():
        return None
    kind = _NAMED.get(normalise(value), OTHER)
    return Payment(kind, _raw(value), source)


def _raw(value):
    text = str(value).strip()
    return text[:MAX_RAW]
