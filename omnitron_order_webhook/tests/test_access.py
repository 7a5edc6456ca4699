"""Who may do what in the back office and over RPC."""

import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .common import OmnitronCase, OmnitronHttpCase


@tagged("post_install", "-at_install")
class TestAccessRules(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="omnitron-salesman", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.staff = new_test_user(
            cls.env, login="omnitron-staff-user", groups="omnitron_order_webhook.group_omnitron_user"
        )

    def test_a_sales_user_cannot_reprocess_generate_tokens_or_change_settings(self):
        event = self.ignored_event()
        with self.assertRaises(AccessError):
            event.with_user(self.salesman).action_reprocess()
        with self.assertRaises(AccessError):
            self.sender.with_user(self.salesman).omnitron_generate_token()
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.salesman).create({"omnitron_min_order_omnitron_id": 5})
        with self.assertRaises(AccessError):
            self.env["omnitron.webhook.event"].with_user(self.salesman).search([])

    def test_omnitron_users_read_events_but_cannot_reprocess(self):
        event = self.ignored_event()
        self.assertEqual(event.with_user(self.staff).read(["reason"])[0]["reason"], "cargo_company_not_found")
        with self.assertRaises(AccessError):
            event.with_user(self.staff).action_reprocess()
        with self.assertRaises(AccessError):
            event.with_user(self.staff).unlink()

    def test_a_manager_reprocesses_and_generates_tokens(self):
        event = self.ignored_event()
        self.carrier.omnitron_erp_code = "yurtici_kargo"
        action = event.with_user(self.manager).action_reprocess()
        self.assertEqual(action["res_model"], "sale.order")
        self.assertEqual(action["res_id"], self.omnitron_orders().id)
        new_event = event.reprocess_event_ids
        self.assertEqual(new_event.user_id, self.sender, "the delivery stays the sender's")
        self.assertIn(f"Reprocessed by {self.manager.name}", new_event.message_ids[0].body, "who pressed it is named")
        token = self.sender.with_user(self.manager).omnitron_generate_token()
        self.assertEqual(self.receive(self.sample(number="MGR-1"), token=token).status, 204)

    def test_an_accountant_opens_an_imported_order_with_its_plans_channel_and_account(self):
        self.receive(self.sample())
        order = self.omnitron_orders()
        self.receive(self.plan(order.omnitron_number), webhook="cancellation_plan")
        self.assertTrue(order.omnitron_cancellation_plan_ids)
        accountant = new_test_user(self.env, login="omnitron-accountant", groups="account.group_account_invoice")
        form = Form(order.with_user(accountant))  # the sale order's form, as Odoo opens it from an invoice
        self.assertEqual(form.omnitron_number, order.omnitron_number)
        self.assertEqual(len(form.omnitron_cancellation_plan_ids), len(order.omnitron_cancellation_plan_ids))


@tagged("post_install", "-at_install")
class TestRpcAccess(OmnitronHttpCase):
    def xmlrpc_models(self):
        return xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_the_sender_cannot_log_in_nor_read_orders_through_rpc(self):
        self.assertEqual(self.post(self.sample()).status_code, 204)
        models = self.xmlrpc_models()
        db = self.env.cr.dbname
        # new_test_user gave it a password (its login): a sender never logs in by password.
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            models.execute_kw(db, self.sender.id, self.sender.login, "sale.order", "search_read", [[]], {"limit": 1})
        self.assertIn("Access Denied", caught.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault):
            models.execute_kw(db, self.sender.id, self.sender.login, "omnitron.webhook.event", "search_read", [[]])
        # Nor could it read them if it were logged in some other way.
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.sender).search([])

    @mute_logger("odoo.http")
    def test_an_administrator_generates_a_token_over_rpc(self):
        token = self.xmlrpc_models().execute_kw(
            self.env.cr.dbname, 2, "admin", "res.users", "omnitron_generate_token", [[self.sender.id]]
        )
        self.assertGreaterEqual(len(token), 43)
        self.assertEqual(self.post(self.sample(), token=token).status_code, 204)
