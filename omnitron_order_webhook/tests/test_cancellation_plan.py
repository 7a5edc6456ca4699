"""The cancellation-plan webhook: the same contract as the order webhook, and what a plan does."""

from odoo.tests import tagged

from .common import PLAN_URL, OmnitronCase, OmnitronHttpCase, item


@tagged("post_install", "-at_install")
class TestCancellationPlanRules(OmnitronCase):
    def imported(self, number):
        self.assertEqual(self.receive(self.order(number, [item(951, "P-1", "100.00")])).status, 204)
        return self.omnitron_orders(number)

    def test_a_plan_flags_the_order_and_tells_the_warehouse_not_to_ship(self):
        order = self.imported("P-ONE")
        outcome = self.receive(self.plan("P-ONE"), webhook="cancellation_plan")
        self.assertEqual(outcome.status, 204)
        self.assertEqual(order.omnitron_plan_request, "cancel")
        self.assertTrue(order.omnitron_needs_action)
        # The plan's order status (50, cancellation waiting) follows; nothing is cancelled yet.
        self.assertEqual((order.omnitron_status, order.state), ("50", "sale"))
        picking = order.picking_ids
        self.assertEqual(picking.activity_ids.summary, "Do not ship: cancellation requested in Omnitron")
        self.assertTrue(order.activity_ids)
        plan = order.omnitron_cancellation_plan_ids
        self.assertEqual((plan.plan_pk, plan.plan_type, plan.order_status), (2839, "cancel", "50"))
        event = self.events()[0]
        self.assertEqual((event.webhook, event.state, event.order_id), ("cancellation_plan", "updated", order))
        self.assertEqual(event.channel_pk, 20)
        # Unknown plan fields are kept in the event's payload.
        self.assertIn("payment_option", event.payload)
        # Omnitron then confirms the cancellation on the order webhook: the order is cancelled.
        body = self.order("P-ONE", [item(951, "P-1", "100.00")], status="100")
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(order.state, "cancel")

    def test_a_refund_plan_is_a_refund_request(self):
        order = self.imported("P-REF")
        self.assertEqual(self.receive(self.plan("P-REF", plan_type="refund"), webhook="cancellation_plan").status, 204)
        self.assertEqual(order.omnitron_plan_request, "refund")

    def test_a_plan_for_an_order_never_imported_is_ignored(self):
        outcome = self.receive(self.plan("P-NONE"), webhook="cancellation_plan")
        self.assert_ignored(outcome, "order_not_found", "P-NONE", "20")
        self.assertFalse(self.env["omnitron.cancellation.plan"].search([]))

    def test_a_plan_that_came_before_its_order_is_recorded_when_reprocessed(self):
        self.assert_ignored(self.receive(self.plan("P-LATER"), webhook="cancellation_plan"), "order_not_found")
        ignored = self.events()
        order = self.imported("P-LATER")
        ignored.with_user(self.manager).action_reprocess()
        self.assertEqual(order.omnitron_plan_request, "cancel")
        self.assertEqual(ignored.reprocessed_event_id.webhook, "cancellation_plan")
        self.assertEqual(ignored.reprocessed_event_id.state, "updated")

    def test_the_same_plan_twice_is_a_duplicate(self):
        order = self.imported("P-DUP")
        self.assertEqual(self.receive(self.plan("P-DUP"), webhook="cancellation_plan").status, 204)
        activities = len(order.activity_ids)
        self.assert_ignored(self.receive(self.plan("P-DUP"), webhook="cancellation_plan"), "duplicate_plan", "2839")
        self.assertEqual(len(order.activity_ids), activities)

    def test_a_plan_whose_channel_is_an_object_finds_the_order(self):
        order = self.imported("P-OBJ")
        body = self.plan("P-OBJ", channel={"pk": 20, "name": "Trendyol"})
        self.assertEqual(self.receive(body, webhook="cancellation_plan").status, 204)
        self.assertEqual(order.omnitron_plan_request, "cancel")

    def test_a_plan_of_another_company_does_not_find_this_companys_order(self):
        self.imported("P-CO")
        other = self.env["res.company"].create({"name": "Other Merchant", "currency_id": self.company.currency_id.id})
        sender = self.sender_of(other, "omnitron-sender-other-plan")
        token = sender.omnitron_generate_token()
        self.assert_ignored(
            self.receive(self.plan("P-CO"), token=token, webhook="cancellation_plan"), "order_not_found"
        )

    def test_a_plan_saying_cancelled_leaves_the_cancellation_to_the_order_webhook(self):
        order = self.imported("P-100")
        body = self.plan("P-100")
        body["payload"]["order"]["status"] = "100"
        self.assertEqual(self.receive(body, webhook="cancellation_plan").status, 204)
        self.assertEqual((order.omnitron_status, order.state), ("400", "sale"))
        self.assertEqual(order.omnitron_cancellation_plan_ids.order_status, "100")
        cancelled = self.order("P-100", [item(951, "P-1", "100.00")], status="100")
        self.assertEqual(self.receive(cancelled).body["reason"], "order_updated")
        self.assertEqual(order.state, "cancel")


@tagged("post_install", "-at_install")
class TestCancellationPlanHttp(OmnitronHttpCase):
    def test_the_done_when_path_cancel_by_update_then_a_plan_over_http(self):
        # The sample imported, re-sent unchanged, then a plan for it and a cancellation.
        self.assertEqual(self.post(self.sample()).status_code, 204)
        self.assert_ignored(self.post(self.sample()), "duplicate_order")
        response = self.post(self.plan(), url=PLAN_URL)
        self.assertEqual(response.status_code, 204, response.text)
        response = self.post(self.plan(), url=PLAN_URL.rstrip("/"))
        self.assert_ignored(response, "duplicate_plan")
        response = self.post(self.sample(status="100"))
        self.assertEqual(response.status_code, 202, self.env["omnitron.webhook.event"].search([], limit=1).detail)
        # The sample's item was shipped before the import (it left stock then): flagged for the credit note.
        body = self.assert_ignored(response, "order_updated", "cancelled after delivery or invoice: flagged")
        self.assertIn("100 (cancelled)", body["detail"])
        self.assertTrue(self.omnitron_orders().omnitron_cancelled_late)

    def test_a_plan_missing_what_finds_the_order_is_refused_naming_each_field(self):
        body = self.plan()
        del body["payload"]["pk"]
        for key in ("pk", "number", "channel"):
            del body["payload"]["order"][key]
        response = self.post(body, url=PLAN_URL)
        self.assertEqual(response.status_code, 400, response.text)
        paths = {error["path"] for error in response.json()["errors"]}
        self.assertEqual(paths, {"payload.pk", "payload.order.pk", "payload.order.number", "payload.order.channel"})
        event = self.env["omnitron.webhook.event"].search([], limit=1)
        self.assertEqual((event.webhook, event.state), ("cancellation_plan", "rejected"))

    def test_the_plan_route_checks_the_token_and_the_method_as_the_order_route_does(self):
        self.assertEqual(self.post(self.plan(), url=PLAN_URL, token="x" * 40).status_code, 401)
        response = self.opener.get(self.base_url() + PLAN_URL, timeout=30)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response.json()["error"], "method_not_allowed")
        response = self.post(None, url=PLAN_URL, raw=b"{not json")
        self.assertEqual((response.status_code, response.json()["error"]), (400, "invalid_json"))
