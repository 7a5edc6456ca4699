"""Matters in a real browser, in Turkish: static/tests/tours/omnitron_matter_tours.js."""

from odoo.tests import new_test_user, tagged

from .common import PLAN_URL, OmnitronHttpCase, item


@tagged("post_install", "-at_install")
class TestMatterTours(OmnitronHttpCase):
    def setUp(self):
        super().setUp()
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(
            ["base", "mail", "sale", "stock", "omnitron_order_webhook"], ["tr_TR"], overwrite=True
        )

    def test_an_order_omnitron_cancelled_shows_no_request_and_its_activity_is_done(self):
        new_test_user(self.env, login="omnitron-satis", groups="sales_team.group_sale_salesman", lang="tr_TR")
        salesperson = self.env["res.users"].search([("login", "=", "omnitron-satis")])
        self.assertEqual(self.post(self.order("T-DEC", [item(7101, "T-1", "100.00")])).status_code, 204)
        order = self.omnitron_orders("T-DEC")
        order.user_id = salesperson
        self.assertEqual(self.post(self.plan("T-DEC", pk=7101), url=PLAN_URL).status_code, 204)
        request = order.omnitron_matter_ids.filtered(lambda matter: matter.kind == "plan_request")
        self.assertEqual((request.user_id, request.state), (salesperson, "open"))
        self.post(self.order("T-DEC", [item(7101, "T-1", "100.00")], status="100"))
        self.assertEqual((order.state, request.state), ("cancel", "closed"))
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}", "omnitron_decided_order_tour", login="omnitron-satis"
        )

    def test_adding_a_payment_rule_clears_the_orders_waiting_for_one(self):
        self.env.ref("base.user_admin").lang = "tr_TR"
        on_delivery = self.env.ref("omnitron_order_webhook.workflow_pay_on_delivery")
        prepaid = self.env.ref("omnitron_order_webhook.workflow_prepaid")
        self.env["omnitron.payment.rule"].create(
            {"account_id": self.account.id, "payment_kind": "pay_on_delivery", "workflow_process_id": on_delivery.id}
        )
        body = self.order("T-PAY", [item(7102, "T-2", "100.00")], loyaltytransaction_set=[{"pk": 1}])
        self.assertEqual(self.post(body).status_code, 204)
        order = self.omnitron_orders("T-PAY")
        self.assertTrue(order.omnitron_payment_unmatched)
        bank = self.env["account.journal"].search(
            [("company_id", "=", self.env.company.id), ("type", "=", "bank")], limit=1
        )
        self.env["omnitron.payment.rule"].create(
            {
                "account_id": self.account.id,
                "payment_kind": "loyalty",
                "workflow_process_id": prepaid.id,
                "journal_id": bank.id,
            }
        )
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_payment_rule_action",
            "omnitron_payment_rule_clears_tour",
            login="admin",
        )
        self.assertEqual(order.workflow_process_id, prepaid)
        self.start_tour(
            f"/odoo/action-sale.action_orders/{order.id}", "omnitron_order_no_longer_waits_tour", login="admin"
        )

    def test_the_warehouse_user_finds_the_return_receipt_in_their_activities_and_receiving_it_closes_it(self):
        depo = new_test_user(self.env, login="omnitron-depo-iade", groups="stock.group_stock_user", lang="tr_TR")
        self.env.company.omnitron_warehouse_user_id = depo
        body = self.order("T-RET", [item(7103, "T-3", "100.00")])
        self.assertEqual(self.post(body).status_code, 204)
        order = self.omnitron_orders("T-RET")
        self.ship(order)
        body["payload"]["orderitem_set"][0]["status"] = "600"
        body["payload"]["refund_amount"] = "100.00"
        self.post(body)
        receipt = order._omnitron_returns()
        self.assertEqual(receipt.activity_ids.user_id, depo)
        self.start_tour("/odoo", "omnitron_warehouse_return_activity_tour", login="omnitron-depo-iade")
        self.assertEqual(receipt.state, "done")
        matter = order.omnitron_matter_ids.filtered(lambda matter: matter.kind == "return_to_receive")
        self.assertEqual((matter.state, matter.closed_reason), ("closed", "documents"))
