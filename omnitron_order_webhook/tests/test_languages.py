"""Who reads what in which language: Omnitron reads English answers, the chatter is in the
company's language with statuses by name, a banner in its reader's, an activity in its
assignee's — whoever's delivery triggered them."""

from odoo.tests import new_test_user, tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestLanguages(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("tr_TR")
        cls.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        # A Turkish sender (as the demo's) posting to a company whose language is Turkish.
        cls.sender.lang = "tr_TR"
        cls.company.partner_id.lang = "tr_TR"
        cls.english_admin = new_test_user(
            cls.env, login="omnitron-english-admin", groups="omnitron_order_webhook.group_omnitron_manager"
        )
        cls.english_admin.lang = "en_US"

    def test_the_event_list_says_what_each_delivery_did_in_its_readers_language(self):
        body = self.order("L-EV", [item(1949, "L-EV", "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("L-EV")
        body["payload"]["status"] = "50"
        self.receive(body)
        updated, created = self.events()[:2]
        self.assertEqual((created.state, updated.state), ("done", "updated"))
        # The answer Omnitron got stays English; the list reads in the reader's language.
        self.assertEqual(created.detail, f"Created {order.name}.")
        turkish = created.with_context(lang="tr_TR").explanation_line
        self.assertIn(order.name, turkish)
        self.assertNotIn("Created", turkish)
        self.assertEqual(created.with_context(lang="en_US").explanation_line, f"Created {order.name}.")
        update_line = updated.with_context(lang="tr_TR").explanation_line
        self.assertNotIn("cancellation requested", update_line)
        self.assertNotIn("cancellation_waiting", update_line, "statuses by name, never by code")
        self.assertIn("status 400 (approved) → 50 (cancellation_waiting)", updated.detail)

    def test_the_answer_is_english_the_chatter_turkish_with_status_names_never_codes(self):
        body = self.order("L-1", [item(1941, "L-1", "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("L-1")
        body["payload"]["status"] = "50"
        outcome = self.receive(body)
        # Omnitron reads the machine contract: English, with the codes.
        self.assertIn("status 400 (approved) → 50 (cancellation_waiting)", outcome.body["detail"])
        self.assertIn("cancellation requested in Omnitron; staff told", outcome.body["detail"])
        [note] = order.message_ids.filtered(lambda m: m.body and "Omnitron:" in m.body).mapped("body")
        self.assertNotIn("400", note)
        self.assertNotIn("cancellation_waiting", note)
        names = dict(
            order._fields["omnitron_status_label"]._description_selection(order.with_context(lang="tr_TR").env)
        )
        self.assertIn(f"{names['400']} → {names['50']}", note)  # by their Turkish names
        self.assertIn("Omnitron'da iptal istendi", note)

    def test_a_banner_reads_in_its_readers_language_and_the_activity_in_its_assignees(self):
        body = self.order("L-2", [item(1942, "L-2", "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("L-2")
        order.user_id = self.english_admin
        self.receive(self.plan("L-2", pk=2942), webhook="cancellation_plan")
        english = order.with_user(self.english_admin).with_context(lang="en_US").omnitron_action_note
        turkish = order.with_context(lang="tr_TR").omnitron_action_note
        self.assertIn("Omnitron asks to cancel this order", english)
        self.assertNotEqual(english, turkish)
        self.assertIn("Omnitron", turkish)
        activity = order.activity_ids
        self.assertEqual(activity.user_id, self.english_admin)
        self.assertIn("Omnitron asks to cancel this order", activity.note)

    def test_plans_keep_one_open_activity_per_order_and_per_delivery(self):
        body = self.order("L-3", [item(1943, "L-3", "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("L-3")
        for plan_pk in range(2950, 2955):
            self.assertEqual(self.receive(self.plan("L-3", pk=plan_pk), webhook="cancellation_plan").status, 204)
        self.assertEqual(len(order.activity_ids), 1)
        self.assertEqual(len(order.picking_ids.activity_ids), 1)
        self.assertEqual(len(order.omnitron_cancellation_plan_ids), 5)

    def test_the_import_note_is_in_the_companys_language_not_the_senders(self):
        self.company.partner_id.lang = "en_US"
        self.assertEqual(self.receive(self.order("L-4", [item(1944, "L-4", "100.00")])).status, 204)
        order = self.omnitron_orders("L-4")
        bodies = " ".join(order.message_ids.mapped("body"))
        self.assertIn("Imported from Omnitron", bodies)

    def test_a_settings_label_inside_a_why_is_in_the_readers_language(self):
        self.set_params(create_missing_products="false")
        body = self.order("L-5", [item(1945, "L-5-NEW", "100.00")])
        self.assertEqual(self.receive(body).body["reason"], "product_not_found")
        event = self.events()[0]
        turkish = event.with_context(lang="tr_TR").explanation
        self.assertIn("Eksik Ürünleri Oluştur", turkish)
        self.assertNotIn("Create Missing Products", turkish)
        self.assertIn("Create Missing Products", event.with_context(lang="en_US").explanation)
