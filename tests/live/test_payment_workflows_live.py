"""Invoices and payments at volume, live: OCA's automatic workflow on a real multi-worker Odoo.

200 orders of four payment kinds come in by webhook, their deliveries are
validated, OCA's workflow job runs (as its cron does: ``automatic.workflow.job``
``run``), and queue_job's runner tells the contract double of Omnitron's API
the invoices' numbers. What an accountant checks: every invoice posted with
its VAT on the chart's 391… accounts; the prepaid (card) and marketplace
invoices paid and reconciled into their rules' journals; pay-on-delivery
invoices left open for the carrier's remittance; each invoice number sent
to Omnitron once.
"""

import collections
import concurrent.futures
import time

import pytest

from .conftest import record
from .test_order_life import order_body
from .test_outbound_live import double, prepare_deliveries, validate, wait_until

USERNAME, PASSWORD = "odoo-erp-money", "money-Omnitron-pw"
SECTION = "Invoices and payments (OCA sale_automatic_workflow)"
PER_KIND = 50
KINDS = {
    "card": {"payment_option": {"pk": 1, "name": "Kredi Kartı", "payment_type": "credit_card", "slug": "kk"}},
    "pay_on_delivery": {"payondeliverytransaction_set": [{"pk": 1, "amount": "725.26"}]},
    "wallet": {"bextransaction_set": [{"pk": 1, "amount": "725.26"}]},
    "marketplace": {},
}
POSTERS = 4


@pytest.fixture(scope="module")
def api(live_jobs):
    server = double.OmnitronApiDouble(username=USERNAME, password=PASSWORD).start()
    live_jobs.connect_account(server.url, USERNAME, PASSWORD, cancellation_reason_id=7)
    yield server
    server.stop()


def ref(live, xmlid):
    module, name = xmlid.split(".")
    return live.rpc("ir.model.data", "check_object_reference", module, name)[1]


