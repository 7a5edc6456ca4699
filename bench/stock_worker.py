"""Stock to Omnitron, in-process: what a validation, a drain, a full push and the daily comparison cost.

Runs inside Odoo (``python3 stock_worker.py CONF DB``) against the bench
server's database while that server (with queue_job's runner) serves it, and
reads one JSON request per line on stdin, answering one JSON line:

- ``{"op": "setup", "account": id, "stock_list_pk": pk, "lines": n, "catalog": n}``: the stock list (the
  company's warehouse), ``lines`` products to deliver with plenty on hand (by the ORM) and a catalog of
  ``catalog`` storable products with SKUs and a quant each, copied by SQL from one product and quant
  the ORM made (creating 50,000 products through the ORM would take longer than the whole benchmark;
  the copies carry every column the ORM wrote). Not measured.
- ``{"op": "sync", "on": bool}``: the account's *Send Stock* switch.
- ``{"op": "validate"}``: a delivery of the ``lines`` products is made, confirmed, reserved and picked
  (not measured), then validated in its own transaction: ``{"ms", "queries"}``.
- ``{"op": "change", "count": n}``: ``n`` catalog products get a receipt of one unit each (the ORM's
  ``_update_available_quantity``, which logs the change), committed.
- ``{"op": "drain", "full": bool}`` and ``{"op": "reconcile"}``: the stock list's drain
  (``_drain``) or daily comparison (``_reconcile``) run here, as its job would:
  ``{"ms", "queries", "peak_rss_mb", "result"}``.

SQL statements are Odoo's per-thread counter (every cursor this thread
opens, the rate counter's own connection included); the calls to Omnitron
(the contract double over real HTTP) are no SQL. Peak RSS is this process's
high-water mark (``VmHWM``), reset before each measured step.
"""

import json
import pathlib
import sys
import threading
import time

import odoo
from odoo import Command, api
from odoo.tools import config

CONTEXT = {"skip_sms": True}


def reset_peak():
    # Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS (Linux >= 4.0).
    pathlib.Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb():
    for line in pathlib.Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def measured(registry, work):
    """Run ``work(env)`` in its own transaction: its time, SQL statements and peak RSS."""
    thread = threading.current_thread()
    reset_peak()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, dict(CONTEXT, job_uuid=None))
        thread.query_count, thread.query_time = 0, 0  # Odoo's per-thread counters (its requests set them)
        started = time.perf_counter()
        result = work(env)
        cr.commit()
        elapsed = (time.perf_counter() - started) * 1000
        queries = thread.query_count
    return {"ms": elapsed, "queries": queries, "peak_rss_mb": peak_rss_mb(), "result": result}


