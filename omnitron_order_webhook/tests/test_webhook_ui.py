"""The back office, in a real browser (tours) and through the access rules."""

import json
import xmlrpc.client

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import OmnitronWebhookCase

PREFIX = "omnitron_order_webhook."


@tagged("post_install", "-at_install")
class TestBackOfficeTours(OmnitronWebhookCase):
    def test_admin_sets_the_filters_in_sales_settings(self):
        self.start_tour("/odoo/settings", "omnitron_settings_tour", login="admin", timeout=120)
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(json.loads(params.get_param(PREFIX + "order_filtering")), {"channels": [20]})
        self.assertEqual(params.get_param(PREFIX + "min_order_omnitron_id"), "500")

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
            f"/odoo/action-omnitron_order_webhook.omnitron_webhook_event_action/{event.id}",
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


@tagged("post_install", "-at_install")
class TestBackOfficeAccess(OmnitronWebhookCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(
            cls.env, login="omnitron-salesman", groups="sales_team.group_sale_salesman_all_leads"
        )
        cls.staff = new_test_user(
            cls.env, login="omnitron-staff-user", groups="omnitron_order_webhook.group_omnitron_user"
        )
        cls.manager = new_test_user(
            cls.env, login="omnitron-manager", groups="omnitron_order_webhook.group_omnitron_manager"
        )

    def ignored_event(self):
        self.carrier.omnitron_erp_code = "other"
        self.post(self.sample())
        return self.events()

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
        token = self.sender.with_user(self.manager).omnitron_generate_token()
        self.assertEqual(self.post(self.sample(number="MGR-1"), token=token).status_code, 204)

    def test_reprocessing_a_list_of_events_records_each_outcome(self):
        self.carrier.omnitron_erp_code = "other"
        self.post(self.sample(number="L-1"))
        self.post(self.sample(number="L-2"))
        self.set_param("order_filtering", '{"channels": [1]}')
        self.post(self.sample(number="L-3"))
        ignored = self.events()
        self.carrier.omnitron_erp_code = "yurtici_kargo"
        self.set_param("order_filtering", '{"properties": {"number": ["L-1", "L-2"]}}')
        action = ignored.with_user(self.manager).action_reprocess()
        self.assertEqual(action["res_model"], "omnitron.webhook.event")
        new_events = self.env["omnitron.webhook.event"].browse(action["domain"][0][2])
        self.assertEqual(sorted(new_events.mapped("state")), ["done", "done", "ignored"])
        self.assertEqual(new_events.filtered(lambda e: e.state == "ignored").reason, "property_mismatch")
        self.assertTrue(all(ignored.mapped("reprocessed_event_id")))
        self.assertFalse(any(ignored.mapped("can_reprocess")), "an event is reprocessed once")

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(PREFIX + key, value)

    def test_the_generate_button_shows_the_token_once_and_stores_only_its_hash(self):
        action = self.sender.with_user(self.manager).action_omnitron_generate_token()
        token = action["context"]["default_token"]
        self.assertEqual(action["res_model"], "omnitron.token.wizard")
        self.assertEqual(self.post(self.sample(), token=token).status_code, 204)
        self.assertFalse(self.env["omnitron.token.wizard"].search([]), "the dialog is never saved")
        self.env.cr.execute("SELECT count(*) FROM omnitron_token WHERE key_digest = %s OR index = %s", [token, token])
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        tokens = self.sender.with_user(self.manager).omnitron_token_ids
        self.assertEqual(len(tokens), 2)
        self.assertTrue(tokens.filtered(lambda t: t.index == token[:8]).last_used)
        tokens.filtered(lambda t: t.index == token[:8]).with_user(self.manager).action_revoke()
        self.assertEqual(self.post(self.sample(number="AFTER"), token=token).status_code, 401)

    def test_the_event_form_shows_the_payload_pretty_and_without_credentials(self):
        event = self.ignored_event()
        self.assertIn('\n  "payload": {', event.payload_pretty)
        self.assertNotIn("appSecret", event.payload_pretty)
        self.assertEqual(json.loads(event.response_body)["reason"], "cargo_company_not_found")
        action = event.action_open_carriers()
        self.assertEqual(action["context"]["default_omnitron_erp_code"], "yurtici_kargo")

    @mute_logger("odoo.http", "odoo.addons.base.models.ir_model")
    def test_the_sender_cannot_read_orders_through_rpc(self):
        self.assertEqual(self.post(self.sample()).status_code, 204)
        models = xmlrpc.client.ServerProxy(f"{self.base_url()}/xmlrpc/2/object")
        db = self.env.cr.dbname
        with self.assertRaises(xmlrpc.client.Fault) as caught:
            models.execute_kw(db, self.sender.id, self.sender.login, "sale.order", "search_read", [[]], {"limit": 1})
        self.assertIn("You are not allowed to access 'Sales Order'", caught.exception.faultString)
        with self.assertRaises(xmlrpc.client.Fault):
            models.execute_kw(db, self.sender.id, self.sender.login, "omnitron.webhook.event", "search_read", [[]])
        with self.assertRaises(AccessError):
            self.env["sale.order"].with_user(self.sender).search([])


@tagged("post_install", "-at_install")
class TestTurkishTranslation(OmnitronWebhookCase):
    def test_the_back_office_speaks_turkish(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        turkish = self.env["omnitron.webhook.event"].with_context(lang="tr_TR")
        self.assertEqual(turkish.fields_get(["reason"])["reason"]["string"], "Neden Kodu")
        self.assertEqual(dict(turkish.fields_get(["state"])["state"]["selection"])["ignored"], "Yok Sayıldı")
        action = self.env.ref("omnitron_order_webhook.omnitron_webhook_event_action").with_context(lang="tr_TR")
        self.assertEqual(action.name, "Omnitron Webhook Olayları")

    def test_the_committed_template_lists_every_term_of_the_code(self):
        import io
        import pathlib

        import polib

        from odoo.tools.translate import trans_export

        buffer = io.BytesIO()
        trans_export(False, ["omnitron_order_webhook"], buffer, "po", self.env.cr)
        current = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode()) if entry.msgid}
        template = pathlib.Path(__file__).resolve().parent.parent / "i18n" / "omnitron_order_webhook.pot"
        committed = {entry.msgid for entry in polib.pofile(str(template)) if entry.msgid}
        self.assertEqual(current - committed, set(), "regenerate i18n/omnitron_order_webhook.pot and tr.po")
        self.assertEqual(committed - current, set(), "the template lists terms the code no longer has")


@tagged("post_install", "-at_install")
class TestTokenMinting(OmnitronWebhookCase):
    def test_tokens_are_only_minted_for_senders_of_reachable_companies(self):
        from odoo.exceptions import UserError

        manager = new_test_user(
            self.env, login="omnitron-mint-manager", groups="omnitron_order_webhook.group_omnitron_manager"
        )
        salesman = new_test_user(self.env, login="omnitron-mint-salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(UserError):
            salesman.with_user(manager).omnitron_generate_token()
        other_company = self.env["res.company"].create({"name": "Other Omnitron merchant"})
        foreign_sender = new_test_user(
            self.env,
            login="omnitron-foreign-sender",
            groups="omnitron_order_webhook.group_omnitron_sender",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        with self.assertRaises(AccessError):
            foreign_sender.with_user(manager).omnitron_generate_token()
        self.assertTrue(self.sender.with_user(manager).omnitron_generate_token())