def journal(live, name, code):
    company_id = live.rpc("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    return live.rpc("account.journal", "create", {"name": name, "code": code, "type": "bank", "company_id": company_id})


def test_two_hundred_orders_of_four_payment_kinds_are_invoiced_posted_paid_as_their_rules_say(live_jobs, api):
    live = live_jobs
    card_journal, market_journal, wallet_journal = (
        journal(live, "Iyzico", "IYZL"),
        journal(live, "n11 hakediş", "N11L"),
        journal(live, "BKM Express", "BEXL"),
    )
    prepaid = ref(live, "omnitron_order_webhook.workflow_prepaid")
    rules = [
        {"payment_kind": "card", "workflow_process_id": prepaid, "journal_id": card_journal},
        {
            "payment_kind": "pay_on_delivery",
            "workflow_process_id": ref(live, "omnitron_order_webhook.workflow_pay_on_delivery"),
        },
        {"payment_kind": "wallet", "workflow_process_id": prepaid, "journal_id": wallet_journal},
        {
            "payment_kind": "marketplace",
            "workflow_process_id": ref(live, "omnitron_order_webhook.workflow_marketplace"),
            "journal_id": market_journal,
        },
    ]
    live.rpc("omnitron.payment.rule", "create", [{"account_id": live.account_id, **rule} for rule in rules])

    bodies = []
    for kind_index, (kind, payment) in enumerate(KINDS.items()):
        for index in range(PER_KIND):
            pk = 300_000 + kind_index * 1000 + index
            body = order_body(f"PAY-{kind}-{index:03d}", pk, pk + 500)
            body["payload"]["orderitem_set"][0]["pk"] = pk * 10
            body["payload"].update(payment)
            bodies.append((kind, body))
    answers = [live.post(bodies[0][1])]  # the first alone: it creates the product
    with concurrent.futures.ThreadPoolExecutor(POSTERS) as pool:
        answers += list(pool.map(lambda pair: live.post(pair[1]), bodies[1:]))
    assert [answer.status for answer in answers] == [204] * len(bodies)
    numbers = {body["payload"]["number"]: kind for kind, body in bodies}
    rows = live.query(
        "SELECT so.omnitron_number, so.id, so.omnitron_payment_kind, sol.omnitron_item_pk FROM sale_order so "
        "JOIN sale_order_line sol ON sol.order_id = so.id AND sol.omnitron_item_pk IS NOT NULL "
        "WHERE so.omnitron_number = ANY(%s)",
        (list(numbers),),
    )
    assert sorted((numbers[number], kind) for number, _id, kind, _item in rows) == sorted(
        (kind, kind) for kind in numbers.values()
    ), "each order knows how it was paid"
    orders = {item_pk: {"number": number, "order_id": order_id} for number, order_id, _kind, item_pk in rows}
    prepare_deliveries(live, orders)
    for order in orders.values():
        assert validate(live, order["picking_id"]) is True

    expected = {
        ("card", "posted", "paid", "IYZL"): PER_KIND,
        ("wallet", "posted", "paid", "BEXL"): PER_KIND,
        ("marketplace", "posted", "paid", "N11L"): PER_KIND,
        ("pay_on_delivery", "posted", "not_paid", None): PER_KIND,
    }

    def invoices_of_orders():
        return live.query(
            "SELECT so.omnitron_number, am.name, am.state, am.payment_state, aj.code "
            "FROM sale_order so JOIN sale_order_line sol ON sol.order_id = so.id "
            "JOIN sale_order_line_invoice_rel rel ON rel.order_line_id = sol.id "
            "JOIN account_move_line aml ON aml.id = rel.invoice_line_id JOIN account_move am ON am.id = aml.move_id "
            "LEFT JOIN account_move__account_payment mp ON mp.invoice_id = am.id "
            "LEFT JOIN account_payment ap ON ap.id = mp.payment_id "
            "LEFT JOIN account_journal aj ON aj.id = ap.journal_id "
            "WHERE so.omnitron_number = ANY(%s) AND sol.omnitron_item_pk IS NOT NULL",
            (list(numbers),),
        )

    # As OCA's cron runs it, once a minute: an order another transaction was writing at that moment (a job
    # telling Omnitron of its delivery) is skipped by that run and taken by the next, never flagged.
    started = time.perf_counter()
    runs = 0
    while runs < 4:
        live.rpc("automatic.workflow.job", "run")
        runs += 1
        invoices = invoices_of_orders()
        by_kind = collections.Counter(
            (numbers[number], state, payment_state, code) for number, _name, state, payment_state, code in invoices
        )
        if by_kind == expected:
            break
        time.sleep(5)
    workflow_seconds = time.perf_counter() - started
    assert by_kind == expected, by_kind
    tax_lines = live.rpc(
        "account.move.line",
        "search_read",
        [("move_id.name", "in", [name for _number, name, *_rest in invoices]), ("tax_line_id", "!=", False)],
        ["account_id"],
    )
    vat_accounts = sorted({line["account_id"][1].split()[0] for line in tax_lines})
    assert vat_accounts and all(code.startswith("391") for code in vat_accounts), vat_accounts
    flagged = live.query(
        "SELECT count(*) FROM sale_order WHERE omnitron_number = ANY(%s) "
        "AND (omnitron_workflow_failed OR omnitron_payment_unmatched)",
        (list(numbers),),
    )[0][0]
    assert flagged == 0

    names = {name for _number, name, *_rest in invoices}

    def told():
        sent = [
            item.get("invoice_number")
            for call in api.calls_to("/api/i1/order_items/bulk_status_update/", "PATCH", ok_only=True)
            for item in call.body["orderitem_set"]
            if item.get("invoice_number")
        ]
        return sent if set(sent) >= names else None

    sent = wait_until(told, 300)
    assert sent is not None, f"{len(names)} invoices, Omnitron told of {len(told() or [])}"
    counts = collections.Counter(sent)
    assert all(counts[name] == 1 for name in names), [name for name in names if counts[name] != 1][:5]
    record(
        SECTION,
        f"{len(bodies)} orders ({PER_KIND} each card, pay on delivery, wallet (BEX), marketplace) imported by "
        "webhook, delivered, OCA's workflow run as its cron runs it (bin/run's 4 workers, queue_job's runner telling "
        "the double)",
        f"{len(names)} invoices posted with VAT on {', '.join(vat_accounts)}; card, wallet "
        f"and marketplace paid into their rules' journals, pay on delivery open, in {runs} run(s) of the workflow "
        f"({workflow_seconds:.0f} s, {workflow_seconds / len(bodies) * 1000:.0f} ms per order); each invoice number "
        "sent to Omnitron once",
    )