class Bench:
    def __init__(self, registry):
        self.registry = registry
        self.state = {}

    def env(self, cr):
        return api.Environment(cr, odoo.SUPERUSER_ID, CONTEXT)

    def setup(self, request):
        started = time.perf_counter()
        with self.registry.cursor() as cr:
            env = self.env(cr)
            account = env["omnitron.account"].browse(request["account"])
            warehouse = env["stock.warehouse"].search([("company_id", "=", account.company_id.id)], limit=1)
            # The drain runs here, not by the server's crons: they would race it for the same changes.
            for xmlid in ("ir_cron_omnitron_stock_drain", "ir_cron_omnitron_stock_recompute"):
                env.ref(f"omnitron_order_webhook.{xmlid}").active = False
            env.ref("omnitron_order_webhook.ir_cron_omnitron_stock_reconcile").active = False
            stock_list = env["omnitron.stock.list"].create(
                {
                    "name": "Bench web shop",
                    "account_id": account.id,
                    "stock_list_pk": request["stock_list_pk"],
                    "warehouse_ids": [Command.set(warehouse.ids)],
                }
            )
            Quant = env["stock.quant"]
            lines = env["product.product"].create(
                [
                    {"name": f"Delivered {i}", "default_code": f"DELIVERED-{i}", "is_storable": True}
                    for i in range(request["lines"])
                ]
            )
            for product in lines:
                Quant._update_available_quantity(product, warehouse.lot_stock_id, 1_000_000)
            template = env["product.product"].create(
                {"name": "Catalog template", "default_code": "CATALOG-TEMPLATE", "is_storable": True}
            )
            Quant._update_available_quantity(template, warehouse.lot_stock_id, 5)
            env.flush_all()
            copy_catalog(cr, template, request["catalog"])
            cr.commit()
            self.state = {
                "account": account.id,
                "stock_list": stock_list.id,
                "warehouse": warehouse.id,
                "lines": lines.ids,
            }
        return {"stock_list": stock_list.id, "seconds": time.perf_counter() - started}

    def sync(self, request):
        with self.registry.cursor() as cr:
            # The switch itself, not the account's write: switching on from the form also queues a full
            # push of the 50,000 SKUs, which the server's runner would run beside the measured steps.
            cr.execute(
                "UPDATE omnitron_account SET stock_sync_enabled = %s WHERE id = %s",
                [request["on"], self.state["account"]],
            )
            self.registry.clear_cache()  # whether changes are marked (omnitron.stock.list._marking)
        return {"on": request["on"]}

    def validate(self, _request):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            warehouse = env["stock.warehouse"].browse(self.state["warehouse"])
            customers = env.ref("stock.stock_location_customers")
            products = env["product.product"].browse(self.state["lines"])
            picking = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": product.name,
                                "product_id": product.id,
                                "product_uom_qty": 1,
                                "product_uom": product.uom_id.id,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": customers.id,
                            }
                        )
                        for product in products
                    ],
                }
            )
            picking.action_confirm()
            picking.action_assign()
            for move in picking.move_ids:
                move.write({"quantity": move.product_uom_qty, "picked": True})
            picking_id = picking.id

        def work(env):
            picking = env["stock.picking"].browse(picking_id)
            assert picking.button_validate() is True
            assert picking.state == "done", picking.state
            return None

        return measured(self.registry, work)

    def change(self, request):
        with self.registry.cursor() as cr:
            env = self.env(cr)
            warehouse = env["stock.warehouse"].browse(self.state["warehouse"])
            products = env["product.product"].search(
                [("default_code", "=like", "CATALOG-%"), ("default_code", "!=", "CATALOG-TEMPLATE")],
                limit=request["count"],
                order="id",
            )
            for product in products:
                env["stock.quant"]._update_available_quantity(product, warehouse.lot_stock_id, 1)
        return {"changed": len(products)}

    def drain(self, request):
        return measured(
            self.registry, lambda env: env["omnitron.stock.sync"]._drain(self.state["stock_list"], request["full"])
        )

    def reconcile(self, _request):
        return measured(self.registry, lambda env: env["omnitron.stock.sync"]._reconcile(self.state["stock_list"]))


def copy_catalog(cr, template, count):
    """``count`` copies of ``template`` (product, variant, quant), each its own SKU, by three INSERTs."""
    if not count:
        return

    def columns(table, skip):
        cr.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> ALL(%s)",
            [table, ["id", *skip]],
        )
        return [row[0] for row in cr.fetchall()]

    tmpl_columns = columns("product_template", ["name"])
    cr.execute(
        f"""INSERT INTO product_template (name, {", ".join(tmpl_columns)})
            SELECT jsonb_build_object('en_US', 'Catalog ' || g), {", ".join(tmpl_columns)}
              FROM product_template, generate_series(1, %s) g WHERE id = %s""",
        [count, template.product_tmpl_id.id],
    )
    variant_columns = columns("product_product", ["product_tmpl_id", "default_code"])
    cr.execute(
        f"""INSERT INTO product_product (product_tmpl_id, default_code, {", ".join(variant_columns)})
            SELECT t.id, 'CATALOG-' || t.id, {", ".join("p." + column for column in variant_columns)}
              FROM product_template t, product_product p
             WHERE p.id = %s AND t.id > %s""",
        [template.id, template.product_tmpl_id.id],
    )
    quant_columns = columns("stock_quant", ["product_id", "quantity"])
    cr.execute(
        f"""INSERT INTO stock_quant (product_id, quantity, {", ".join(quant_columns)})
            SELECT p.id, 1 + p.id %% 97, {", ".join("q." + column for column in quant_columns)}
              FROM product_product p, stock_quant q
             WHERE q.product_id = %s AND p.id > %s""",
        [template.id, template.id],
    )


def main(conf, dbname):
    config.parse_config(["-c", conf, "-d", dbname])
    registry = odoo.modules.registry.Registry(dbname)
    bench = Bench(registry)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        answer = getattr(bench, request["op"])(request)
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
