"""What needs a person, by kind: who acts on it, what closes it, which flag of the order it raises.

A matter (``omnitron.matter``) is one thing Omnitron's word or Odoo's own
flows left for a person: a request to answer, a refund to settle, a held
delivery, a return to receive, a draft credit note to check, a payment no
rule covers. Its kind decides three things, kept here so they can be read
and tested without Odoo:

- the **role** that acts on it: the warehouse (goods), the accountant
  (money), the salesperson (the customer's order) or an Omnitron
  administrator (the connection and its rules). Each role's person is
  configurable per company; the order's flows never name a user.
- whether a person may **close** it (*Mark as Handled*): a held delivery is
  Omnitron's to lift, never staff's; the others are.
- whether it **settles by its documents**: a refund or a credit note to
  check closes when its credit notes are posted and its return receipts
  done, with nobody pressing anything.

The order's flags (``omnitron_changed``, ``omnitron_hold`` …) are read from
its open matters, so a flag, its sentence and its activity open and close
together.
"""

from dataclasses import dataclass

WAREHOUSE = "warehouse"
ACCOUNTANT = "accountant"
SALESPERSON = "salesperson"
ADMINISTRATOR = "administrator"
ROLES = (WAREHOUSE, ACCOUNTANT, SALESPERSON, ADMINISTRATOR)

# Why a matter closed.
CLOSED_BY_OMNITRON = "omnitron"  # Omnitron decided: cancelled, refunded or moved the order on
CLOSED_BY_DOCUMENTS = "documents"  # its receipts were done, its credit notes posted
CLOSED_BY_FIX = "fixed"  # the rule or workflow it lacked was set, the step succeeded
CLOSED_BY_PERSON = "handled"  # a person marked it handled
CLOSED_BY_ORDER = "order"  # the order it was about went away (cancelled before anything was done)
CLOSE_REASONS = (CLOSED_BY_OMNITRON, CLOSED_BY_DOCUMENTS, CLOSED_BY_FIX, CLOSED_BY_PERSON, CLOSED_BY_ORDER)


@dataclass(frozen=True)
class Kind:
    key: str
    role: str
    flag: str | None  # the sale.order field it raises (None: no flag, the matter list shows it)
    handleable: bool = True  # a person may close it
    settles_by_documents: bool = False  # it closes when its receipts are done and its credit notes posted
    on_delivery: bool = False  # its activity is on the order's pending delivery, not on the order
    own_banner: bool = False  # shown by a banner of its own (the hold's, the sync's), not the order's matters


KINDS = {
    kind.key: kind
    for kind in (
        # A cancellation or refund Omnitron asks for: the salesperson answers the customer.
        Kind("plan_request", SALESPERSON, "omnitron_plan_request"),
        # The same request stops the warehouse: only Omnitron lifts it (cancels, refunds, moves on).
        Kind("held", WAREHOUSE, "omnitron_hold", handleable=False, on_delivery=True, own_banner=True),
        Kind("changed", SALESPERSON, "omnitron_changed"),
        Kind("cancelled_late", ACCOUNTANT, "omnitron_cancelled_late"),
        Kind("refunded", ACCOUNTANT, "omnitron_refunded", settles_by_documents=True),
        Kind("return_to_receive", WAREHOUSE, None, settles_by_documents=True),
        Kind("credit_note", ACCOUNTANT, None, settles_by_documents=True),
        Kind("payment_unmatched", ADMINISTRATOR, "omnitron_payment_unmatched"),
        Kind("workflow_failed", ACCOUNTANT, "omnitron_workflow_failed"),
        Kind("return_unsent", SALESPERSON, "omnitron_return_unsent"),
        Kind("over_return", WAREHOUSE, "omnitron_over_return"),
        # A job Omnitron did not take, for good: closes when a job of the order is done after it.
        Kind("sync_failed", ADMINISTRATOR, None, own_banner=True),
    )
}
FLAG_KINDS = {kind.flag: kind.key for kind in KINDS.values() if kind.flag}


def kind_of_flag(flag):
    """The kind a flag of the order stands for (``omnitron_changed`` → ``changed``)."""
    try:
        return FLAG_KINDS[flag]
    except KeyError:
        raise ValueError(f"{flag!r} is no flag of an Omnitron order; flags: {', '.join(sorted(FLAG_KINDS))}") from None


def flag_values(open_matters):
    """The order's flags from its open matters, as ``(kind, value)`` pairs.

    A flag with a value (the request's and the hold's: cancel or refund)
    takes the newest open matter's; a flag without one is True while any
    matter of its kind is open, False once none is.
    """
    values = dict.fromkeys(FLAG_KINDS, False)
    for kind, value in open_matters:
        flag = KINDS[kind].flag
        if flag and values[flag] is False:
            values[flag] = value or True
    return values


def settled(documents):
    """Whether a matter's documents settle it: each ``(model, state)`` is a done receipt or a posted note.

    A cancelled document settles too (there is nothing left to do with it);
    no documents settle nothing: such a matter waits for a person.
    """
    final = {"stock.picking": ("done", "cancel"), "account.move": ("posted", "cancel")}
    return bool(documents) and all(state in final.get(model, ()) for model, state in documents)
