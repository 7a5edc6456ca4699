"""The import of an order: what the sample becomes, and the rules of reuse and refusal."""

import json
from datetime import datetime

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RECEPTION_LOGGER, OmnitronCase


@tagged("post_install", "-at_install")
class TestOrderImport(OmnitronCase):
    def test_sample_creates_the_sale_order_with_every_mapped_value(self):
        outcome = self.receive(self.sample())
        self.assertEqual(outcome.status, 204, outcome.body)
        self.assertIsNone(outcome.body)

        order = self.omnitron_orders()
        self.assertEqual(len(order), 1)
        self.assertEqual(order.amount_total, 725.26)
        self.assertEqual(order.currency_id.name, "TRY")
        self.assertEqual(order.company_id, self.sender.company_id)
        self.assertEqual(order.state, "sale", "status 400 (approved) confirms the order")
        self.assertEqual(order.date_order, datetime(2018, 10, 27, 18, 55, 1))
        self.assertEqual(order.client_order_ref, "202531672482")
        self.assertRecordValues(
            order,
            [
                {
                    "omnitron_pk": 31999,
                    "omnitron_number": "202531672482",
                    "omnitron_channel_pk": 20,
                    "omnitron_channel_name": "Lacoste N11",
                    "omnitron_channel_type": "n11",
                    "omnitron_status": "400",
                    "omnitron_status_name": "approved",
                    "omnitron_delivery_type": "same_day",
                    "omnitron_has_gift_box": True,
                    "omnitron_gift_box_note": "OMS'de hayatlar kelebigin omru kadardir.",
                    "omnitron_tracking_number": "202531672482",
                    "omnitron_invoice_number": "SEP2018000149774",
                    "omnitron_invoice_date": datetime(2018, 10, 30, 12, 11, 53),
                    "omnitron_cargo_company": "Yurtiçi Kargo",
                    "omnitron_amount": 725.26,
                    "omnitron_amount_mismatch": False,
                    "carrier_id": self.carrier.id,
                }
            ],
        )
        self.assertIn("vkn=3430333513", order.omnitron_e_archive_url)

        customer = order.partner_id
        self.assertEqual(customer.name, "John Doe")
        self.assertEqual((customer.omnitron_channel_pk, customer.omnitron_customer_pk), (20, 23401))
        for address, kind in ((order.partner_invoice_id, "invoice"), (order.partner_shipping_id, "delivery")):
            self.assertRecordValues(
                address,
                [
                    {
                        "type": kind,
                        "parent_id": customer.id,
                        "name": "John Doe",
                        "street": "Viale Edoardo Jenner",
                        "street2": "CENTRUM",
                        "city": "MILANO",
                        "zip": "50000",
                        "phone": "+90 555XXX0000",
                        "vat": "18283150626",
                        "omnitron_tax_number": "18283150626",
                        "omnitron_township": "CENTRUM",
                    }
                ],
            )
            self.assertEqual(address.country_id.code, "IT")

        product_line = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(len(product_line), 1)
        self.assertRecordValues(
            product_line,
            [
                {
                    "omnitron_item_pk": 48161,
                    "omnitron_status": "510",
                    "omnitron_tracking_number": "202531672482",
                    "omnitron_invoice_number": "SEP2018000149774",
                    "product_uom_qty": 1.0,
                    "price_unit": 718.92,
                    "price_subtotal": 665.67,
                    "price_total": 718.92,
                }
            ],
        )
        self.assertEqual(product_line.product_id.default_code, "3169177")
        self.assertEqual(product_line.product_id.name, "Lacoste Erkek Regular Fit Kahverengi Gömlek")
        self.assertEqual(product_line.tax_id.amount, 8.0)
        self.assertTrue(product_line.tax_id.price_include)

        shipping = order.order_line.filtered("is_delivery")
        self.assertRecordValues(
            shipping, [{"price_unit": 6.34, "price_total": 6.34, "product_id": self.carrier.product_id.id}]
        )
        self.assertFalse(shipping.tax_id, "shipping_tax_rate is null in the sample, the carrier's product has no tax")

        (event,) = self.events()
        self.assertRecordValues(
            event,
            [
                {
                    "state": "done",
                    "http_status": 204,
                    "event_uuid": "fc2ba32ba6da4c948c71c6adcf6396db",
                    "event_type": "order.updated",
                    "order_number": "202531672482",
                    "channel_pk": 20,
                    "order_id": order.id,
                    "user_id": self.sender.id,
                }
            ],
        )
        stored = json.loads(event.payload)
        self.assertNotIn("conf", stored["payload"]["channel"])
        self.assertNotIn("appSecret", event.payload)
        self.assertEqual(stored["payload"]["number"], "202531672482")

    def test_shipping_without_omnitrons_rate_bears_the_carrier_products_rate_within_the_same_total(self):
        kdv = self.company.account_sale_tax_id  # the Turkish chart's 20 %, price excluded
        self.assertEqual((kdv.amount, kdv.price_include), (20.0, False))
        self.carrier.product_id.taxes_id = kdv
        self.assertEqual(self.receive(self.sample()).status, 204)
        order = self.omnitron_orders()
        shipping = order.order_line.filtered("is_delivery")
        self.assertEqual((shipping.tax_id.amount, shipping.tax_id.price_include), (20.0, True))
        self.assertEqual((shipping.price_total, shipping.price_subtotal), (6.34, 5.28))
        self.assertAlmostEqual(shipping.price_tax, 1.06)
        self.assertEqual(order.amount_total, 725.26, "Omnitron's amount, to the kuruş")

    def test_the_same_order_again_is_a_duplicate(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        before = self.counts()
        self.assert_ignored(self.receive(self.sample()), "duplicate_order", "202531672482")
        self.assertEqual(self.counts(), before)
        self.assertEqual(len(self.omnitron_orders()), 1)
        self.assertEqual(self.events().mapped("state"), ["ignored", "done"])

    def test_the_same_number_in_another_channel_is_another_order(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        other = self.sample()
        other["payload"]["channel"]["pk"] = 21
        self.assertEqual(self.receive(other).status, 204)
        self.assertEqual(len(self.omnitron_orders()), 2)

    def test_missing_carrier_is_ignored_and_creates_nothing(self):
        self.carrier.omnitron_erp_code = "another_code"
        before = self.counts()
        self.assert_ignored(self.receive(self.sample()), "cargo_company_not_found", "yurtici_kargo")
        self.assertEqual(self.counts(), before)
        self.assertRecordValues(
            self.events(), [{"state": "ignored", "reason": "cargo_company_not_found", "http_status": 202}]
        )

    @mute_logger(RECEPTION_LOGGER, "odoo.sql_db")
    def test_a_failure_mid_import_leaves_nothing_behind(self):
        # A real database error while the lines are inserted, after the
        # customer, addresses and product were created.
        with self.failing_trigger("sale_order_line"):
            before = self.counts()
            outcome = self.receive(self.sample())
            self.assertEqual(outcome.status, 500)
            self.assertEqual(outcome.body["error"], "internal_error")
            self.assertEqual(outcome.body["event_uuid"], "fc2ba32ba6da4c948c71c6adcf6396db")
            self.assertNotIn("forced failure", json.dumps(outcome.body))
            self.assertEqual(self.counts(), before)
            (event,) = self.events()
            self.assertEqual((event.state, event.http_status), ("failed", 500))
            self.assertIn("forced failure for the test", event.detail)
        self.assertEqual(self.receive(self.sample()).status, 204, "the next delivery imports normally")

    def test_two_units_of_a_product_are_two_lines_of_one_product(self):
        body = self.sample(amount="1444.18")
        item = body["payload"]["orderitem_set"][0]
        body["payload"]["orderitem_set"].append({**item, "pk": 48162, "tracking_number": "TRACK-2"})
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders()
        lines = order.order_line.filtered(lambda line: not line.is_delivery)
        self.assertEqual(sorted(lines.mapped("omnitron_item_pk")), [48161, 48162])
        self.assertEqual(len(lines.product_id), 1)
        self.assertEqual(order.amount_total, 1444.18)
        self.assertFalse(order.omnitron_amount_mismatch)

    def test_the_next_order_of_a_customer_reuses_partner_and_addresses(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        partners = self.env["res.partner"].search_count([])
        self.assertEqual(self.receive(self.sample(number="202531672483", pk=32000)).status, 204)
        first, second = self.omnitron_orders("202531672482"), self.omnitron_orders("202531672483")
        self.assertEqual(second.partner_id, first.partner_id)
        self.assertEqual(second.partner_invoice_id, first.partner_invoice_id)
        self.assertEqual(second.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(self.env["res.partner"].search_count([]), partners)

        moved = self.sample(number="202531672484", pk=32001)
        moved["payload"]["shipping_address"]["line"] = "Via Roma 1"
        self.assertEqual(self.receive(moved).status, 204)
        third = self.omnitron_orders("202531672484")
        self.assertEqual(third.partner_id, first.partner_id)
        self.assertEqual(third.partner_invoice_id, first.partner_invoice_id)
        self.assertNotEqual(third.partner_shipping_id, first.partner_shipping_id)
        self.assertEqual(third.partner_shipping_id.street, "Via Roma 1")

    def test_status_decides_quotation_confirmed_or_cancelled(self):
        for number, status, state in (("S-100", "100", "cancel"), ("S-200", "200", "draft"), ("S-550", "550", "sale")):
            with self.subTest(status=status):
                self.assertEqual(self.receive(self.sample(number=number, status=status)).status, 204)
                order = self.omnitron_orders(number)
                self.assertEqual(order.state, state)
                self.assertEqual(order.omnitron_status, status)
                self.assertEqual(order.date_order, datetime(2018, 10, 27, 18, 55, 1))

    def test_a_total_that_differs_is_flagged_not_hidden(self):
        self.assertEqual(self.receive(self.sample(amount="730.00")).status, 204)
        order = self.omnitron_orders()
        self.assertEqual(order.amount_total, 725.26)
        self.assertTrue(order.omnitron_amount_mismatch)
        self.assertIn("730", order.omnitron_amount_mismatch_detail)
        self.assertIn("730", self.events().detail)

    def test_an_existing_product_is_found_by_sku(self):
        product = self.env["product.product"].create({"name": "Shirt", "default_code": "3169177"})
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.assertEqual(self.omnitron_orders().order_line.product_id - self.carrier.product_id, product)

    def test_two_products_with_one_sku_are_ambiguous(self):
        self.env["product.product"].create(
            [{"name": "A", "default_code": "3169177"}, {"name": "B", "default_code": "3169177"}]
        )
        self.assert_ignored(self.receive(self.sample()), "product_ambiguous")
        self.assertFalse(self.omnitron_orders())

    def test_an_archived_product_with_the_sku_gives_way_to_the_active_one(self):
        old, current = self.env["product.product"].create(
            [{"name": "Old shirt", "default_code": "3169177"}, {"name": "Shirt", "default_code": "3169177"}]
        )
        old.active = False
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.assertEqual(self.omnitron_orders().order_line.product_id - self.carrier.product_id, current)
        current.active = False
        self.assert_ignored(self.receive(self.sample(number="BOTH-ARCHIVED")), "product_ambiguous")

    def test_duplicates_are_judged_within_the_senders_company(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        company_b = self.env["res.company"].create({"name": "Company B", "currency_id": self.company.currency_id.id})
        self.env["account.chart.template"].try_loading("tr", company_b, install_demo=False)
        sender_b = self.sender_of(company_b, "omnitron-sender-company-b")
        self.env["account.chart.template"].with_company(company_b).ref("tr_s_10").copy(
            {"name": "8% B", "amount": 8, "price_include_override": "tax_included", "omnitron_rate": 8}
        )
        outcome = self.receive(self.sample(), token=sender_b.omnitron_generate_token())
        self.assertEqual(outcome.status, 204, "company A's order is no duplicate for company B")
        self.assertEqual(self.omnitron_orders().company_id, self.company | company_b)
        self.assert_ignored(self.receive(self.sample()), "duplicate_order")

    def test_a_product_whose_reference_was_edited_is_still_the_one_created(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        product = self.omnitron_orders().order_line.product_id - self.carrier.product_id
        self.assertEqual(product.company_id, self.sender.company_id, "created in the order's company")
        product.default_code = "EDITED"
        self.assertEqual(self.receive(self.sample(number="AFTER-EDIT")).status, 204)
        self.assertEqual(self.omnitron_orders("AFTER-EDIT").order_line.product_id - self.carrier.product_id, product)

    def test_a_tax_number_the_vat_check_rejects_does_not_fail_the_import(self):
        if "check_vat" not in dir(self.env["res.partner"]):
            self.skipTest("base_vat is not installed")
        body = self.sample()
        body["payload"]["billing_address"]["tax_no"] = "IT000"  # not a valid Italian VAT number
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders()
        self.assertEqual(order.partner_invoice_id.omnitron_tax_number, "IT000")
        self.assertEqual(order.partner_id.vat, "IT000")

    def test_an_unknown_currency_is_refused_naming_it(self):
        outcome = self.receive(self.sample(currency="zzz", number="X-ZZZ"))
        self.assertEqual(outcome.status, 400)
        self.assertEqual(outcome.body["error"], "invalid_payload")
        self.assertEqual(
            outcome.body["errors"], [{"path": "payload.currency", "message": "'zzz' is not a currency Odoo knows"}]
        )

    def test_a_concurrent_customer_creation_makes_odoo_replay_the_request(self):
        # The loser of a race on the customer's unique key must not answer 422:
        # it raises SQLSTATE 40001, which Odoo's request loop retries.
        from psycopg2.errors import SerializationFailure

        from ..models.omnitron_webhook_reception import _raise_serialization_failure

        with self.assertRaises(SerializationFailure), self.env.cr.savepoint():
            _raise_serialization_failure(self.env.cr, "res_partner_omnitron_customer_uniq")
