"""The rule that picks the sale tax of an Omnitron rate (core/taxes.py), without Odoo."""

from decimal import Decimal

from omnitron_order_webhook.core.taxes import SaleTax, choose_taxes, not_configured_detail


def tax(id, amount, *, included=False, marked=None, active=True, rank=0, sequence=1, name=None):
    return SaleTax(
        id=id,
        name=name or f"{amount}%",
        amount=Decimal(str(amount)),
        price_include=included,
        omnitron_rate=Decimal(str(marked)) if marked is not None else None,
        active=active,
        company_rank=rank,
        sequence=sequence,
    )


# l10n_tr's sale taxes: 20, 10 and 1 %, price-excluded.
TURKISH_CHART = [tax(31, 20), tax(32, 10), tax(33, 1)]


def test_a_marked_tax_wins_over_every_other_tax_of_its_rate():
    choice = choose_taxes(
        [Decimal("8")], [*TURKISH_CHART, tax(40, 8, included=True), tax(41, 8, included=True, marked=8)]
    )
    assert choice.use == {Decimal("8"): 41} and choice.complete


def test_a_price_included_tax_of_the_rate_is_used_as_it_is():
    choice = choose_taxes([Decimal("20.00")], [*TURKISH_CHART, tax(50, 20, included=True)])
    assert choice.use == {Decimal("20.00"): 50} and choice.twin_of == {}


def test_a_price_excluded_chart_tax_is_twinned_not_used():
    choice = choose_taxes([Decimal("20"), Decimal("10")], TURKISH_CHART)
    assert choice.twin_of == {Decimal("10"): 32, Decimal("20"): 31} and choice.use == {}


def test_a_rate_the_chart_lacks_is_missing_and_nothing_else_is_decided_for_it():
    choice = choose_taxes([Decimal("8"), Decimal("20")], TURKISH_CHART)
    assert choice.missing == (Decimal("8"),) and not choice.complete
    assert choice.twin_of == {Decimal("20"): 31}


def test_rates_are_compared_at_four_decimals():
    choice = choose_taxes([Decimal("20.00001")], TURKISH_CHART)
    assert choice.twin_of == {Decimal("20.00001"): 31}
    assert choose_taxes([Decimal("20.001")], TURKISH_CHART).missing == (Decimal("20.001"),)


def test_the_nearest_company_wins_then_the_sequence():
    parent, own = tax(60, 20, included=True, rank=1, sequence=0), tax(61, 20, included=True, rank=0, sequence=9)
    assert choose_taxes([Decimal(20)], [parent, own]).use == {Decimal(20): 61}
    first, second = tax(62, 20, included=True, sequence=5), tax(63, 20, included=True, sequence=2)
    assert choose_taxes([Decimal(20)], [first, second]).use == {Decimal(20): 63}


def test_archived_taxes_are_not_candidates_but_an_archived_mark_is_reported():
    assert choose_taxes([Decimal(20)], [tax(70, 20, included=True, active=False)]).missing == (Decimal(20),)
    choice = choose_taxes([Decimal(8)], [tax(71, 8, included=True, marked=8, active=False, name="KDV 8")])
    assert choice.archived_marks == {Decimal(8): "KDV 8"} and not choice.complete and choice.use == {}


def test_a_thousand_rates_without_taxes_are_one_refusal_that_names_the_first_ones():
    rates = [Decimal(f"{index}.5") for index in range(1000)]
    choice = choose_taxes(rates, TURKISH_CHART)
    assert len(choice.missing) == 1000 and choice.twin_of == {} and choice.use == {}
    detail = not_configured_detail("Lacoste TR", choice)
    assert detail.startswith("Lacoste TR has no sale tax of 0.5%, 1.5%")
    assert "and 990 more" in detail and "Omnitron Rate" in detail and detail.endswith("reprocess this event.")
    assert len(detail) < 600
