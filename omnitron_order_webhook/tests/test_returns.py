"""Returns: what Omnitron refunded of delivered goods comes back through Odoo's return receipt,
and the credit note follows what was received."""

import time

from lxml import etree

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import OmnitronApiCase, OmnitronCase, item


def merged_item(pk, sku, price, quantity):
    """An item standing for ``quantity`` units (the item quantity key of the settings)."""
    line = item(pk, sku, price)
    line["attributes"] = {"quantity": quantity}
    return line


def credit_notes(sale_order):
    return sale_order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")


def credited_lines(credit_note):
    """What ``credit_note`` credits: {sku or "shipping": quantity}."""
    return {
        "shipping" if line.sale_line_ids.is_delivery else line.product_id.default_code: line.quantity
        for line in credit_note.invoice_line_ids
        if line.display_type == "product"
    }


@tagged("post_install", "-at_install")
class TestReturns(OmnitronCase):
    def imported(self, number, items, **changes):
        body = self.order(number, items, **changes)
        self.assertEqual(self.receive(body).status, 204)
        return body, self.omnitron_orders(number)

    def refund(self, body, *pks, order_status=None):
        """Omnitron's next delivery of ``body`` with items ``pks`` refunded (status 600)."""
        refunded = 0.0
        for line in body["payload"]["orderitem_set"]:
            if line["pk"] in pks:
                line["status"] = "600"
                refunded += float(line["price"])
        body["payload"]["refund_amount"] = f"{float(body['payload'].get('refund_amount') or 0) + refunded:.2f}"
        if order_status:
            body["payload"]["status"] = order_status
        outcome = self.receive(body)
        self.assertEqual(outcome.body["reason"], "order_updated", outcome.body)
        return outcome

    def test_a_refund_of_delivered_items_makes_a_return_receipt_of_exactly_them_ready_to_receive(self):
        body, order = self.imported("R-ONE", [item(2101, "R-1", "100.00"), item(2102, "R-2", "60.00")])
        delivery = self.ship(order)
        outcome = self.refund(body, 2102)
        receipt = self.returns_of(order)
        self.assertEqual(len(receipt), 1)
        self.assertIn(receipt.name, outcome.body["detail"])
        self.assertEqual(
            (receipt.return_id, receipt.picking_type_code, receipt.state), (delivery, "incoming", "assigned")
        )
        self.assertEqual(receipt.company_id, order.company_id)
        self.assertEqual(receipt.location_dest_id.warehouse_id, delivery.picking_type_id.warehouse_id)
        self.assertEqual(
            [(move.product_id.default_code, move.product_uom_qty) for move in receipt.move_ids], [("R-2", 1.0)]
        )
        self.assertEqual(receipt.omnitron_return_source, "omnitron")
        self.assertEqual(order.omnitron_return_count, 1)
        self.assertEqual(
            receipt.activity_ids.mapped("summary"), [f"Receive the return of {order.name} — 1 items"], "the warehouse"
        )
        self.assertIn(receipt.name, order.omnitron_action_note)
        self.assertFalse(credit_notes(order), "nothing invoiced: nothing to credit")

    def test_a_merged_item_comes_back_in_its_quantity_and_a_refund_never_asks_for_more_than_was_delivered(self):
        body, order = self.imported("R-MERGED", [merged_item(2103, "R-3", "300.00", 3)])
        delivery = order.picking_ids
        move = delivery.move_ids
        move.quantity = 2
        move.picked = True
        delivery._action_done()  # 2 shipped, 1 left in a backorder
        self.refund(body, 2103)
        self.assertEqual(self.returns_of(order).move_ids.product_uom_qty, 2.0, "what was delivered, not 3")
        backorder = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing" and p != delivery)
        self.assertEqual(backorder.state, "cancel", "the rest is never shipped")

    def test_a_refund_told_again_makes_no_second_receipt_for_what_is_already_awaited(self):
        body, order = self.imported("R-TWICE", [item(2104, "R-4", "100.00"), item(2105, "R-5", "60.00")])
        self.ship(order)
        self.refund(body, 2104)
        # Then the whole order is refunded: only R-5 is still out there.
        self.refund(body, 2104, 2105, order_status="600")
        returned = self.returns_of(order).move_ids
        self.assertEqual(
            sorted((move.product_id.default_code, move.product_uom_qty) for move in returned),
            [("R-4", 1.0), ("R-5", 1.0)],
        )

    def test_validating_the_return_credits_the_posted_invoice_for_what_was_received(self):
        body, order = self.imported("R-CREDIT", [item(2106, "R-6", "100.00"), item(2107, "R-7", "60.00")])
        self.ship(order)
        invoice = self.invoice(order)
        self.refund(body, 2107)
        self.assertFalse(credit_notes(order), "the credit note waits for the goods")
        receipt = self.take_back(self.returns_of(order))
        credit_note = credit_notes(order)
        self.assertEqual((credit_note.state, credit_note.reversed_entry_id), ("draft", invoice))
        self.assertEqual(
            [(line.product_id.default_code, line.quantity) for line in credit_note.invoice_line_ids], [("R-7", 1.0)]
        )
        self.assertAlmostEqual(credit_note.amount_total, 60.0)
        self.assertIn(f"Return {receipt.name} received: R-7 × 1.", order.omnitron_action_note)
        self.assertIn("check and post it", order.omnitron_action_note)
        self.assertIn(receipt.name, " ".join(order.message_ids.mapped("body")))
        self.assertFalse(receipt.activity_ids, "the warehouse's activity is done")
        self.assertEqual(order.order_line.filtered(lambda line: line.omnitron_item_pk == 2107).qty_delivered, 0.0)

    def test_a_warehouse_user_without_sales_or_accounting_rights_receives_a_return_and_it_is_credited(self):
        body, order = self.imported("R-WH", [item(2112, "R-12", "100.00")])
        self.ship(order)
        self.invoice(order)
        self.refund(body, 2112)
        warehouse_user = new_test_user(self.env, login="omnitron-returns-warehouse", groups="stock.group_stock_user")
        receipt = self.returns_of(order).with_user(warehouse_user)
        self.take_back(receipt)
        self.assertEqual(credit_notes(order).state, "draft")
        note = order.message_ids.filtered(lambda message: receipt.name in (message.body or ""))[:1]
        self.assertEqual(note.author_id, warehouse_user.partner_id, "the chatter says who received it")

    def test_a_partial_receipt_credits_what_came_back_and_says_what_is_still_expected(self):
        body, order = self.imported("R-PART", [merged_item(2108, "R-8", "300.00", 3)])
        self.ship(order)
        self.invoice(order)
        self.refund(body, 2108)
        self.take_back(self.returns_of(order), {"R-8": 2})
        credit_note = credit_notes(order)
        self.assertEqual(credit_note.invoice_line_ids.quantity, 2.0)
        self.assertAlmostEqual(credit_note.amount_total, 200.0)
        rest = self.returns_of(order).filtered(lambda receipt: receipt.state not in ("done", "cancel"))
        self.assertEqual(rest.move_ids.product_uom_qty, 1.0, "Odoo's backorder of the return")
        self.assertIn(f"Still expected back: R-8 × 1 ({rest.name}).", order.omnitron_action_note)
        # The last one comes: a second credit note for it, nothing expected any more.
        self.take_back(rest)
        self.assertEqual(sorted(credit_notes(order).invoice_line_ids.mapped("quantity")), [1.0, 2.0])

    def test_a_refund_naming_an_item_the_order_does_not_have_is_flagged_with_its_pk(self):
        body, order = self.imported("R-ALIEN", [item(2113, "R-13", "100.00")])
        self.ship(order)
        body["payload"]["orderitem_set"].append(item(2999, "R-ALIEN", "10.00", status="600"))
        outcome = self.receive(body)
        self.assertIn("2999", outcome.body["detail"])
        self.assertTrue(order.omnitron_needs_action)
        self.assertIn("2999", order.omnitron_action_note)
        self.assertFalse(self.returns_of(order), "nothing of the order's own comes back")

    def test_the_account_may_post_the_credit_note_at_once(self):
        self.account.return_credit_note = "post"
        body, order = self.imported("R-POST", [item(2109, "R-9", "100.00")])
        self.ship(order)
        invoice = self.invoice(order)
        self.refund(body, 2109, order_status="600")
        self.take_back(self.returns_of(order))
        credit_note = credit_notes(order)
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(invoice.payment_state, "reversed", "posted against the open invoice")
        # Nothing is left to do: the refund's matter closed by its documents, its sentence kept on it.
        refund = order.omnitron_matter_ids.filtered(lambda matter: matter.kind == "refunded")
        self.assertEqual((refund.state, refund.closed_reason), ("closed", "documents"))
        self.assertIn("posted against the open invoice", refund.sentence)
        self.assertFalse(order.omnitron_refunded)

    def test_the_channel_card_counts_returns_expected_and_received_and_the_order_list_filters_them(self):
        body, order = self.imported("R-DASH", [item(2111, "R-11", "100.00")])
        self.ship(order)
        self.refund(body, 2111)
        channel = order.omnitron_channel_id
        channel.invalidate_recordset()
        self.assertEqual((channel.returns_expected, channel.returns_received_this_week), (1, 0))
        # The list's filter, as the search view defines it.
        arch = self.env["sale.order"].get_view(view_type="search")["arch"]
        [node] = etree.fromstring(arch).xpath("//filter[@name='omnitron_return_expected']")
        domain = safe_eval(node.get("domain"))
        self.assertIn(order, self.env["sale.order"].search(domain))
        self.take_back(self.returns_of(order))
        channel.invalidate_recordset()
        self.assertEqual((channel.returns_expected, channel.returns_received_this_week), (0, 1))
        self.assertNotIn(order, self.env["sale.order"].search(domain))

    def test_a_refund_of_invoiced_goods_not_delivered_is_credited_at_once_without_a_receipt(self):
        body, order = self.imported("R-UNSHIPPED", [item(2110, "R-10", "100.00")])
        self.invoice(order)
        self.refund(body, 2110)
        self.assertFalse(self.returns_of(order))
        self.assertEqual(credit_notes(order).state, "draft")


