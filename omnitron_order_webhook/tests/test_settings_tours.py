"""Sales › Settings › Omnitron in a real browser: what the admin sees and one-click actions
(the tours of static/tests/tours/omnitron_settings_tours.js)."""

from odoo.tests import new_test_user, tagged

from ..core.omnitron_api import LOGIN_PATH
from .common import OmnitronHttpCase
from .omnitron_api_double import OmnitronApiDouble

PASSWORD = "s3cret-Omnitron-pw"


@tagged("post_install", "-at_install")
class TestSettingsTours(OmnitronHttpCase):
    def test_admin_sees_the_webhook_urls_known_channels_and_plain_numbers(self):
        self.assertEqual(self.post(self.sample()).status_code, 204)
        self.set_params(min_order_omnitron_id="1234567")
        self.start_tour("/odoo/settings", "omnitron_settings_shown_tour", login="admin", timeout=120)

    def test_test_connection_keeps_a_typed_password_only_once_omnitron_accepts_it(self):
        api = OmnitronApiDouble(username="odoo-erp", password=PASSWORD).start()
        self.addCleanup(api.stop)
        self.env["ir.config_parameter"].set_param("omnitron_order_webhook.sandbox_api_urls", "true")
        self.account.write({"api_url": api.url, "api_username": "odoo-erp"})
        self.start_tour(
            f"/odoo/action-omnitron_order_webhook.omnitron_account_action/{self.account.id}",
            "omnitron_account_test_connection_tour",
            login="admin",
            timeout=120,
        )
        self.assertEqual(self.account._api_password(), PASSWORD, "saved once Omnitron accepted it")
        tries = api.calls_to(LOGIN_PATH, "POST")
        self.assertEqual([call.status for call in tries], [400, 200], "the wrong one tried, not kept")
        self.assertFalse(self.account.read(["api_password"])[0]["api_password"], "and never read back")

    def test_a_turkish_administrator_reads_the_pulls_result_in_turkish(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        new_test_user(
            self.env,
            login="omnitron-yonetici",
            groups="base.group_user,omnitron_order_webhook.group_omnitron_manager",
            lang="tr_TR",
        )
        self.account.sudo().write(
            {"catch_up_last_counts": {"listed": 1200, "imported": 1198, "already": 1, "refused": 1, "failed": 0}}
        )
        self.start_tour(
            f"/odoo/action-omnitron_order_webhook.omnitron_account_action/{self.account.id}",
            "omnitron_account_pull_result_tour",
            login="omnitron-yonetici",
            timeout=120,
        )
