"""Which sale tax an Omnitron tax rate is booked with: the rule, without Odoo.

Omnitron sends each item's (and the shipping's) VAT rate and a tax-included
price. The addon never invents accounting: a rate R is taxed with, in order,

1. the sale tax an admin marked for Omnitron rate R (``omnitron_rate``);
2. else the company's sale tax of R %, percent, price-included;
3. else a price-included *twin* of its price-excluded sale tax of R % (a copy
   with the same accounts, tags and tax group: what the chart of accounts
   ships, e.g. l10n_tr's "20%"), created once per company;
4. else nothing: the order is not imported (202 ``tax_not_configured``).

Candidates are the active percent sale taxes of the order's company and its
parents (``company_rank`` 0 is the order's company, 1 its parent...); the
nearest company wins, then Odoo's tax sequence, then the oldest.
"""

import dataclasses
from decimal import Decimal

# Rates are compared at account.tax.amount's precision (4 decimals).
_PLACES = Decimal("0.0001")


@dataclasses.dataclass(frozen=True)
class SaleTax:
    """What the rule needs to know of one account.tax."""

    id: int
    name: str
    amount: Decimal
    price_include: bool
    omnitron_rate: Decimal | None  # None: not marked
    active: bool
    company_rank: int
    sequence: int


@dataclasses.dataclass(frozen=True)
class TaxChoice:
    use: dict  # rate -> id of the tax to use as it is (steps 1 and 2)
    twin_of: dict  # rate -> id of the price-excluded tax to twin (step 3)
    missing: tuple  # rates without any sale tax (step 4), sorted
    archived_marks: dict  # rate -> name of a tax marked for it but archived

    @property
    def complete(self):
        return not self.missing and not self.archived_marks


def _key(rate):
    return Decimal(rate).quantize(_PLACES)


def choose_taxes(rates, taxes):
    """Decide, for every non-zero ``rate`` (Decimal), which tax books it.

    >>> t = SaleTax(7, "20%", Decimal(20), False, None, True, 0, 1)
    >>> choose_taxes([Decimal("20.00"), Decimal(8)], [t])
    TaxChoice(use={}, twin_of={Decimal('20.00'): 7}, missing=(Decimal('8'),), archived_marks={})
    """
    ranked = sorted(taxes, key=lambda tax: (tax.company_rank, tax.sequence, tax.id))
    use, twin_of, missing, archived_marks = {}, {}, [], {}
    for rate in sorted(set(rates)):
        wanted = _key(rate)
        marked = [tax for tax in ranked if tax.omnitron_rate is not None and _key(tax.omnitron_rate) == wanted]
        active_marked = [tax for tax in marked if tax.active]
        if active_marked:
            use[rate] = active_marked[0].id
            continue
        if marked:
            # A marked tax the admin archived is a decision to take, not to work around.
            archived_marks[rate] = marked[0].name
            continue
        same_rate = [tax for tax in ranked if tax.active and _key(tax.amount) == wanted]
        included = [tax for tax in same_rate if tax.price_include]
        excluded = [tax for tax in same_rate if not tax.price_include]
        if included:
            use[rate] = included[0].id
        elif excluded:
            twin_of[rate] = excluded[0].id
        else:
            missing.append(rate)
    return TaxChoice(use=use, twin_of=twin_of, missing=tuple(missing), archived_marks=archived_marks)


def format_rate(rate):
    """``Decimal('8.00')`` -> ``'8'``; ``Decimal('0.5')`` -> ``'0.5'``."""
    return format(Decimal(rate).normalize(), "f")


def not_configured_detail(company_name, choice, shown=10):
    """The 202 detail of an order whose rates have no usable tax: what to fix, and where."""
    parts = []
    if choice.missing:
        rates = ", ".join(f"{format_rate(rate)}%" for rate in choice.missing[:shown])
        if len(choice.missing) > shown:
            rates += f" and {len(choice.missing) - shown} more"
        parts.append(
            f"{company_name} has no sale tax of {rates}. In Accounting > Configuration > Taxes, create "
            "(or activate) a price-included percent sale tax of that rate with its accounts and set its "
            "Omnitron Rate to the same value"
        )
    for rate, name in sorted(choice.archived_marks.items()):
        parts.append(
            f"the tax {name!r} marked for Omnitron rate {format_rate(rate)}% is archived: "
            "restore it or clear its Omnitron Rate"
        )
    return "; ".join(parts) + "; then reprocess this event."
