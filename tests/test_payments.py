"""How an order was paid, from its payload: the payment type first, then the slugs, then the transaction sets."""

import pytest

from omnitron_order_webhook.core import payments
from omnitron_order_webhook.core.payments import Payment


def test_the_specs_marketplace_sample_has_no_payment_data_and_is_a_marketplace_order(sample):
    assert payments.payment_kind(sample["payload"]) == Payment("marketplace", None, "none")


@pytest.mark.parametrize(
    ("option", "slug", "expected"),
    [
        ({"pk": 1, "name": "Kredi Kartı", "payment_type": "credit_card", "slug": "kk"}, None, ("card", "credit_card")),
        ({"pk": 2, "payment_type": "pay_on_delivery", "slug": "kapida"}, None, ("pay_on_delivery", "pay_on_delivery")),
        ({"pk": 3, "payment_type": "funds_transfer"}, None, ("funds_transfer", "funds_transfer")),
        ({"pk": 4, "payment_type": "loyalty_money"}, None, ("loyalty", "loyalty_money")),
        ({"pk": 5, "payment_type": "bex"}, None, ("wallet", "bex")),
        ({"pk": 6, "payment_type": "cash_register"}, None, ("cash_register", "cash_register")),
    ],
)
def test_the_options_payment_type_names_the_kind(sample, option, slug, expected):
    payload = sample["payload"] | {"payment_option": option, "payment_option_slug": slug}
    payment = payments.payment_kind(payload)
    assert (payment.kind, payment.raw, payment.source) == (*expected, "payment_type")


@pytest.mark.parametrize("slug", ["credit_card", "credit-card", "Credit_Card", " CREDIT-card "])
def test_a_slug_is_read_whatever_its_case_dashes_and_spaces(sample, slug):
    payment = payments.payment_kind(sample["payload"] | {"payment_option": 17, "payment_option_slug": slug})
    assert (payment.kind, payment.source, payment.raw) == ("card", "slug", slug.strip())


def test_an_unknown_payment_type_gives_way_to_a_slug_that_is_known(sample):
    option = {"pk": 9, "payment_type": "bespoke_gateway", "slug": "credit-card"}
    assert payments.payment_kind(sample["payload"] | {"payment_option": option}).kind == "card"


@pytest.mark.parametrize(
    ("transaction_set", "kind"),
    [
        ("transaction_set", "card"),
        ("payondeliverytransaction_set", "pay_on_delivery"),
        ("fundstransfertransaction_set", "funds_transfer"),
        ("loyaltytransaction_set", "loyalty"),
        ("bextransaction_set", "wallet"),
        ("cashregistertransaction_set", "cash_register"),
    ],
)
def test_without_type_or_slug_the_non_empty_transaction_set_names_the_kind(sample, transaction_set, kind):
    payment = payments.payment_kind(sample["payload"] | {transaction_set: [{"pk": 1, "amount": "10.00"}]})
    assert (payment.kind, payment.raw) == (kind, transaction_set)


def test_a_value_nothing_maps_is_other_with_the_raw_value_kept_never_guessed(sample):
    payment = payments.payment_kind(sample["payload"] | {"payment_option_slug": "Kapida-Nakit-Odeme"})
    assert payment == Payment("other", "Kapida-Nakit-Odeme", "slug")
    flat = payments.payment_kind(sample["payload"] | {"payment_option": 42})
    assert flat == Payment("other", "42", "payment_option")


def test_a_raw_value_is_kept_to_its_limit_and_odd_payloads_read_as_no_payment_data():
    assert len(payments.payment_kind({"payment_option_slug": "x" * 500}).raw) == payments.MAX_RAW
    assert payments.payment_kind(None).kind == "marketplace"
    assert payments.payment_kind({"transaction_set": "not a list"}).kind == "marketplace"
