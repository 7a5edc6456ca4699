"""Benchmark: the webhook against the Odoo floor and against a JSON-RPC peer.

    python3 bench/bench.py [--quick]      (also: make bench)

Starts its own PostgreSQL cluster and a fresh database with the addon, serves
it with ``odoo --workers=2`` (tools/live_odoo.py), and creates the same orders
three ways, interleaved so machine noise hits all three alike:

1. webhook — HTTP POST to the route;
2. floor   — in-process ORM, the least work Odoo does (bench/floor_worker.py);
3. peer    — Odoo's external JSON-RPC API, the way an integration without this
             addon does it (look up or create partner and addresses, products,
             taxes, order, delivery line, confirm).

SQL statements per order come from Odoo's own counters: the query count Odoo
logs for every HTTP request (webhook, peer) and the cursor's counter (floor).
Then the throughput of 8 concurrent senders with 1 and with 2 workers, and
the catch-up pull (bin/run's 4 workers and queue_job's runner, against the contract
double of Omnitron's API on this machine): SQL per order it imports against
the webhook's in the same server, and orders imported per second; and the
money steps of a shipped card order by OCA's automatic workflow against the
same steps by hand (bench/workflow_worker.py); and validating a return
receipt of 1 and of 10 lines, which credits what came back, against Odoo's
own return and *Credit Note* by hand (bench/return_worker.py).
And stock to Omnitron (the same server and runner, the contract double over
real HTTP; in-process by bench/stock_worker.py): validating a 100-line
delivery with stock sync on against off (interleaved rounds, medians; time
and SQL), a drain's SQL per changed product (1,000 products changed), a full
push of 50,000 SKUs (time, writes per second, peak RSS of the process doing
it) and the daily comparison of those 50,000 SKUs (time, peak RSS).
Prints one table, writes bench/results.json and bench/RESULTS.md.

    python3 bench/bench.py --only stock [--quick]

runs the stock section alone on its own cluster and merges its figures into
the results.json already in ``--out`` (the other sections' figures stay as
they were measured), then writes RESULTS.md from the whole of it.
"""

import argparse
import concurrent.futures
import contextlib
import copy
import importlib.util
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import zlib

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))

from live_odoo import CAPACITY, LiveOdoo, sample  # noqa: E402

PG_DIR = os.environ.get("OMNITRON_BENCH_PG_DIR", "/tmp/omnitron-bench-pg")
PG_PORT = os.environ.get("OMNITRON_BENCH_PG_PORT", "25434")
DB = "omnitron_bench"
CATALOG = 600  # products the orders draw their skus from
REQUEST_LOG = re.compile(r'"POST (\S+) HTTP/1\.\d" (\d+) - (\d+) ')
# queue_job's runner calls a worker back for each job: its query count is logged like any request's.
RUNJOB_LOG = re.compile(r'"GET /queue_job/runjob\?\S*job_uuid=([0-9a-f-]+)\S* HTTP/1\.\d" (\d+) - (\d+) ')
DOUBLE_PATH = REPO / "omnitron_order_webhook" / "tests" / "omnitron_api_double.py"


def shell(script):
    env = dict(os.environ, PG_DIR=PG_DIR, PG_PORT=PG_PORT)
    subprocess.run(["bash", "-c", f"source {REPO}/tools/pg.sh; {script}"], check=True, env=env)


def prepare_database():
    """A fresh cluster and database with the addon (and the bench catalog)."""
    conf = f"{PG_DIR}/odoo.conf"
    # One shell: pg_start may move to another port when PG_PORT is taken, and
    # the configuration must say the port the cluster listens on.
    shell(f'pg_stop; rm -rf "$PG_DIR"; pg_start; write_odoo_conf {conf} {REPO} "db_name = {DB}" "log_level = info"')
    print("Creating the Turkish merchant's database with the addon (about two minutes)...", flush=True)
    shell(f"create_merchant_db {conf} {DB} {PG_DIR}/install.log omnitron_order_webhook --without-demo=all")
    # The spec's sample is taxed at 8 %, which l10n_tr lacks: a tax is marked
    # for it (webhook, floor and peer then all book it the same way).
    shell(f"mark_sample_rate {conf} {DB}")
    return conf


def make_order(number, lines, customer_pk):
    body = sample()
    payload = body["payload"]
    template = payload["orderitem_set"][0]
    payload["number"] = number
    payload["pk"] = 1_000_000 + zlib.crc32(number.encode()) % 1_000_000
    payload["customer"]["pk"] = customer_pk
    payload["billing_address"]["line"] = f"Bench street {customer_pk}"
    payload["shipping_address"]["line"] = f"Bench street {customer_pk}"
    # An approved order still to ship (the sample is already shipped): every
    # way creates the same delivery when it confirms.
    payload["status"] = "400"
    payload["orderitem_set"] = []
    for index in range(lines):
        item = copy.deepcopy(template)
        item["status"] = "400"
        item["pk"] = index + 1
        item["product"]["sku"] = f"BENCH-SKU-{(zlib.crc32(number.encode()) + index) % CATALOG}"
        item["product"]["name"] = f"Bench product {item['product']['sku']}"
        payload["orderitem_set"].append(item)
    total = 718.92 * lines + 6.34
    payload["amount"] = f"{total:.2f}"
    return body


