"""Issue 19's daily work in a real browser: static/tests/tours/omnitron_backoffice_tours.js."""

from odoo.tests import new_test_user, tagged

from .common import OmnitronHttpCase, item


@tagged("post_install", "-at_install")
class TestDailyWorkTours(OmnitronHttpCase):
    def setUp(self):
        super().setUp()
        # The tours read the administrator by a name of their own, whatever the database calls it.
        self.env.ref("base.user_admin").name = "Ayşe Yönetici"

    def test_the_dashboard_counts_agree_and_prompts_for_a_salesperson(self):
        self.assertEqual(self.post(self.order("DASH-1", [item(1, "SKU-D1", "10.00")], pk=9501)).status_code, 204)
        self.assertEqual(self.post(self.order("DASH-2", [item(2, "SKU-D2", "20.00")], pk=9502)).status_code, 204)
        self.post(self.order("DASH-2", [item(2, "SKU-D2", "20.00")], pk=9502, status="100"))
        self.assertEqual(
            self.post(self.order("DASH-3", [item(3, "SKU-D3", "30.00")], pk=9503, status="300")).status_code, 204
        )
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_dashboard_action",
            "omnitron_dashboard_counts_tour",
            login="admin",
            timeout=120,
        )
        channel = self.omnitron_orders("DASH-1").omnitron_channel_id
        self.assertEqual(channel.user_id, self.env.ref("base.user_admin"))

    def test_fixing_the_carrier_reprocesses_the_other_deliveries_waiting_for_it(self):
        self.carrier.unlink()
        for index in (1, 2, 3):
            body = self.order(f"FIX-{index}", [item(index, f"SKU-F{index}", "10.00")], pk=9600 + index)
            self.assertEqual(self.post(body).json()["reason"], "cargo_company_not_found")
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_webhook_event_action",
            "omnitron_fix_the_others_tour",
            login="admin",
            timeout=120,
        )
        for index in (1, 2, 3):
            self.assertEqual(self.omnitron_orders(f"FIX-{index}").carrier_id.omnitron_erp_code, "yurtici_kargo")
        self.assertFalse(self.events().filtered("needs_attention"))

    def test_staff_are_told_who_fixes_and_notify_an_administrator(self):
        new_test_user(self.env, login="omnitron-desk", groups="omnitron_order_webhook.group_omnitron_user")
        self.carrier.unlink()
        self.assertEqual(self.post(self.sample()).json()["reason"], "cargo_company_not_found")
        event = self.events()
        before = event.activity_ids
        self.start_tour(
            f"/odoo/action-omnitron_order_webhook.omnitron_webhook_event_action/{event.id}",
            "omnitron_staff_notify_tour",
            login="omnitron-desk",
            timeout=120,
        )
        asked = event.activity_ids
        self.assertEqual(len(asked), max(len(before), 1), "the delivery's activity passed on, not a second one")
        self.assertEqual(asked.user_id, self.company._omnitron_administrator())
        self.assertIn("omnitron-desk", asked.summary)

    def test_a_turkish_administrator_reads_the_event_list_uncut(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        new_test_user(
            self.env, login="omnitron-yonetici", groups="omnitron_order_webhook.group_omnitron_manager", lang="tr_TR"
        )
        self.carrier.unlink()
        self.assertEqual(self.post(self.sample()).json()["reason"], "cargo_company_not_found")
        self.start_tour(
            "/odoo/action-omnitron_order_webhook.omnitron_webhook_event_action",
            "omnitron_event_list_reads_tour",
            login="omnitron-yonetici",
            timeout=120,
        )
