"""The floor of the benchmark: the least work Odoo itself does for an order.

Runs inside Odoo (``python3 floor_worker.py CONF DB``), reads one JSON order
per line on stdin and creates it with the ORM — partner, two addresses,
lines with taxes, the delivery line, confirmation — then answers one JSON
line: {"ms": elapsed, "queries": SQL statements}. Products, taxes and the
carrier are looked up once at start, as a long-running process would.
"""

import json
import sys
import time

import odoo
from odoo import api
from odoo.tools import config


def main(conf, dbname):
    config.parse_config(["-c", conf, "-d", dbname])
    registry = odoo.modules.registry.Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        tax = env["account.tax"].search(
            [("type_tax_use", "=", "sale"), ("amount", "=", 8.0), ("price_include", "=", True)], limit=1
        )
        carrier = env["delivery.carrier"].search([("omnitron_erp_code", "=", "yurtici_kargo")], limit=1)
        currency = env["res.currency"].with_context(active_test=False).search([("name", "=", "TRY")])
        pricelist = env["product.pricelist"].search([("currency_id", "=", currency.id)], limit=1)
        country = env["res.country"].search([("code", "=", "IT")])
        cache = {
            "tax": tax.id,
            "carrier": carrier.id,
            "carrier_product": carrier.product_id.id,
            "pricelist": pricelist.id,
            "country": country.id,
        }
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        payload = json.loads(line)["payload"]
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True})
            started, queries = time.perf_counter(), cr.sql_log_count
            create_order(env, payload, cache)
            cr.commit()
            elapsed, count = (time.perf_counter() - started) * 1000, cr.sql_log_count - queries
        print(json.dumps({"ms": elapsed, "queries": count}), flush=True)


def create_order(env, payload, cache):
    customer = payload["customer"]
    Partner = env["res.partner"]
    ref = f"floor-{customer['pk']}"
    partner = Partner.search([("ref", "=", ref)], limit=1) or Partner.create(
        {"name": f"{customer['first_name']} {customer['last_name']}", "ref": ref, "email": customer["email"]}
    )
    addresses = {}
    for key, kind in (("billing_address", "invoice"), ("shipping_address", "delivery")):
        address = payload[key]
        existing = Partner.search([("parent_id", "=", partner.id), ("type", "=", kind)], limit=1)
        addresses[kind] = existing or Partner.create(
            {
                "parent_id": partner.id,
                "type": kind,
                "name": partner.name,
                "street": address["line"],
                "city": address["city"]["name"],
                "zip": address["postcode"],
                "country_id": cache["country"],
            }
        )
    skus = [item["product"]["sku"] for item in payload["orderitem_set"]]
    products = {p.default_code: p.id for p in env["product.product"].search([("default_code", "in", skus)])}
    lines = [
        (
            0,
            0,
            {
                "product_id": products[item["product"]["sku"]],
                "product_uom_qty": 1,
                "price_unit": float(item["price"]),
                "tax_id": [(6, 0, [cache["tax"]])],
            },
        )
        for item in payload["orderitem_set"]
    ]
    lines.append(
        (
            0,
            0,
            {
                "product_id": cache["carrier_product"],
                "product_uom_qty": 1,
                "is_delivery": True,
                "price_unit": float(payload["shipping_amount"]),
                "tax_id": [(6, 0, [])],
            },
        )
    )
    order = env["sale.order"].create(
        {
            "partner_id": partner.id,
            "partner_invoice_id": addresses["invoice"].id,
            "partner_shipping_id": addresses["delivery"].id,
            "pricelist_id": cache["pricelist"],
            "carrier_id": cache["carrier"],
            "client_order_ref": payload["number"],
            "order_line": lines,
        }
    )
    order.action_confirm()


if __name__ == "__main__":
    main(*sys.argv[1:3])