class Peer:
    """An integration without the addon: Odoo's external JSON-RPC API, call by call."""

    def __init__(self, odoo):
        self.odoo, self.url, self.calls = odoo, f"{odoo.url}/jsonrpc", 0
        self.ids = {}

    def call(self, model, method, *args, **kwargs):
        self.calls += 1
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": self.calls,
            "params": {
                "service": "object",
                "method": "execute_kw",
                "args": [self.odoo.db, 2, "admin", model, method, list(args), kwargs],
            },
        }
        request = urllib.request.Request(self.url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            raise RuntimeError(answer["error"]["data"]["message"])
        return answer["result"]

    def create_order(self, body):
        payload = body["payload"]
        customer = payload["customer"]
        ref = f"peer-{customer['pk']}"
        partner = self.call("res.partner", "search", [("ref", "=", ref)], limit=1)
        partner = (
            partner[0]
            if partner
            else self.call(
                "res.partner", "create", {"name": f"{customer['first_name']} {customer['last_name']}", "ref": ref}
            )
        )
        addresses = {}
        for key, kind in (("billing_address", "invoice"), ("shipping_address", "delivery")):
            found = self.call("res.partner", "search", [("parent_id", "=", partner), ("type", "=", kind)], limit=1)
            address = payload[key]
            addresses[kind] = (
                found[0]
                if found
                else self.call(
                    "res.partner",
                    "create",
                    {
                        "parent_id": partner,
                        "type": kind,
                        "name": "Bench",
                        "street": address["line"],
                        "city": address["city"]["name"],
                        "zip": address["postcode"],
                    },
                )
            )
        skus = sorted({item["product"]["sku"] for item in payload["orderitem_set"]})
        products = {
            row["default_code"]: row["id"]
            for row in self.call(
                "product.product", "search_read", [("default_code", "in", skus)], fields=["default_code"]
            )
        }
        tax = self.call(
            "account.tax",
            "search",
            [("type_tax_use", "=", "sale"), ("amount", "=", 8.0), ("price_include", "=", True)],
            limit=1,
        )
        carrier = self.call(
            "delivery.carrier",
            "search_read",
            [("omnitron_erp_code", "=", "yurtici_kargo")],
            fields=["product_id"],
            limit=1,
        )[0]
        pricelist = self.call("product.pricelist", "search", [("currency_id.name", "=", "TRY")], limit=1)
        lines = [
            (
                0,
                0,
                {
                    "product_id": products[item["product"]["sku"]],
                    "product_uom_qty": 1,
                    "price_unit": float(item["price"]),
                    "tax_id": [(6, 0, tax)],
                },
            )
            for item in payload["orderitem_set"]
        ]
        order = self.call(
            "sale.order",
            "create",
            {
                "partner_id": partner,
                "partner_invoice_id": addresses["invoice"],
                "partner_shipping_id": addresses["delivery"],
                "pricelist_id": pricelist[0] if pricelist else False,  # none in TRY: as the import, no pricelist
                "carrier_id": carrier["id"],
                "client_order_ref": payload["number"],
                "order_line": lines,
            },
        )
        self.call(
            "sale.order.line",
            "create",
            {
                "order_id": order,
                "product_id": carrier["product_id"][0],
                "product_uom_qty": 1,
                "is_delivery": True,
                "price_unit": float(payload["shipping_amount"]),
                "tax_id": [(6, 0, [])],
            },
        )
        self.call("sale.order", "action_confirm", [order])
        return order


def log_queries(odoo, offset, path_prefix):
    """Sum of the SQL statements Odoo logged for requests since ``offset``."""
    text = odoo.server_log()[offset:]
    return sum(int(match.group(3)) for match in REQUEST_LOG.finditer(text) if match.group(1).startswith(path_prefix))


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_worker(script, conf, db, stderr=subprocess.DEVNULL):
    """An in-process worker of bench/ (``script``) on database ``db``, once it says it is ready.

    Each reads one JSON request per line on stdin and answers one JSON line.
    """
    worker = subprocess.Popen(
        [sys.executable, str(REPO / "bench" / script), conf, db],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    assert json.loads(worker.stdout.readline())["ready"], script
    return worker


def measure_sizes(odoo, conf, sizes, counts):
    floor = start_worker("floor_worker.py", conf, odoo.db)
    peer = Peer(odoo)
    results = {}
    try:
        for size in sizes:
            samples = {"webhook": [], "floor": [], "peer": []}
            queries = {"webhook": [], "floor": [], "peer": []}
            for index in range(counts[size] + 1):  # the first round warms caches and is dropped
                customer = 700_000 + size * 1000 + (index % max(1, counts[size] * 2 // 3))  # a third repeat
                order = make_order(f"B{size}-{index}", size, customer)
                for way in ("webhook", "floor", "peer")[index % 3 :] + ("webhook", "floor", "peer")[: index % 3]:
                    body = copy.deepcopy(order)
                    body["payload"]["number"] += f"-{way}"
                    body["payload"]["customer"]["pk"] += {"webhook": 0, "floor": 10_000, "peer": 20_000}[way]
                    offset = len(odoo.server_log())
                    started = time.perf_counter()
                    if way == "webhook":
                        answer = odoo.post(body)
                        assert answer.status == 204, answer
                        elapsed = (time.perf_counter() - started) * 1000
                        time.sleep(0.05)  # let the access log line land
                        count = log_queries(odoo, offset, "/api/v1/oms/orders_omnitron")
                    elif way == "floor":
                        floor.stdin.write(json.dumps(body) + "\n")
                        floor.stdin.flush()
                        reply = json.loads(floor.stdout.readline())
                        elapsed, count = reply["ms"], reply["queries"]
                    else:
                        peer.create_order(body)
                        elapsed = (time.perf_counter() - started) * 1000
                        time.sleep(0.05)
                        count = log_queries(odoo, offset, "/jsonrpc")
                    if index:
                        samples[way].append(elapsed)
                        queries[way].append(count)
            results[size] = {
                way: {
                    "p50_ms": statistics.median(values),
                    "p95_ms": percentile(values, 0.95),
                    "queries": statistics.median(queries[way]),
                    "orders": len(values),
                }
                for way, values in samples.items()
            }
            row = results[size]
            print(
                f"  {size:>3} lines: webhook p50 {row['webhook']['p50_ms']:.0f} ms, "
                f"floor {row['floor']['p50_ms']:.0f} ms, peer {row['peer']['p50_ms']:.0f} ms",
                flush=True,
            )
    finally:
        floor.stdin.close()
        floor.wait(timeout=60)
    return results


def outbound_cost(odoo, count):
    """SQL per webhook order with sending to Omnitron off, then on; jobs per validated delivery.

    Only what the webhook and the validation store is measured (the jobs are
    not run: this server has no job runner), which is the cost the issue's
    target is about: at most 2 more statements per order, one bulk update
    (one job) per validated delivery whatever its number of lines.
    """
    per_order = {}
    for phase, (label, enabled) in enumerate((("off", False), ("on", True))):
        # The sender's account (tools/live_odoo.py), pointing at a port nothing listens on.
        odoo.rpc(
            "omnitron.account",
            "write",
            [odoo.account_id],
            {
                "api_url": "http://127.0.0.1:9",
                "api_username": "bench",
                "api_password": "bench-password",
                "outbound_enabled": enabled,
                "cancellation_reason_id": 7,
            },
        )
        counts = []
        for index in range(count + 1):  # the first warms the caches and is dropped
            # A new customer each time, in both phases alike.
            body = make_order(f"OUT-{label}-{index}", 1, 900_000 + phase * 10_000 + index)
            offset = len(odoo.server_log())
            assert odoo.post(body).status == 204
            time.sleep(0.05)
            if index:
                counts.append(log_queries(odoo, offset, "/api/v1/oms/orders_omnitron"))
        per_order[label] = statistics.mean(counts)
    jobs_per_delivery = {}
    for lines in (1, 10, 100):
        number = f"OUT-SHIP-{lines}"
        assert odoo.post(make_order(number, lines, 950_000 + lines)).status == 204
        order_id = odoo.query("SELECT id FROM sale_order WHERE omnitron_number = %s", (number,))[0][0]
        picking_ids = [row[0] for row in odoo.query("SELECT id FROM stock_picking WHERE sale_id = %s", (order_id,))]
        for move in odoo.rpc(
            "stock.move", "search_read", [["picking_id", "in", picking_ids]], fields=["product_uom_qty"]
        ):
            odoo.rpc("stock.move", "write", [move["id"]], {"quantity": move["product_uom_qty"], "picked": True})
        # skip_sms: stock_sms would otherwise ask (by a wizard) whether to text the customer.
        odoo.rpc("stock.picking", "button_validate", picking_ids, context={"skip_sms": True})
        state = odoo.query("SELECT state FROM stock_picking WHERE id = %s", (picking_ids[0],))[0][0]
        assert state == "done", f"the delivery of {number} was not validated: {state}"
        jobs_per_delivery[lines] = odoo.query(
            "SELECT count(*) FROM queue_job WHERE omnitron_order_id = %s AND method_name = '_omnitron_send' "
            "AND args::text LIKE %s",  # args is JSON inside jsonb: quotes come escaped
            (order_id, "%items%"),
        )[0][0]
    odoo.rpc("omnitron.account", "write", [odoo.account_id], {"outbound_enabled": False})
    return {"sql_per_order": per_order, "jobs_per_delivery": jobs_per_delivery}


def throughput(conf, template_db, workers, total, senders=8):
    with LiveOdoo(conf, template_db, workers=workers, db=f"{DB}_tp{workers}") as odoo:
        odoo.set_param("omnitron_order_webhook.rate_limit_per_token", "1000000")
        orders = [make_order(f"TP{workers}-{index}", 1, 800_000 + index % 50) for index in range(total)]
        odoo.post(make_order(f"TP{workers}-warm", 1, 899_999))
        started = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(senders) as pool:
            statuses = list(pool.map(lambda body: odoo.post(body).status, orders))
        elapsed = time.perf_counter() - started
        created = odoo.query("SELECT count(*) FROM sale_order WHERE omnitron_number LIKE %s", (f"TP{workers}-%",))[0][0]
        duplicates = odoo.query(
            "SELECT count(*) FROM (SELECT omnitron_number FROM sale_order GROUP BY omnitron_channel_pk, "
            "omnitron_number HAVING count(*) > 1) d"
        )[0][0]
    errors = sum(status != 204 for status in statuses)
    return {
        "workers": workers,
        "orders": total,
        "seconds": elapsed,
        "orders_per_second": total / elapsed,
        "errors": errors,
        "created": created - 1,
        "duplicate_orders": duplicates,
    }


def workflow_cost(odoo, conf, count):
    """OCA's automatic workflow against the same steps by hand, per shipped card order (SQL, ms).

    ``2 * count`` card orders come in by webhook with a payment rule (the
    prepaid workflow, a bank journal) and are shipped; then, pair by pair,
    one is invoiced, posted and paid by OCA's job methods and the other by
    hand, in-process (bench/workflow_worker.py), interleaved.
    """
    company_id = odoo.rpc("res.users", "read", [2], ["company_id"])[0]["company_id"][0]
    journal_id = odoo.rpc(
        "account.journal", "create", {"name": "Bench gateway", "code": "BGW", "type": "bank", "company_id": company_id}
    )
    prepaid = odoo.rpc("ir.model.data", "check_object_reference", "omnitron_order_webhook", "workflow_prepaid")[1]
    odoo.rpc(
        "omnitron.payment.rule",
        "create",
        {
            "account_id": odoo.account_id,
            "payment_kind": "card",
            "workflow_process_id": prepaid,
            "journal_id": journal_id,
        },
    )
    order_ids = []
    for index in range(2 * count + 2):  # the first pair warms the caches and is dropped
        body = make_order(f"WF-{index}", 1, 700_000 + index)
        body["payload"]["payment_option"] = {"pk": 1, "name": "Kart", "payment_type": "credit_card", "slug": "kk"}
        assert odoo.post(body).status == 204
        [[order_id]] = odoo.query("SELECT id FROM sale_order WHERE omnitron_number = %s", (f"WF-{index}",))
        picking_ids = [row[0] for row in odoo.query("SELECT id FROM stock_picking WHERE sale_id = %s", (order_id,))]
        for move in odoo.rpc("stock.move", "search_read", [["picking_id", "in", picking_ids]], ["product_uom_qty"]):
            odoo.rpc("stock.move", "write", [move["id"]], {"quantity": move["product_uom_qty"], "picked": True})
        odoo.rpc("stock.picking", "button_validate", picking_ids, context={"skip_sms": True})
        order_ids.append(order_id)
    worker = start_worker("workflow_worker.py", conf, odoo.db)
    samples = {"workflow": [], "by_hand": []}
    try:
        for pair, (first, second) in enumerate(zip(order_ids[::2], order_ids[1::2], strict=True)):
            # Which order goes which way alternates, so neither way always meets the warmer cache.
            ways = {"workflow": first, "by_hand": second} if pair % 2 else {"workflow": second, "by_hand": first}
            worker.stdin.write(json.dumps(ways) + "\n")
            worker.stdin.flush()
            answer = json.loads(worker.stdout.readline())
            assert answer["workflow"]["paid"] in ("paid", "in_payment") and answer["by_hand"]["paid"] in (
                "paid",
                "in_payment",
            ), answer
            if pair:
                for way in samples:
                    samples[way].append(answer[way])
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    return {
        way: {
            "p50_ms": statistics.median(sample["ms"] for sample in rows),
            "queries": statistics.mean(sample["queries"] for sample in rows),
        }
        for way, rows in samples.items()
    }


def return_cost(odoo, conf, sizes, count):
    """Validating a return receipt of 1 and of 10 lines: the addon's against Odoo's own return by hand.

    Per size, ``count`` pairs (plus one to warm the caches, dropped) of
    shipped and invoiced orders. One is an Omnitron order that Omnitron then
    refunds whole (its return receipt made by the addon); the other a plain
    Odoo order (the same lines) returned with Odoo's *Return* wizard. In
    process and interleaved (bench/return_worker.py): the addon's validation,
    which credits what came back, against validating and then Odoo's
    *Credit Note* on the invoice.
    """
    results = {}
    worker = start_worker("return_worker.py", conf, odoo.db)
    try:
        for size in sizes:
            samples = {"omnitron": [], "by_hand": []}
            for index in range(count + 1):
                number = f"RET-{size}-{index}"
                body = make_order(number, size, 800_000 + size * 100 + index)
                assert odoo.post(body).status == 204
                [[order_id]] = odoo.query("SELECT id FROM sale_order WHERE omnitron_number = %s", (number,))
                worker.stdin.write(json.dumps({"prepare": order_id}) + "\n")
                worker.stdin.flush()
                plain_id = json.loads(worker.stdout.readline())["plain"]
                # Omnitron refunds the whole order: the addon makes its return receipt.
                body["payload"]["status"] = "600"
                for item in body["payload"]["orderitem_set"]:
                    item["status"] = "600"
                body["payload"]["refund_amount"] = body["payload"]["amount"]
                assert odoo.post(body).status == 202
                worker.stdin.write(json.dumps({"omnitron": order_id, "by_hand": plain_id}) + "\n")
                worker.stdin.flush()
                answer = json.loads(worker.stdout.readline())
                assert answer["omnitron"]["state"] == answer["by_hand"]["state"] == "done", answer
                assert answer["omnitron"]["credited"] > 0 and answer["by_hand"]["credited"] > 0, answer
                if index:
                    for way in samples:
                        samples[way].append(answer[way])
            results[size] = {
                way: {
                    "p50_ms": statistics.median(sample["ms"] for sample in rows),
                    "queries": statistics.mean(sample["queries"] for sample in rows),
                    "credited": statistics.mean(sample["credited"] for sample in rows),
                }
                for way, rows in samples.items()
            }
    finally:
        worker.stdin.close()
        worker.wait(timeout=60)
    return results


def load_double():
    """The contract double of Omnitron's API, by file path (the addon's tests package imports Odoo's)."""
    spec = importlib.util.spec_from_file_location("omnitron_api_double_bench", DOUBLE_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # before running it: dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def pull_cost(conf, template_db, count, references=10, items_apart=False):
    """The catch-up pull of ``count`` 1-line orders against the webhook's cost of the same orders.

    Both with sending to Omnitron on (each imported order stores its is_send
    job). The webhook's SQL is the route's request; the pull's is its whole
    job (listing, fetching, receiving each order in its own transaction),
    divided by the orders it imported — the double's HTTP answers are not SQL.
    ``items_apart``: the double answers as Akinon documents it, the detail
    without items (one more call per order, to the items endpoint) and
    ``next`` naming a proxy's host (never called: pages are counted).
    """
    api = (
        load_double()
        .OmnitronApiDouble(
            username="bench-erp",
            password="bench-password",
            items_apart=items_apart,
            next_host="omnitron-behind-a-proxy.internal:8080" if items_apart else None,
        )
        .start()
    )
    suffix = "_apart" if items_apart else ""
    try:
        with LiveOdoo(conf, template_db, workers=CAPACITY.WORKERS, db=f"{DB}_pull{suffix}", queue_job=True) as odoo:
            odoo.set_param("omnitron_order_webhook.rate_limit_per_token", "1000000")
            odoo.connect_account(api.url, "bench-erp", "bench-password", catch_up_enabled=True)
            webhook = []
            for index in range(references + 1):  # the first warms the caches and is dropped
                offset = len(odoo.server_log())
                assert odoo.post(make_order(f"PULLREF-{index}", 1, 600_000 + index)).status == 204
                time.sleep(0.05)
                if index:
                    webhook.append(log_queries(odoo, offset, "/api/v1/oms/orders_omnitron"))
            for index in range(count):
                payload = make_order(f"PULL-{index}", 1, 650_000 + index)["payload"]
                payload["pk"] = 650_000 + index
                for line_index, line in enumerate(payload["orderitem_set"]):
                    line["pk"] = 6_500_000 + index * 10 + line_index
                api.add_order(payload)
            offset = len(odoo.server_log())
            started = time.perf_counter()
            odoo.rpc("omnitron.account", "action_pull_now", [odoo.account_id])
            deadline = time.monotonic() + 900
            imported = 0
            while time.monotonic() < deadline:
                [[imported]] = odoo.query("SELECT count(*) FROM sale_order WHERE omnitron_number LIKE %s", ("PULL-%",))
                if imported >= count:
                    break
                time.sleep(0.2)
            elapsed = time.perf_counter() - started
            job_uuid = None
            while time.monotonic() < deadline:
                rows = odoo.query(
                    "SELECT uuid, state FROM queue_job WHERE method_name = '_omnitron_pull' ORDER BY id DESC LIMIT 1"
                )
                if rows and rows[0][1] == "done":
                    job_uuid = rows[0][0]
                    break
                time.sleep(0.2)
            time.sleep(1)  # the worker logs its request once it answered the runner
            pull_sql = sum(
                int(match.group(3))
                for match in RUNJOB_LOG.finditer(odoo.server_log()[offset:])
                if match.group(1) == job_uuid
            )
            result = odoo.account("catch_up_last_result")["catch_up_last_result"]
            calls = [call for call in api.calls if call.method == "GET"]
            items_job = items_job_cost(odoo, api, deadline)
    finally:
        api.stop()
    return {
        "orders": count,
        "imported": imported,
        "seconds": elapsed,
        "orders_per_second": imported / elapsed if elapsed else 0.0,
        "sql_per_order": {"webhook": statistics.mean(webhook), "pull": pull_sql / imported if imported else None},
        "result": result,
        "items_apart": items_apart,
        "http_calls_per_order": sum(1 for call in calls if "/auth/login/" not in call.path) / imported
        if imported
        else None,
        "items_job": items_job,
    }


def items_job_cost(odoo, api, deadline, count=5):
    """What one bulk-update job costs with the live read before it: SQL and calls to Omnitron, per order.

    ``count`` pulled orders get their delivery validated; each stores one
    items job, which reads the order's detail (and its items when the detail
    has none) before its PATCH. Measured from the runner's log of each job.
    """
    orders = odoo.query(
        "SELECT id FROM sale_order WHERE omnitron_number LIKE %s ORDER BY id LIMIT %s", ("PULL-%", count)
    )
    before = len(api.calls)
    offset = len(odoo.server_log())
    for (order_id,) in orders:
        picking_ids = [
            row[0]
            for row in odoo.query(
                "SELECT id FROM stock_picking WHERE sale_id = %s AND state NOT IN ('done', 'cancel')", (order_id,)
            )
        ]
        for move in odoo.rpc(
            "stock.move", "search_read", [["picking_id", "in", picking_ids]], fields=["product_uom_qty"]
        ):
            odoo.rpc("stock.move", "write", [move["id"]], {"quantity": move["product_uom_qty"], "picked": True})
        odoo.rpc("stock.picking", "button_validate", picking_ids, context={"skip_sms": True})
    ids = [order_id for (order_id,) in orders]
    uuids = []
    while time.monotonic() < deadline:
        rows = odoo.query(
            "SELECT uuid, state FROM queue_job WHERE omnitron_order_id = ANY(%s) AND method_name = '_omnitron_send' "
            "AND args::text LIKE %s",
            (ids, "%items%"),
        )
        if len(rows) >= len(ids) and all(state == "done" for _uuid, state in rows):
            uuids = [uuid for uuid, _state in rows]
            break
        time.sleep(0.2)
    time.sleep(1)  # the worker logs its request once it answered the runner
    sql = [int(match.group(3)) for match in RUNJOB_LOG.finditer(odoo.server_log()[offset:]) if match.group(1) in uuids]
    calls = [call for call in api.calls[before:] if "/auth/login/" not in call.path]
    return {
        "orders": len(ids),
        "sql_per_job": statistics.mean(sql) if sql else None,
        "gets_per_order": sum(call.method == "GET" for call in calls) / len(ids) if ids else None,
        "patches_per_order": sum(call.method == "PATCH" for call in calls) / len(ids) if ids else None,
    }


STOCK_LIST_PK = 41  # Omnitron's stock list the bench's list is mapped to (the double takes any)


def stock_cost(conf, template_db, quick):
    """Stock to Omnitron: a validation on and off, a drain per changed product, a 50,000-SKU push and comparison.

    bin/run's workers and queue_job's runner serve the database (the drains a
    validation asks for run there, beside the next validations); the measured
    steps run in-process (bench/stock_worker.py), their SQL counted by Odoo's
    per-thread counter. The account's ceiling of stock writes per minute is
    set far above what this machine can send (10,000,000): the benchmark
    measures the push itself, and the counter still counts every write (its
    statement is part of the figures), it only never says wait.
    """
    lines, catalog, rounds, changed = (10, 200, 2, 100) if quick else (100, 50_000, 15, 1000)
    api = load_double().OmnitronApiDouble(username="bench-erp", password="bench-password").start()
    try:
        with LiveOdoo(conf, template_db, workers=CAPACITY.WORKERS, db=f"{DB}_stock", queue_job=True) as odoo:
            odoo.connect_account(api.url, "bench-erp", "bench-password", stock_requests_per_minute=10_000_000)
            log = open(f"{PG_DIR}/stock_worker.log", "w")  # noqa: SIM115 - closed with the worker
            worker = start_worker("stock_worker.py", conf, odoo.db, stderr=log)

            def ask(**request):
                worker.stdin.write(json.dumps(request) + "\n")
                worker.stdin.flush()
                answer = worker.stdout.readline()
                assert answer, f"bench/stock_worker.py died on {request}"
                return json.loads(answer)

            try:
                setup = ask(
                    op="setup", account=odoo.account_id, stock_list_pk=STOCK_LIST_PK, lines=lines, catalog=catalog
                )
                print(f"  {catalog} catalog products and their quants made in {setup['seconds']:.0f} s", flush=True)
                samples = {"on": [], "off": []}
                for index in range(rounds + 1):  # the first round warms the caches and is dropped
                    for mode in ("on", "off") if index % 2 else ("off", "on"):
                        ask(op="sync", on=mode == "on")
                        answer = ask(op="validate")
                        if index:
                            samples[mode].append(answer)
                validation = {
                    mode: {
                        "p50_ms": statistics.median(row["ms"] for row in rows),
                        "queries": statistics.median(row["queries"] for row in rows),
                        "validations": len(rows),
                    }
                    for mode, rows in samples.items()
                }
                validation["lines"] = lines
                print(
                    f"  validating {lines} lines: on {validation['on']['p50_ms']:.0f} ms, "
                    f"off {validation['off']['p50_ms']:.0f} ms",
                    flush=True,
                )
                ask(op="sync", on=True)
                wait_stock_jobs(odoo)
                before = len(api.calls)
                push = ask(op="drain", full=True)
                writes = sum(1 for call in api.calls[before:] if call.method == "POST" and call.status == 200)
                push.update(products=catalog, writes=writes, writes_per_second=writes / (push["ms"] / 1000))
                print(f"  full push: {writes} writes in {push['ms'] / 1000:.1f} s", flush=True)
                # Omnitron holds another number for 1 % of the SKUs (typed there): the comparison re-sends them.
                held = sorted(api.stocks(STOCK_LIST_PK))
                for sku in held[::100]:
                    api.set_stock(STOCK_LIST_PK, sku, 999_999)
                before = len(api.calls)
                comparison = ask(op="reconcile")
                comparison.update(
                    held=len(held),
                    differed=len(held[::100]),
                    pages=sum(1 for call in api.calls[before:] if call.method == "GET"),
                    writes=sum(1 for call in api.calls[before:] if call.method == "POST" and call.status == 200),
                )
                print(f"  comparison of {len(held)} SKUs: {comparison['ms'] / 1000:.1f} s", flush=True)
                ask(op="change", count=changed)
                before = len(api.calls)
                drain = ask(op="drain", full=False)
                drain.update(
                    changed=changed,
                    writes=sum(1 for call in api.calls[before:] if call.method == "POST" and call.status == 200),
                )
                drain["queries_per_product"] = drain["queries"] / changed
                print(f"  drain of {changed} changed products: {drain['queries']} SQL", flush=True)
            finally:
                worker.stdin.close()
                worker.wait(timeout=120)
                log.close()
    finally:
        api.stop()
    return {"validation": validation, "drain": drain, "push": push, "comparison": comparison}


def wait_stock_jobs(odoo, timeout=300):
    """Until the drains the validations asked for have run on the server (the measured steps come after).

    Their debounce (30 s) is waived: the runner is told to take them now.
    """
    odoo.query("UPDATE queue_job SET eta = NULL WHERE channel = 'root.omnitron_stock' AND state = 'pending'")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        [[waiting]] = odoo.query(
            "SELECT count(*) FROM queue_job WHERE channel = 'root.omnitron_stock' "
            "AND state NOT IN ('done', 'failed', 'cancelled')"
        )
        if not waiting:
            return
        time.sleep(1)
    raise AssertionError("the stock jobs did not run within 5 minutes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny counts: a smoke run, not a measurement")
    parser.add_argument("--out", default=str(REPO / "bench"), help="where results.json and RESULTS.md go")
    parser.add_argument("--only", choices=("stock",), help="run this section alone, merged into --out's results.json")
    args = parser.parse_args()
    out = pathlib.Path(args.out)
    if args.only == "stock":
        previous = json.loads((out / "results.json").read_text())
        conf = prepare_database()
        try:
            stock = stock_cost(conf, DB, args.quick)
        finally:
            shell("pg_stop")
        previous["stock"] = stock
        previous["stock_quick"] = args.quick
        merge_stock(previous, out)
        return
    sizes = (1, 10, 100, 500)
    counts = {1: 3, 10: 3, 100: 2, 500: 1} if args.quick else {1: 30, 10: 30, 100: 30, 500: 8}
    tp_total = 16 if args.quick else 120

    conf = prepare_database()
    try:
        with LiveOdoo(conf, DB, workers=2, db=f"{DB}_main") as odoo:
            odoo.rpc(
                "product.product",
                "create",
                [
                    {"name": f"Bench product BENCH-SKU-{i}", "default_code": f"BENCH-SKU-{i}", "is_storable": True}
                    for i in range(CATALOG)
                ],
            )
            odoo.post(make_order("WARM-0", 1, 1))  # warms the caches (the 8% tax is the marked one)
            print("Orders by size (webhook, floor, peer interleaved):", flush=True)
            sizes_result = measure_sizes(odoo, conf, sizes, counts)
            print("Sending to Omnitron off and on:", flush=True)
            outbound = outbound_cost(odoo, 3 if args.quick else 20)
            print("Invoices and payments: OCA's workflow against the same steps by hand:", flush=True)
            money = workflow_cost(odoo, conf, 3 if args.quick else 30)
            print("Returns: validating a return receipt, the addon's against Odoo's own by hand:", flush=True)
            returns = return_cost(odoo, conf, (1, 10), 2 if args.quick else 15)
        print("Throughput, 8 concurrent senders of 1-line orders:", flush=True)
        tp = [throughput(conf, DB, workers, tp_total) for workers in (1, 2)]
        print("The catch-up pull:", flush=True)
        pull = pull_cost(conf, DB, 20 if args.quick else 200)
        print("The catch-up pull, against an Omnitron whose detail has no items and whose next names a proxy:")
        pull_apart = pull_cost(conf, DB, 20 if args.quick else 200, items_apart=True)
        print("Stock to Omnitron:", flush=True)
        stock = stock_cost(conf, DB, args.quick)
    finally:
        shell("pg_stop")
    extra_floor = (sizes_result[100]["floor"]["queries"] - sizes_result[10]["floor"]["queries"]) / 90
    extra_webhook = (sizes_result[100]["webhook"]["queries"] - sizes_result[10]["webhook"]["queries"]) / 90
    data = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "quick": args.quick,
        "sizes": sizes_result,
        "throughput": tp,
        "extra_line_queries": {"webhook": extra_webhook, "floor": extra_floor},
        "outbound": outbound,
        "pull": pull,
        "pull_items_apart": pull_apart,
        "workflow": money,
        "returns": returns,
        "stock": stock,
        "stock_quick": args.quick,
    }
    # Through JSON: a full run and a merged --only run render the same data the same way.
    report(json.loads(json.dumps(data)), out)


def pull_line(pull):
    """One pull's figures in a sentence."""
    shape = "detail without items, next on a proxy host" if pull["items_apart"] else "items in the detail"
    sql = pull["sql_per_order"]
    job = pull["items_job"]
    return (
        f"Catch-up pull ({shape}; {CAPACITY.WORKERS} workers, queue_job's runner, the contract double here): "
        f"{pull['imported']} of {pull['orders']} orders imported in {pull['seconds']:.1f} s "
        f"({pull['orders_per_second']:.1f} orders/s); GET calls per order {pull['http_calls_per_order'] or 0:.2f}; "
        f"SQL per order: pull {sql['pull'] or 0:.1f}, webhook {sql['webhook']:.1f} "
        f"(+{(sql['pull'] or 0) - sql['webhook']:.1f}); the run said: {pull['result']}. "
        f"A bulk-update job after a validated delivery, with the live read before it: "
        f"{job['sql_per_job'] or 0:.1f} SQL, {job['gets_per_order'] or 0:.1f} GET and "
        f"{job['patches_per_order'] or 0:.1f} PATCH per order ({job['orders']} orders)."
    )


def stock_lines(stock, quick):
    """The stock section's figures in sentences, each beside its target of #30."""
    if not stock:
        return []
    validation, drain, push, comparison = stock["validation"], stock["drain"], stock["push"], stock["comparison"]
    on, off = validation["on"], validation["off"]
    return [
        "",
        f"Stock to Omnitron ({CAPACITY.WORKERS} workers and queue_job's runner serving, the contract double on this "
        "machine; measured in-process by bench/stock_worker.py"
        + ("; QUICK SMOKE RUN: not a measurement" if quick else "")
        + "):",
        "",
        "| figure | measured | target |",
        "| --- | ---: | ---: |",
        f"| validating a {validation['lines']}-line delivery, stock sync on / off (median of "
        f"{on['validations']} interleaved each) | {on['p50_ms']:.0f} / {off['p50_ms']:.0f} ms = "
        f"{on['p50_ms'] / off['p50_ms']:.3f} | ≤ 1.05 |",
        f"| SQL per validation, on / off | {on['queries']:.0f} / {off['queries']:.0f} "
        f"(+{on['queries'] - off['queries']:.0f}) | |",
        f"| a drain's SQL per changed product ({drain['changed']} changed, {drain['writes']} written) "
        f"| {drain['queries']} / {drain['changed']} = {drain['queries_per_product']:.3f} | ≤ 0.1 |",
        f"| full push of {push['products']} SKUs: time, writes/s | {push['ms'] / 1000:.1f} s, "
        f"{push['writes']} writes, {push['writes_per_second']:.0f}/s | |",
        f"| full push: peak RSS of the process pushing | {push['peak_rss_mb']:.0f} MB | ≤ 500 MB |",
        f"| daily comparison of {comparison['held']} SKUs ({comparison['pages']} pages read, "
        f"{comparison['differed']} differing, {comparison['writes']} re-sent): time | "
        f"{comparison['ms'] / 1000:.1f} s | ≤ 60 s |",
        f"| daily comparison: peak RSS | {comparison['peak_rss_mb']:.0f} MB | ≤ 500 MB |",
    ]


STOCK_HEADING = "\nStock to Omnitron ("


def merge_stock(data, out):
    """Write ``data`` (the stock figures merged in) to results.json, and the stock section into RESULTS.md.

    RESULTS.md keeps the other sections' text as their run wrote it (a later
    edit of bench.py's wording, or of bin/run's workers, must not be read as
    what they were measured with); only the stock section is replaced.
    """
    table = "\n".join(stock_lines(data["stock"], data["stock_quick"]))
    print(table)
    (out / "results.json").write_text(json.dumps(data, indent=2))
    text = (out / "RESULTS.md").read_text()
    text = text.split(STOCK_HEADING)[0].rstrip("\n") + "\n" + table + "\n"
    (out / "RESULTS.md").write_text(text)


def report(data, out):
    """Print the table and write results.json and RESULTS.md from ``data`` (results.json's shape)."""
    sizes_result, tp, outbound = data["sizes"], data["throughput"], data["outbound"]
    money, returns, quick = data["workflow"], data["returns"], data["quick"]
    pulls = (data["pull"], data["pull_items_apart"])
    extra_webhook, extra_floor = data["extra_line_queries"]["webhook"], data["extra_line_queries"]["floor"]
    lines = [
        f"Machine: {data['machine']}{' (QUICK SMOKE RUN: not a measurement)' if quick else ''}",
        "",
        "| lines | webhook p50 / p95 ms | floor p50 ms | peer p50 ms | webhook / floor | peer / webhook "
        "| SQL per order: webhook / floor / peer |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size, row in sizes_result.items():
        webhook, floor, peer = row["webhook"], row["floor"], row["peer"]
        lines.append(
            f"| {size} | {webhook['p50_ms']:.0f} / {webhook['p95_ms']:.0f} | {floor['p50_ms']:.0f} "
            f"| {peer['p50_ms']:.0f} | {webhook['p50_ms'] / floor['p50_ms']:.2f} "
            f"| {peer['p50_ms'] / webhook['p50_ms']:.2f} "
            f"| {webhook['queries']:.0f} / {floor['queries']:.0f} / {peer['queries']:.0f} |"
        )
    one, two = tp
    lines += [
        "",
        f"SQL statements per extra line (10 → 100 lines): webhook {extra_webhook:.2f}, floor {extra_floor:.2f}.",
        "",
        "| workers | orders | orders/s | errors | duplicate orders |",
        "| ---: | ---: | ---: | ---: | ---: |",
        f"| 1 | {one['orders']} | {one['orders_per_second']:.1f} | {one['errors']} | {one['duplicate_orders']} |",
        f"| 2 | {two['orders']} | {two['orders_per_second']:.1f} | {two['errors']} | {two['duplicate_orders']} |",
        "",
        f"Throughput 2 workers / 1 worker: {two['orders_per_second'] / one['orders_per_second']:.2f}.",
        "",
        "Sending fulfilment to Omnitron (queue_job): SQL per 1-line webhook order "
        f"off {outbound['sql_per_order']['off']:.1f}, on {outbound['sql_per_order']['on']:.1f} "
        f"(+{outbound['sql_per_order']['on'] - outbound['sql_per_order']['off']:.1f}); "
        "bulk-update jobs per validated delivery of 1 / 10 / 100 lines: "
        + " / ".join(str(outbound["jobs_per_delivery"][str(size)]) for size in (1, 10, 100))
        + ".",
        "",
        *(pull_line(pull) for pull in pulls),
        "",
        "Invoice, post and pay one shipped card order (in-process, interleaved): OCA's workflow "
        f"{money['workflow']['p50_ms']:.0f} ms / {money['workflow']['queries']:.0f} SQL, by hand "
        f"{money['by_hand']['p50_ms']:.0f} ms / {money['by_hand']['queries']:.0f} SQL "
        f"(workflow / by hand: {money['workflow']['p50_ms'] / money['by_hand']['p50_ms']:.2f} in time, "
        f"{money['workflow']['queries'] / money['by_hand']['queries']:.2f} in SQL).",
        "",
        "| return receipt of | addon: validate (credits) ms / SQL | by hand: validate + Credit Note ms / SQL "
        "| addon / by hand (time, SQL) |",
        "| ---: | ---: | ---: | ---: |",
    ]
    for size, row in returns.items():
        ours, theirs = row["omnitron"], row["by_hand"]
        lines.append(
            f"| {size} line{'s' if int(size) > 1 else ''} | {ours['p50_ms']:.0f} / {ours['queries']:.0f} "
            f"| {theirs['p50_ms']:.0f} / {theirs['queries']:.0f} "
            f"| {ours['p50_ms'] / theirs['p50_ms']:.2f}, {ours['queries'] / theirs['queries']:.2f} |"
        )
    lines += stock_lines(data.get("stock"), data.get("stock_quick", quick))
    table = "\n".join(lines)
    print("\n" + table)
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(data, indent=2))
    (out / "RESULTS.md").write_text("# Benchmark results\n\nMade by `make bench` (bench/bench.py).\n\n" + table + "\n")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
