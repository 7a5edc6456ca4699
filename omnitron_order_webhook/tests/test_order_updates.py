"""Omnitron's later deliveries of an imported order: what they change, and what they never do."""

from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestOrderUpdates(OmnitronCase):
    def imported(self, number, items, **changes):
        body = self.order(number, items, **changes)
        self.assertEqual(self.receive(body).status, 204)
        return body, self.omnitron_orders(number)

    def assert_updated(self, outcome, *words):
        self.assertEqual(outcome.status, 202, outcome.body)
        self.assertEqual(outcome.body["reason"], "order_updated")
        for word in words:
            self.assertIn(word, outcome.body["detail"])

    def notes(self, sale_order):
        return sale_order.message_ids.filtered(lambda m: m.body and "Omnitron:" in m.body).mapped("body")

    def test_the_sample_sent_again_unchanged_is_a_duplicate_and_changes_nothing(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        order = self.omnitron_orders()
        written = order.write_date
        self.assert_ignored(self.receive(self.sample()), "duplicate_order", "202531672482")
        self.assertEqual(order.write_date, written)
        self.assertFalse(self.notes(order))

    def test_the_sample_sent_again_cancelled_cancels_the_order_and_its_delivery(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        order = self.omnitron_orders()
        # The sample's only item was shipped before the import; this order has an open delivery.
        body = self.order("U-CANCEL", [item(901, "U-1", "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        open_order = self.omnitron_orders("U-CANCEL")
        self.assertTrue(open_order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")))
        outcome = self.receive({**body, "payload": {**body["payload"], "status": "100"}})
        self.assert_updated(outcome, "400 (approved) → 100 (cancelled)", "order cancelled")
        self.assertEqual(open_order.state, "cancel")
        self.assertEqual(set(open_order.picking_ids.mapped("state")), {"cancel"})
        self.assertEqual(open_order.omnitron_status, "100")
        self.assertEqual(open_order.omnitron_status_name, "cancelled")
        [note] = self.notes(open_order)
        # People read statuses by name, never by code (the API answer keeps the codes).
        self.assertIn("status Approved → Cancelled", note)
        event = self.events()[0]
        self.assertEqual((event.state, event.reason, event.order_id), ("updated", "order_updated", open_order))
        self.assertIn("order cancelled", event.detail)
        # The sample itself was shipped before the import: its goods left Odoo's stock then, so
        # Omnitron's cancellation is flagged for the credit note, not applied to goods that are gone.
        self.assert_updated(self.receive(self.sample(status="100")), "cancelled after delivery or invoice: flagged")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.omnitron_cancelled_late)

    def test_with_updates_off_a_later_delivery_is_a_duplicate_and_changes_nothing(self):
        body, order = self.imported("U-OFF", [item(902, "U-2", "100.00")])
        self.set_params(apply_updates="false")
        body["payload"]["status"] = "100"
        self.assert_ignored(self.receive(body), "duplicate_order")
        self.assertEqual(order.state, "sale")
        self.assertEqual(order.omnitron_status, "400")

    def test_a_cancellation_after_delivery_cancels_nothing_and_asks_staff(self):
        body, order = self.imported("U-LATE", [item(903, "U-3", "100.00")])
        self.ship(order)
        body["payload"]["status"] = "100"
        self.assert_updated(self.receive(body), "cancelled after delivery or invoice")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.omnitron_cancelled_late)
        self.assertTrue(order.omnitron_needs_action)
        self.assertIn("Receive what comes back", order.omnitron_action_note)
        activity = order.activity_ids
        self.assertEqual(len(activity), 1)
        # No salesperson on the order: an Omnitron administrator is asked.
        self.assertTrue(activity.user_id.has_group("omnitron_order_webhook.group_omnitron_manager"))
        self.assertIn(order, self.env["sale.order"].search([("omnitron_needs_action", "=", True)]))
        order.action_omnitron_mark_handled()
        self.assertFalse(order.omnitron_needs_action)

    def test_a_cancellation_after_invoice_keeps_the_order_for_its_credit_note(self):
        body, order = self.imported("U-INV", [item(904, "U-4", "100.00")])
        self.invoice(order)
        body["payload"]["status"] = "100"
        self.assert_updated(self.receive(body), "flagged")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.omnitron_cancelled_late)

    def test_one_cancelled_item_drops_its_line_to_zero_and_its_delivery_shrinks(self):
        body, order = self.imported("U-PART", [item(905, "U-5", "100.00"), item(906, "U-6", "50.00")])
        body["payload"]["orderitem_set"][1]["status"] = "100"
        body["payload"]["amount"] = "100.00"
        outcome = self.receive(body)
        self.assert_updated(outcome, "item 906", "items 906 set to quantity 0")
        line = order.order_line.filtered(lambda line: line.omnitron_item_pk == 906)
        self.assertEqual(line.product_uom_qty, 0)
        self.assertEqual(order.state, "sale")
        moves = order.picking_ids.move_ids.filtered(lambda move: move.state != "cancel")
        self.assertEqual(moves.product_id.default_code, "U-5")
        # The new amount is what still stands: applied, not flagged.
        self.assertFalse(order.omnitron_changed)
        self.assertEqual(order.omnitron_amount, 100.0)

    def test_a_refund_before_invoicing_is_flagged_without_a_credit_note(self):
        body, order = self.imported("U-REF", [item(907, "U-7", "100.00")])
        body["payload"]["orderitem_set"][0]["status"] = "600"
        body["payload"]["refund_amount"] = "100.00"
        self.assert_updated(self.receive(body), "refund flagged")
        self.assertTrue(order.omnitron_refunded)
        self.assertFalse(order.invoice_ids.filtered(lambda move: move.move_type == "out_refund"))
        self.assertEqual(order.omnitron_refund_amount, 100.0)
        self.assertTrue(order.activity_ids)

    def test_a_refund_after_invoicing_credits_the_refunded_items_once_they_are_back(self):
        body, order = self.imported("U-REF2", [item(908, "U-8", "100.00"), item(909, "U-9", "60.00")])
        self.ship(order)
        invoice = self.invoice(order)
        body["payload"]["orderitem_set"][1]["status"] = "600"
        body["payload"]["refund_amount"] = "60.00"
        self.assert_updated(self.receive(body), "refund flagged", "return receipt")
        self.take_back(self.returns_of(order))
        credit_note = order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(credit_note.reversed_entry_id, invoice)
        self.assertEqual(credit_note.invoice_line_ids.product_id.default_code, "U-9")
        self.assertAlmostEqual(credit_note.amount_total, 60.0)
        self.assertTrue(order.omnitron_refunded)

    def test_a_late_older_delivery_never_undoes_what_was_applied(self):
        body, order = self.imported("U-OLD", [item(910, "U-10", "100.00")])
        shipped = self.order("U-OLD", [item(910, "U-10", "100.00", status="500")], status="500")
        shipped["payload"]["tracking_number"] = "TRACK-2"
        self.assert_updated(self.receive(shipped), "400 (approved) → 500 (shipped)")
        late = self.receive(body)  # the "approved" delivery, arriving last
        self.assert_ignored(late, "outdated_update", "500 (shipped)")
        self.assertEqual(order.omnitron_status, "500")
        self.assertEqual(order.omnitron_tracking_number, "TRACK-2")
        self.assertEqual(order.order_line.filtered("omnitron_item_pk").omnitron_status, "500")

    def test_an_older_modified_date_changes_nothing(self):
        body, order = self.imported("U-DATE", [item(911, "U-11", "100.00")], modified_date="2024-05-02T10:00:00Z")
        body["payload"].update(modified_date="2024-05-01T10:00:00Z", tracking_number="OLD")
        self.assert_ignored(self.receive(body), "outdated_update", "2024-05-01")
        self.assertNotEqual(order.omnitron_tracking_number, "OLD")

    def test_waiting_for_payment_is_a_quotation_until_omnitron_approves_it(self):
        body, order = self.imported("U-546", [item(912, "U-12", "100.00", status="546")], status="546")
        self.assertEqual(order.state, "draft")
        body["payload"]["status"] = "400"
        body["payload"]["orderitem_set"][0]["status"] = "400"
        self.assert_updated(self.receive(body), "order confirmed")
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.picking_ids)

    def test_what_is_never_applied_silently_flags_the_order_once(self):
        body, order = self.imported("U-CHG", [item(913, "U-13", "100.00")])
        body["payload"]["orderitem_set"][0]["price"] = "90.00"
        body["payload"]["amount"] = "90.00"
        body["payload"]["shipping_address"] = {**body["payload"]["shipping_address"], "line": "Yeni Sokak 5"}
        outcome = self.receive(body)
        self.assert_updated(outcome, "item 913 price 100.00 → 90.00", "shipping address now Yeni Sokak 5")
        line = order.order_line.filtered("omnitron_item_pk")
        self.assertEqual(line.price_unit, 100.0)
        self.assertNotEqual(order.partner_shipping_id.street, "Yeni Sokak 5")
        self.assertTrue(order.omnitron_changed)
        self.assertEqual(len(order.activity_ids), 1)
        # The same differences again: already said, nothing new.
        self.assert_ignored(self.receive(body), "duplicate_order")
        self.assertEqual(len(order.activity_ids), 1)

    def test_tracking_and_invoice_fields_are_applied_to_the_order_and_its_items(self):
        body, order = self.imported("U-TRK", [item(914, "U-14", "100.00")])
        body["payload"].update(status="500", tracking_number="YK-1", invoice_number="INV-9")
        body["payload"]["orderitem_set"][0].update(
            status="500", tracking_number="YK-1", invoice_number="INV-9", e_archive_url="https://e.example/9"
        )
        self.assert_updated(self.receive(body), "tracking number YK-1", "item 914")
        line = order.order_line.filtered("omnitron_item_pk")
        self.assertEqual((order.omnitron_tracking_number, order.omnitron_invoice_number), ("YK-1", "INV-9"))
        self.assertEqual((line.omnitron_status, line.omnitron_e_archive_url), ("500", "https://e.example/9"))
        # Absent values later never erase them.
        body["payload"].update(status="550", tracking_number=None)
        self.assert_updated(self.receive(body), "500 (shipped) → 550 (delivered)")
        self.assertEqual(order.omnitron_tracking_number, "YK-1")

    def test_a_new_cargo_company_moves_the_order_and_its_open_delivery_to_its_carrier(self):
        other = self.env["delivery.carrier"].create(
            {
                "name": "Aras",
                "product_id": self.carrier.product_id.id,
                "omnitron_shipping_company": "aras",
                "omnitron_erp_code": "aras",
            }
        )
        body, order = self.imported("U-CARGO", [item(915, "U-15", "100.00")])
        body["payload"]["cargo_company"] = {"name": "Aras", "shipping_company": "aras", "erp_code": "aras"}
        self.assert_updated(self.receive(body), "carrier Aras")
        self.assertEqual(order.carrier_id, other)
        self.assertEqual(order.picking_ids.carrier_id, other)

    def test_a_merged_item_becomes_one_line_of_its_quantity_priced_per_unit_or_per_row(self):
        for number, amount, price_unit in (("M-UNIT", "300.00", 100.0), ("M-ROW", "100.00", 25.0)):
            with self.subTest(number=number):
                merged = item(916 if number == "M-UNIT" else 917, "U-16", "100.00")
                merged["attributes"] = {"quantity": 3 if number == "M-UNIT" else 4}
                body = self.order(number, [merged])
                body["payload"]["amount"] = amount
                self.assertEqual(self.receive(body).status, 204)
                order = self.omnitron_orders(number)
                line = order.order_line.filtered("omnitron_item_pk")
                self.assertEqual(line.product_uom_qty, merged["attributes"]["quantity"])
                self.assertEqual(line.price_unit, price_unit)
                self.assertFalse(order.omnitron_amount_mismatch)

    def test_the_quantity_key_is_a_setting(self):
        self.set_params(item_quantity_key="adet")
        merged = item(918, "U-18", "10.00")
        merged["attributes"] = {"adet": "2"}
        body = self.order("M-KEY", [merged])
        body["payload"]["amount"] = "20.00"
        self.assertEqual(self.receive(body).status, 204)
        self.assertEqual(self.omnitron_orders("M-KEY").order_line.filtered("omnitron_item_pk").product_uom_qty, 2)

    def test_an_item_cancelled_before_the_import_gets_nothing_to_ship(self):
        body = self.order("U-PRE", [item(919, "U-19", "100.00"), item(920, "U-20", "40.00", status="100")])
        body["payload"]["amount"] = "100.00"  # what is left to pay
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("U-PRE")
        self.assertFalse(order.omnitron_amount_mismatch)
        cancelled = order.order_line.filtered(lambda line: line.omnitron_item_pk == 920)
        self.assertEqual(cancelled.product_uom_qty, 0)
        self.assertEqual(order.picking_ids.move_ids.product_id.default_code, "U-19")

    def test_a_cancelled_item_of_a_locked_order_is_dropped_all_the_same(self):
        body, order = self.imported("U-LOCK", [item(921, "U-21", "100.00"), item(922, "U-22", "50.00")])
        order.action_lock()
        body["payload"]["orderitem_set"][1]["status"] = "100"
        self.assert_updated(self.receive(body), "items 922 set to quantity 0")
        self.assertEqual(order.order_line.filtered(lambda line: line.omnitron_item_pk == 922).product_uom_qty, 0)
        self.assertTrue(order.locked)

    def test_a_refund_of_an_undelivered_order_cancels_it(self):
        body, order = self.imported("U-REF0", [item(923, "U-23", "100.00")])
        body["payload"]["status"] = "600"
        body["payload"]["orderitem_set"][0]["status"] = "600"
        self.assert_updated(self.receive(body), "refunded before delivery or invoice")
        self.assertEqual(order.state, "cancel")
        self.assertFalse(order.omnitron_refunded)

    def test_another_sku_currency_tax_rate_or_customer_is_flagged_once_and_never_applied(self):
        def sku(body):
            body["payload"]["orderitem_set"][0]["product"]["sku"] = "U-OTHER"

        def currency(body):
            body["payload"]["currency"] = "EUR"

        def tax_rate(body):
            body["payload"]["orderitem_set"][0]["tax_rate"] = "8.00"

        def name(body):
            body["payload"]["customer"] = {**body["payload"]["customer"], "last_name": "Rossi"}

        def email(body):
            body["payload"]["customer"] = {**body["payload"]["customer"], "email": "new@example.com"}

        cases = (
            (sku, 931, "item 931 sku U-31 → U-OTHER"),
            (currency, 932, "currency TRY → EUR"),
            (tax_rate, 933, "item 933 tax rate 20 → 8"),
            (name, 934, "customer name"),
            (email, 935, "customer e-mail"),
        )
        for change, pk, words in cases:
            with self.subTest(words):
                body, order = self.imported(f"U-DIFF-{pk}", [item(pk, f"U-{pk - 900}", "100.00")])
                line = order.order_line.filtered("omnitron_item_pk")
                product, taxes, partner = line.product_id, line.tax_id, order.partner_id
                customer = (partner.name, partner.email)
                change(body)
                self.assert_updated(self.receive(body), words, "flagged as changed in Omnitron")
                self.assertTrue(order.omnitron_changed)
                self.assertEqual(len(order.activity_ids), 1)
                self.assertIn(words, order.omnitron_reported_differences)
                self.assertEqual((line.product_id, line.tax_id, order.partner_id), (product, taxes, partner))
                self.assertEqual(order.currency_id.name, "TRY")
                self.assertEqual((partner.name, partner.email), customer)
                # The same difference again: already said, nothing new.
                self.assert_ignored(self.receive(body), "duplicate_order")
                self.assertEqual(len(order.activity_ids), 1)

    def test_a_staff_renamed_customer_or_product_reference_is_no_change_in_omnitron(self):
        body, order = self.imported("U-STAFF", [item(936, "U-36", "100.00")])
        order.partner_id.write({"name": "Renamed by staff", "email": "staff@example.com"})
        order.order_line.filtered("omnitron_item_pk").product_id.default_code = "STAFF-REF"
        self.assert_ignored(self.receive(body), "duplicate_order")
        self.assertFalse(order.omnitron_changed)

    def test_a_delivery_dated_far_in_the_future_does_not_freeze_the_order(self):
        now = fields.Datetime.now()
        body, order = self.imported(
            "U-FUTURE", [item(937, "U-37", "100.00")], modified_date=(now - timedelta(hours=2)).isoformat() + "Z"
        )
        body["payload"].update(status="450", modified_date="9999-12-31T00:00:00Z")
        self.assert_updated(self.receive(body), "400 (approved) → 450 (preparing)")
        body["payload"].update(status="100", modified_date=(now - timedelta(minutes=1)).isoformat() + "Z")
        self.assert_updated(self.receive(body), "450 (preparing) → 100 (cancelled)", "order cancelled")
        self.assertEqual(order.state, "cancel")

    def test_omnitron_moving_a_cancelled_order_on_is_flagged_with_an_activity(self):
        now = fields.Datetime.now()
        dated = lambda minutes: (now - timedelta(minutes=minutes)).isoformat() + "Z"  # noqa: E731
        body, order = self.imported("U-REOPEN", [item(938, "U-38", "100.00")], modified_date=dated(30))
        body["payload"].update(status="100", modified_date=dated(20))
        self.assert_updated(self.receive(body), "order cancelled")
        self.assertEqual(order.state, "cancel")
        body["payload"].update(status="400", modified_date=dated(10))
        self.assert_updated(self.receive(body), "100 (cancelled) → 400 (approved)", "Odoo keeps the order cancelled")
        self.assertEqual((order.state, order.omnitron_status), ("cancel", "400"))
        self.assertTrue(order.omnitron_changed)
        self.assertEqual(len(order.activity_ids), 1)
        self.assertIn("Approved", order.activity_ids.note)
        self.assertNotIn("400", order.activity_ids.note)
        self.assert_ignored(self.receive(body), "duplicate_order")
        self.assertEqual(len(order.activity_ids), 1)
