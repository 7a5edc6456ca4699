"""Where staff see what happened: chatter notes, activities, Needs attention, Dismiss, the fixes."""

from odoo.tests import new_test_user, tagged

from .common import OmnitronCase


@tagged("post_install", "-at_install")
class TestAttention(OmnitronCase):
    def notes(self, sale_order):
        return sale_order.message_ids.filtered(lambda message: "Omnitron" in (message.body or "")).mapped("body")

    def test_an_import_leaves_a_note_naming_the_channel_and_the_event(self):
        self.receive(self.sample())
        order, event = self.omnitron_orders(), self.events()
        notes = self.notes(order)
        self.assertEqual(len(notes), 1, notes)
        self.assertIn("Imported from Omnitron", notes[0])
        self.assertIn(event.channel_id.name, notes[0])
        self.assertIn(event.event_uuid, notes[0])

    def test_a_re_delivery_links_the_existing_order_and_leaves_a_note_not_a_reprocess(self):
        self.set_params(apply_updates="false")
        self.receive(self.sample())
        order = self.omnitron_orders()
        self.assert_ignored(self.receive(self.sample()), "duplicate_order")
        duplicate = self.events()[0]
        self.assertEqual(duplicate.order_id, order, "the event opens the order it repeats")
        self.assertFalse(duplicate.needs_attention)
        self.assertFalse(duplicate.activity_ids)
        self.assertIn("Already imported", duplicate.display_name)
        self.assertTrue(any("delivered this order again" in note for note in self.notes(order)))

    def test_needs_attention_holds_fixable_failures_and_rejections_not_routine_or_filters(self):
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample(number="A-1"))  # fixable: carrier
        self.set_params(min_order_omnitron_id="999999999")
        self.receive(self.sample(number="A-2"))  # the admin's own filter
        self.set_params(min_order_omnitron_id="0")
        bad = self.sample(number="A-3")
        bad["payload"]["currency"] = 42
        self.receive(bad)  # rejected: a lost order
        by_number = {event.order_number: event for event in self.events()}
        self.assertTrue(by_number["A-1"].needs_attention)
        self.assertFalse(by_number["A-2"].needs_attention)
        self.assertEqual(by_number["A-3"].state, "rejected")
        self.assertTrue(by_number["A-3"].needs_attention)
        action = self.env.ref("omnitron_order_webhook.omnitron_webhook_event_action")
        self.assertIn("search_default_attention", action.context, "the list opens on Needs attention")

    def failure_on_a_channel_of(self, salesperson):
        """An order of the sample's channel imported, the channel given ``salesperson``, then a failure on it."""
        self.receive(self.sample(number="S-0"))
        self.omnitron_orders("S-0").omnitron_channel_id.user_id = salesperson
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample(number="S-1", pk=9101))
        return self.events()[0]

    def test_a_delivery_needing_a_person_gives_the_channels_salesperson_an_activity(self):
        desk = new_test_user(self.env, login="n11-desk", groups="omnitron_order_webhook.group_omnitron_user")
        event = self.failure_on_a_channel_of(desk)
        self.assertEqual(event.activity_ids.user_id, desk)
        self.assertIn("No carrier for the cargo company", event.activity_ids.summary)
        self.assertIn("yurtici_kargo", event.activity_ids.note)

    def test_a_salesperson_who_cannot_open_events_leaves_the_activity_to_an_administrator(self):
        seller = new_test_user(self.env, login="plain-seller", groups="sales_team.group_sale_salesman")
        event = self.failure_on_a_channel_of(seller)
        self.assertEqual(event.activity_ids.user_id, self.company._omnitron_administrator())

    def test_without_a_salesperson_the_activity_goes_to_an_omnitron_administrator(self):
        event = self.ignored_event()
        self.assertEqual(event.activity_ids.user_id, self.company._omnitron_administrator())
        self.assertTrue(event.activity_ids.user_id.has_group("omnitron_order_webhook.group_omnitron_manager"))

    def test_dismissing_takes_a_delivery_out_of_needs_attention_with_its_note(self):
        event = self.ignored_event()
        staff = new_test_user(
            self.env, login="omnitron-user-dismiss", groups="omnitron_order_webhook.group_omnitron_user"
        )
        action = event.with_user(staff).action_dismiss()
        wizard = (
            self.env[action["res_model"]]
            .with_user(staff)
            .with_context(**action["context"])
            .create({"note": "test order from the channel's sandbox"})
        )
        wizard.action_dismiss()
        self.assertRecordValues(
            event,
            [
                {
                    "needs_attention": False,
                    "dismissed_by_id": staff.id,
                    "dismiss_note": "test order from the channel's sandbox",
                }
            ],
        )
        self.assertFalse(event.activity_ids, "its activity is done")
        self.assertIn("sandbox", event.message_ids[:1].body)

    def test_reprocessing_settles_the_activity_and_a_second_failure_opens_the_new_event(self):
        event = self.ignored_event()
        action = event.with_user(self.manager).action_reprocess()
        again = self.events()[0]
        self.assertEqual((action["res_model"], action["res_id"]), ("omnitron.webhook.event", again.id))
        self.assertEqual(again.reason, "cargo_company_not_found")
        self.assertFalse(event.needs_attention)
        self.assertFalse(event.activity_ids)
        self.assertTrue(again.needs_attention, "the new failure needs attention in its turn")
        self.assertEqual(len(again.activity_ids), 1)

    def test_the_carrier_fix_saves_and_reprocesses_in_one_click(self):
        event = self.ignored_event()
        action = event.action_open_carriers()
        self.assertEqual(
            (action["res_model"], action["view_mode"], action["target"]), ("delivery.carrier", "form", "new")
        )
        carrier = (
            self.env["delivery.carrier"]
            .with_context(**action["context"])
            .create({"name": "Yurtiçi (Omnitron)", "product_id": self.carrier.product_id.id})
        )
        self.assertEqual((carrier.omnitron_shipping_company, carrier.omnitron_erp_code), ("yurtici", "yurtici_kargo"))
        result = carrier.with_context(**action["context"]).action_omnitron_save_and_reprocess()
        order = self.omnitron_orders()
        self.assertEqual((result["res_model"], result["res_id"]), ("sale.order", order.id))
        self.assertEqual(order.carrier_id, carrier)
        self.assertTrue(action["context"]["default_name"])
        self.assertNotIn(
            action["context"]["default_name"],
            [order.name, *order.picking_ids.mapped("name")],
            "the dialog's defaults do not reach what the import creates",
        )

    def test_the_product_fix_creates_the_missing_products_for_this_order_only(self):
        self.set_params(create_missing_products="false")
        self.receive(self.sample())
        event = self.events()
        self.assertEqual(event.reason, "product_not_found")
        sku = self.sample()["payload"]["orderitem_set"][0]["product"]["sku"]
        self.assertIn(sku, event.explanation)
        self.assertIn("Create Missing Products", event.explanation, "names the setting's label, not its key")
        event.with_user(self.manager).action_create_products_and_reprocess()
        self.assertTrue(self.omnitron_orders())
        self.assertFalse(
            self.env["omnitron.webhook.reception"]._settings().create_missing_products, "setting untouched"
        )

    def test_a_config_error_keeps_the_delivery_so_it_is_reprocessed_once_fixed(self):
        # (The HTTP route records it; here the reception's refusal is what the route calls.)
        from ..core import responses
        from ..core.arrival import Arrival

        reception = self.env["omnitron.webhook.reception"].sudo()
        sender_token = self.authenticate(self.token)
        arrival = Arrival.now(self.sender, settings=None, token=sender_token, clear_token=self.token).with_body(
            self.sample()
        )
        reception._refuse(arrival, responses.config_error(ValueError("ORDER_FILTERING: broken")))
        event = self.events()
        self.assertEqual((event.reason, event.state), ("config_error", "failed"))
        self.assertTrue(event.has_payload and event.can_reprocess and event.needs_attention)
        self.assertTrue(event.channel_id or not self.env["omnitron.channel"].search([]))
        event.with_user(self.manager).action_reprocess()
        self.assertTrue(self.omnitron_orders())

    def test_the_why_is_rendered_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        event = self.ignored_event()
        english = event.with_context(lang="en_US").explanation
        turkish = event.with_context(lang="tr_TR").explanation
        self.assertIn("Set up the carrier", english)
        self.assertNotEqual(english, turkish)
        self.assertIn("yurtici_kargo", turkish)
        self.assertNotEqual(
            event.with_context(lang="tr_TR").display_name, event.with_context(lang="en_US").display_name
        )

    def test_a_later_delivery_that_goes_through_resolves_the_earlier_failures_of_the_order(self):
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample())
        self.receive(self.sample())  # Omnitron retries
        failures = self.events()
        self.assertEqual(failures.mapped("needs_attention"), [True, True])
        self.assertEqual(len(failures.activity_ids), 1, "one open activity per order, not one per retry")
        self.carrier.omnitron_erp_code = "yurtici_kargo"
        self.receive(self.sample())  # the next retry, once the carrier is fixed
        done = self.events()[0]
        self.assertEqual(done.state, "done")
        self.assertEqual(failures.mapped("resolved_by_event_id"), done | done)
        self.assertFalse(any(failures.mapped("needs_attention")))
        self.assertFalse(failures.activity_ids)

    def test_staff_can_discuss_an_event_in_its_chatter(self):
        event = self.ignored_event()
        staff = new_test_user(self.env, login="omnitron-user-chat", groups="omnitron_order_webhook.group_omnitron_user")
        event.with_user(staff).message_post(body="Asked the channel manager about this carrier.")
        self.assertIn("channel manager", event.message_ids[:1].body)
