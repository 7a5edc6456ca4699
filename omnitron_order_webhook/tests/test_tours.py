"""The back office in a real browser: the tours of static/tests/tours/omnitron_tours.js."""

import json

from odoo.tests import new_test_user, tagged

from .common import PARAM_PREFIX, OmnitronHttpCase


@tagged("post_install", "-at_install")
class TestBackOfficeTours(OmnitronHttpCase):
    def test_admin_sets_the_filters_in_sales_settings(self):
        self.start_tour("/odoo/settings", "omnitron_settings_tour", login="admin", timeout=120)
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(json.loads(params.get_param(PARAM_PREFIX + "order_filtering")), {"channels": [20]})
        self.assertEqual(params.get_param(PARAM_PREFIX + "min_order_omnitron_id"), "500")

    def test_sales_user_reads_the_omnitron_tab_of_an_imported_order(self):
        self.assertEqual(self.post(self.sample()).status_code, 204)
        order = self.omnitron_orders()
        new_test_user(self.env, login="omnitron-staff", groups="sales_team.group_sale_salesman_all_leads")
        self.start_tour(f"/odoo/action-sale.action_orders/{order.id}", "omnitron_order_tour", login="omnitron-staff")

    def test_admin_adds_the_missing_carrier_and_reprocesses(self):
        self.carrier.unlink()
        self.assertEqual(self.post(self.sample()).json()["reason"], "cargo_company_not_found")
        event = self.events()
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_dashboard_action",
            "omnitron_reprocess_tour",
            login="admin",
            timeout=120,
        )
        order = self.omnitron_orders()
        self.assertEqual(order.amount_total, 725.26)
        self.assertEqual(order.carrier_id.omnitron_erp_code, "yurtici_kargo")
        self.assertEqual(event.reprocessed_event_id.order_id, order)
        self.assertEqual(event.reprocessed_event_id.state, "done")
        self.assertEqual(event.reprocessed_event_id.origin_event_id, event)

    def test_admin_creates_a_sender_and_its_token_from_the_senders_menu(self):
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_sender_action",
            "omnitron_sender_tour",
            login="admin",
            timeout=120,
        )
        sender = self.env["res.users"].search([("login", "=", "omnitron-trendyol")])
        self.assertEqual(sender.groups_id, self.env.ref("omnitron_order_webhook.group_omnitron_sender"))
        self.assertTrue(sender.share)
        self.assertEqual(len(sender.sudo().omnitron_token_ids), 1)

    def test_a_turkish_user_reads_why_in_turkish(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        new_test_user(
            self.env, login="omnitron-turkish", groups="omnitron_order_webhook.group_omnitron_user", lang="tr_TR"
        )
        self.carrier.unlink()
        self.assertEqual(self.post(self.sample()).json()["reason"], "cargo_company_not_found")
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_dashboard_action",
            "omnitron_turkish_why_tour",
            login="omnitron-turkish",
        )