@tagged("post_install", "-at_install")
class TestReturnsMadeInOdoo(OmnitronApiCase):
    def imported(self, number, items, **changes):
        with trap_jobs():  # the import's own job (is_send) is tested on its own
            self.assertEqual(self.receive(self.order(number, items, **changes)).status, 204)
        order = self.omnitron_orders(number)
        with trap_jobs():
            delivery = self.ship(order)
        return order, delivery

    def return_in_odoo(self, delivery, quantities):
        """Odoo's *Return* on a done delivery, as staff use it: ``quantities`` by sku."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
            .create({"picking_id": delivery.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = quantities.get(line.product_id.default_code, 0)
        return self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])

    def cancel_calls(self):
        return [call for call in self.api.calls if call.path.endswith("/cancel/") and 200 <= call.status < 300]

    def test_a_return_made_in_odoo_asks_omnitron_once_to_refund_the_items_that_came_back(self):
        self.account.return_credit_note = "post"
        order, delivery = self.imported("RO-ONE", [item(2201, "RO-1", "100.00"), item(2202, "RO-2", "60.00")])
        with trap_jobs():
            self.invoice(order)
        receipt = self.return_in_odoo(delivery, {"RO-2": 1})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        credit_note = receipt.omnitron_credit_note_ids
        self.assertEqual((credit_note.state, credit_note.move_type), ("posted", "out_refund"))
        [call] = self.cancel_calls()
        self.assertEqual(call.path, f"/api/i1/orders/{order.omnitron_pk}/cancel/")
        self.assertEqual(
            call.body,
            {
                "order": order.omnitron_pk,
                "is_all": False,
                "cancel_items": [2202],
                "reasons": {"2202": 7},
                "forced_refund_amount": None,
                "is_cargo_refund": False,
                "refund_invoice_number": credit_note.name,
            },
        )
        line = order.order_line.filtered(lambda line: line.omnitron_item_pk == 2202)
        self.assertEqual(line.omnitron_status, "600")
        # Omnitron's next delivery says so, with the refund it made: no news — no flag, no new
        # receipt or credit note, no second call.
        body = self.order(
            "RO-ONE",
            [item(2201, "RO-1", "100.00"), item(2202, "RO-2", "60.00", status="600")],
            refund_amount="60.00",
        )
        with trap_jobs() as trap:
            self.assertEqual(self.receive(body).body["reason"], "order_updated")
            trap.perform_enqueued_jobs()
        self.assertEqual(len(self.cancel_calls()), 1)
        self.assertEqual(self.returns_of(order), receipt)
        self.assertEqual(credit_notes(order), credit_note)
        self.assertEqual((order.omnitron_refund_amount, order.omnitron_refund_asked), (60.0, 0.0))
        self.assertFalse(order.omnitron_refunded or order.omnitron_needs_action, order.omnitron_action_note)

    def test_with_draft_credit_notes_the_refund_request_waits_for_the_posting_and_carries_its_number(self):
        self.assertEqual(self.account.return_credit_note, "draft", "the default")
        order, delivery = self.imported("RO-WAIT", [item(2212, "RO-12", "100.00")])
        with trap_jobs():
            self.invoice(order)
        receipt = self.return_in_odoo(delivery, {"RO-12": 1})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.assert_jobs_count(0)
        credit_note = receipt.omnitron_credit_note_ids
        self.assertEqual(credit_note.state, "draft")
        self.assertEqual(receipt.omnitron_return_waiting_items, [2212])
        self.assertIn("once credit note", " ".join(order.message_ids.mapped("body")))
        # The accountant posts it: Omnitron is asked now, with the number.
        with trap_jobs() as trap:
            credit_note.action_post()
            trap.assert_jobs_count(1)
            trap.perform_enqueued_jobs()
        [call] = self.cancel_calls()
        self.assertEqual((call.body["cancel_items"], call.body["refund_invoice_number"]), ([2212], credit_note.name))
        self.assertFalse(receipt.omnitron_return_waiting_items)
        with trap_jobs() as trap:
            credit_note.button_draft()
            credit_note.action_post()
            trap.assert_jobs_count(0)

    def test_omnitron_refunding_more_than_odoo_asked_flags_only_what_goes_beyond(self):
        order, delivery = self.imported("RO-MORE", [item(2206, "RO-6", "100.00"), item(2207, "RO-7", "60.00")])
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-7": 1}))
            trap.perform_enqueued_jobs()
        self.assertEqual(order.omnitron_refund_asked, 60.0)
        body = self.order(
            "RO-MORE",
            [item(2206, "RO-6", "100.00"), item(2207, "RO-7", "60.00", status="600")],
            refund_amount="75.00",
        )
        with trap_jobs():
            self.receive(body)
        self.assertTrue(order.omnitron_refunded)
        self.assertIn("15.00", order.omnitron_action_note)
        self.assertNotIn("2207", order.omnitron_action_note)
        self.assertEqual(len(self.returns_of(order)), 1, "no receipt for what already came back")

    def test_everything_returned_in_odoo_then_the_order_refunded_in_omnitron_is_no_news(self):
        # Credited in full, the shipping too: still an order that was sold and shipped.
        self.account.write({"return_credit_note": "post", "return_is_cargo_refund": True})
        order, delivery = self.imported(
            "RO-ALL", [item(2208, "RO-8", "100.00"), item(2209, "RO-9", "60.00")], shipping="12.00"
        )
        with trap_jobs():
            self.invoice(order)
        receipt = self.return_in_odoo(delivery, {"RO-8": 1, "RO-9": 1})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.perform_enqueued_jobs()
        credited = credit_notes(order)
        self.assertEqual(len(credited), 1)
        body = self.order(
            "RO-ALL",
            [item(2208, "RO-8", "100.00", status="600"), item(2209, "RO-9", "60.00", status="600")],
            status="600",
            shipping="12.00",
            refund_amount="172.00",
        )
        with trap_jobs():
            self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(order.omnitron_status, "600")
        self.assertEqual(order.state, "sale", "not cancelled as if nothing had shipped")
        self.assertEqual((self.returns_of(order), credit_notes(order)), (receipt, credited))
        self.assertEqual((credited.state, credited.amount_total), ("posted", order.amount_total))
        self.assertFalse(order.omnitron_refund_asked, "Omnitron answered every item Odoo asked for")
        self.assertFalse(order.omnitron_refunded or order.omnitron_needs_action, order.omnitron_action_note)

    def test_a_return_without_a_posted_credit_note_omits_its_number_and_can_refund_shipping(self):
        self.account.return_is_cargo_refund = True
        order, delivery = self.imported("RO-DRAFT", [item(2203, "RO-3", "100.00")])
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-3": 1}))
            trap.perform_enqueued_jobs()
        [call] = self.cancel_calls()
        self.assertNotIn("refund_invoice_number", call.body)
        self.assertTrue(call.body["is_cargo_refund"])

    def test_when_the_account_refunds_the_cargo_the_first_return_credits_the_shipping_too(self):
        # Posted at once: the refund request goes when the receipt is validated (drafts wait for posting).
        self.account.return_credit_note = "post"
        self.account.return_is_cargo_refund = True
        with trap_jobs():
            body = self.order(
                "RO-CARGO", [item(2210, "RO-10", "100.00"), item(2211, "RO-11", "60.00")], shipping="12.00"
            )
            self.assertEqual(self.receive(body).status, 204)
            order = self.omnitron_orders("RO-CARGO")
            delivery = self.ship(order)
            invoice = self.invoice(order)
        shipping = order.order_line.filtered("is_delivery")
        self.assertIn(shipping, invoice.invoice_line_ids.sale_line_ids, "the shipping was invoiced")
        first = self.return_in_odoo(delivery, {"RO-11": 1})
        with trap_jobs() as trap:
            self.take_back(first)
            trap.perform_enqueued_jobs()
        self.assertEqual(credited_lines(first.omnitron_credit_note_ids), {"RO-11": 1.0, "shipping": 1.0})
        # The cargo was refunded once: the next return credits its goods only.
        second = self.return_in_odoo(delivery, {"RO-10": 1})
        with trap_jobs() as trap:
            self.take_back(second)
            trap.perform_enqueued_jobs()
        self.assertEqual(credited_lines(second.omnitron_credit_note_ids), {"RO-10": 1.0})
        self.assertEqual(
            [(call.body["cancel_items"], call.body["is_cargo_refund"]) for call in self.cancel_calls()],
            [([2211], True), ([2210], False)],
            "Omnitron is asked for the cargo once, with the return whose credit note has it",
        )
        asked = {
            line.omnitron_item_pk: line.omnitron_refund_asked for line in order.order_line.filtered("omnitron_item_pk")
        }
        self.assertEqual(asked, {2211: 72.0, 2210: 100.0})

    def test_goods_and_shipping_billed_on_two_invoices_are_credited_against_the_invoice_that_billed_each(self):
        # Posted at once: the refund request goes when the receipt is validated (drafts wait for posting).
        self.account.return_credit_note = "post"
        self.account.return_is_cargo_refund = True
        with trap_jobs():
            body = self.order("RO-TWO", [item(2217, "RO-17", "100.00"), item(2218, "RO-18", "60.00")], shipping="12.00")
            self.assertEqual(self.receive(body).status, 204)
            order = self.omnitron_orders("RO-TWO")
            first_delivery = order.picking_ids
            self.take_back(first_delivery, {"RO-17": 1})  # RO-18 waits in Odoo's backorder
            first_invoice = self.invoice(order)  # RO-17 and the shipping
            second_delivery = self.ship(order)
            second_invoice = self.invoice(order)  # RO-18
        self.assertEqual(credited_lines(second_invoice), {"RO-18": 1.0})
        receipt = self.return_in_odoo(second_delivery, {"RO-18": 1})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.perform_enqueued_jobs()
        by_invoice = {
            credit_note.reversed_entry_id: credited_lines(credit_note)
            for credit_note in receipt.omnitron_credit_note_ids
        }
        self.assertEqual(by_invoice, {second_invoice: {"RO-18": 1.0}, first_invoice: {"shipping": 1.0}})
        [call] = self.cancel_calls()
        self.assertEqual((call.body["cancel_items"], call.body["is_cargo_refund"]), ([2218], True))

    def test_a_return_credits_no_shipping_when_the_account_does_not_refund_the_cargo(self):
        # Posted at once: the refund request goes when the receipt is validated (drafts wait for posting).
        self.account.return_credit_note = "post"
        with trap_jobs():
            body = self.order("RO-NOCARGO", [item(2212, "RO-12", "100.00")], shipping="12.00")
            self.assertEqual(self.receive(body).status, 204)
            order = self.omnitron_orders("RO-NOCARGO")
            delivery = self.ship(order)
            self.invoice(order)
        receipt = self.return_in_odoo(delivery, {"RO-12": 1})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.perform_enqueued_jobs()
        self.assertEqual(credited_lines(receipt.omnitron_credit_note_ids), {"RO-12": 1.0})
        self.assertFalse(self.cancel_calls()[0].body["is_cargo_refund"])

    def test_a_return_omnitron_cannot_hear_of_is_flagged_and_its_later_refund_credits_nothing_twice(self):
        order, delivery = self.imported("RO-OFF", [item(2213, "RO-13", "100.00"), item(2214, "RO-14", "60.00")])
        with trap_jobs():
            self.invoice(order)
        self.account.outbound_enabled = False
        receipt = self.return_in_odoo(delivery, {"RO-14": 1})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.assert_jobs_count(0)
        self.assertTrue(order.omnitron_return_unsent)
        self.assertIn("2214 came back, but Omnitron was not told", order.omnitron_action_note)
        self.assertIn("switched off", order.omnitron_action_note)
        [draft] = credit_notes(order)
        self.assertEqual(draft.state, "draft")
        # Staff refund the item in Omnitron by hand; its next delivery says so.
        body = self.order("RO-OFF", [item(2213, "RO-13", "100.00"), item(2214, "RO-14", "60.00", status="600")])
        body["payload"]["refund_amount"] = "60.00"
        with trap_jobs():
            self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(credit_notes(order), draft, "what came back was credited once")
        line = order.order_line.filtered(lambda line: line.omnitron_item_pk == 2214)
        self.assertEqual((line.product_uom_qty, line.qty_to_invoice), (1.0, 0.0), "the sale stands; nothing to invoice")
        self.assertNotEqual(order.invoice_status, "to invoice")

    def test_a_refund_omnitron_accepted_but_answered_too_late_is_asked_once_and_a_second_return_is_an_over_return(
        self,
    ):
        # Posted at once: the refund request goes when the receipt is validated (drafts wait for posting).
        self.account.return_credit_note = "post"
        body = self.order("RO-LOST", [item(2231, "RO-31", "100.00"), item(2232, "RO-32", "60.00")])
        self.api.add_order(body["payload"], is_send=True)
        with trap_jobs():
            self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("RO-LOST")
        with trap_jobs():
            delivery = self.ship(order)
            self.invoice(order)
        # Omnitron takes the refund, but answers after the account's 1 s deadline.
        self.api.hang_next(1.5, path="/cancel/")
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-32": 1}))
            [job] = trap.enqueued_jobs
            with self.assertRaises(RetryableJobError) as caught:
                job.perform()
            self.assertIn("did not answer within 1 seconds", str(caught.exception))
            deadline = time.monotonic() + 5
            while not self.cancel_calls() and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(len(self.cancel_calls()), 1, "Omnitron took it, late")
            result = job.perform()  # the retry reads the order back first
        self.assertIn("Omnitron had items 2232 cancelled or refunded already", result)
        self.assertEqual(len(self.cancel_calls()), 1, "the customer is refunded once")
        line = order.order_line.filtered(lambda line: line.omnitron_item_pk == 2232)
        self.assertEqual(line.omnitron_status, "600")
        self.assertFalse(order.omnitron_return_unsent)
        # The same item comes back once more: more than the customer kept.
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-32": 1}))
            trap.assert_jobs_count(0)
        self.assertEqual(len(self.cancel_calls()), 1)
        self.assertTrue(order.omnitron_over_return)
        self.assertFalse(order.omnitron_return_unsent, "nobody is told to refund the customer again")
        self.assertIn("2232 came back, but Omnitron had refunded or cancelled them already", order.omnitron_action_note)
        self.assertNotIn("Refund the customer", order.omnitron_action_note)

    def test_a_merged_item_shipped_during_an_outage_and_returned_before_its_retry_is_told_shipped_then_refunded(self):
        with trap_jobs():
            self.assertEqual(self.receive(self.order("RO-OUT", [merged_item(2241, "RO-41", "300.00", 3)])).status, 204)
        order = self.omnitron_orders("RO-OUT")
        self.api.fail_for(5)  # Omnitron is down when the delivery is validated
        with trap_jobs() as trap:
            delivery = self.ship(order)
            [shipment] = trap.enqueued_jobs
            with self.assertRaises(RetryableJobError):
                shipment.perform()
        self.api.fail_for(0)
        self.assertEqual(order.order_line.filtered("omnitron_item_pk").omnitron_status, "400", "not told yet")
        # The customer sends all three back before the shipment job's next try.
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-41": 3}))
            [refund] = trap.enqueued_jobs
            result = refund.perform()
        told = [(call.method, call.path) for call in self.api.calls if call.status < 300 and "auth" not in call.path]
        patches = [call for call in self.api.calls if call.method == "PATCH" and call.status < 300]
        self.assertEqual(
            [entry["status"] for call in patches for entry in call.body["orderitem_set"]], ["500"], "shipped first"
        )
        self.assertEqual(told[-1], ("POST", f"/api/i1/orders/{order.omnitron_pk}/cancel/"), "then refunded")
        self.assertIn("item 2241 status 500; then refund asked of Omnitron for items 2241", result)
        # The shipment job's retry has nothing left to say.
        self.assertIn("nothing was sent", shipment.perform())
        self.assertEqual(len([call for call in self.api.calls if call.method == "PATCH" and call.status < 300]), 1)

    def test_a_return_whose_account_is_switched_off_before_its_job_runs_is_flagged_not_lost(self):
        order, delivery = self.imported("RO-LATE", [item(2219, "RO-19", "100.00")])
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-19": 1}))
            trap.assert_jobs_count(1)
            self.account.outbound_enabled = False
            trap.perform_enqueued_jobs()
        self.assertFalse(self.cancel_calls())
        self.assertTrue(order.omnitron_return_unsent)
        self.assertIn("2219 came back, but Omnitron was not told", order.omnitron_action_note)

    def test_the_delivered_part_of_a_merged_item_coming_back_while_the_rest_is_still_to_ship_is_not_told(self):
        with trap_jobs():
            self.assertEqual(self.receive(self.order("RO-BACK", [merged_item(2215, "RO-15", "300.00", 3)])).status, 204)
            order = self.omnitron_orders("RO-BACK")
            delivery = order.picking_ids
            self.take_back(delivery, {"RO-15": 2})  # 2 shipped, 1 left in Odoo's backorder
        receipt = self.return_in_odoo(delivery, {"RO-15": 2})
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.assert_jobs_count(0)
        self.assertTrue(order.omnitron_return_unsent)
        self.assertIn("2215 (2 of 3)", order.omnitron_action_note)

    def test_a_return_that_does_not_update_the_order_credits_nothing_and_tells_nobody(self):
        order, delivery = self.imported("RO-SWAP", [item(2216, "RO-16", "100.00")])
        with trap_jobs():
            self.invoice(order)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
            .create({"picking_id": delivery.id})
        )
        wizard.product_return_moves.write({"quantity": 1, "to_refund": False})  # an exchange, say
        receipt = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        with trap_jobs() as trap:
            self.take_back(receipt)
            trap.assert_jobs_count(0)
        self.assertFalse(credit_notes(order))
        self.assertFalse(receipt.omnitron_credit_note_ids)
        self.assertFalse(order.omnitron_return_unsent or order.omnitron_needs_action, order.omnitron_action_note)

    def test_a_return_that_came_from_omnitrons_refund_is_never_echoed(self):
        order, _delivery = self.imported("RO-ECHO", [item(2204, "RO-4", "100.00")])
        body = self.order("RO-ECHO", [item(2204, "RO-4", "100.00", status="600")], refund_amount="100.00")
        with trap_jobs() as trap:
            self.receive(body)
            trap.perform_enqueued_jobs()
        with trap_jobs() as trap:
            self.take_back(self.returns_of(order))
            trap.assert_jobs_count(0)
        self.assertFalse(self.cancel_calls())

    def test_part_of_a_merged_item_coming_back_is_flagged_not_sent_wrong(self):
        order, delivery = self.imported("RO-PART", [merged_item(2205, "RO-5", "300.00", 3)])
        with trap_jobs() as trap:
            self.take_back(self.return_in_odoo(delivery, {"RO-5": 1}))
            trap.assert_jobs_count(0)
        self.assertTrue(order.omnitron_return_unsent)
        self.assertTrue(order.omnitron_needs_action)
        self.assertIn("2205 (1 of 3)", order.omnitron_action_note)
