"""Fixing a cause: the other deliveries it blocked, the carrier dialog's product, who may fix what."""

from odoo.tests import new_test_user, tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestFixCauses(OmnitronCase):
    def blocked_by_the_carrier(self, *numbers):
        self.carrier.omnitron_erp_code = "other"
        for index, number in enumerate(numbers):
            self.receive(self.order(number, [item(8100 + index, f"SKU-{number}", "10.00")], pk=9300 + index))
        return self.env["omnitron.webhook.event"].search([("order_number", "in", numbers)])

    def test_deliveries_record_their_cause_as_data_and_group_by_it(self):
        events = self.blocked_by_the_carrier("C-1", "C-2")
        self.set_params(create_missing_products="false")
        self.carrier.omnitron_erp_code = "yurtici_kargo"
        self.receive(self.order("C-3", [item(8200, "SKU-NEW", "10.00")], pk=9400))
        product_event = self.env["omnitron.webhook.event"].search([("order_number", "=", "C-3")])
        self.assertEqual(set(events.mapped("cause")), {"yurtici / yurtici_kargo"})
        self.assertEqual(product_event.cause, "SKU-NEW")
        groups = self.env["omnitron.webhook.event"]._read_group(
            [("needs_attention", "=", True)], ["reason", "cause"], ["__count"]
        )
        self.assertIn(("cargo_company_not_found", "yurtici / yurtici_kargo", 2), groups)
        self.assertIn(("product_not_found", "SKU-NEW", 1), groups)

    def test_after_the_carrier_fix_the_other_deliveries_waiting_for_it_are_offered(self):
        events = self.blocked_by_the_carrier("C-1", "C-2", "C-3")
        first = events.filtered(lambda event: event.order_number == "C-1")
        action = first.action_open_carriers()
        carrier = self.env["delivery.carrier"].with_context(**action["context"]).create({"name": "Yurtiçi"})
        offer = carrier.with_user(self.manager).with_context(**action["context"]).action_omnitron_save_and_reprocess()
        self.assertEqual((offer["res_model"], offer["target"]), ("omnitron.event.reprocess", "new"))
        wizard = self.env["omnitron.event.reprocess"].browse(offer["res_id"])
        self.assertEqual(wizard.event_ids, events - first)
        self.assertEqual(wizard.order_id, self.omnitron_orders("C-1"))
        self.assertEqual(wizard.message, "2 other deliveries are waiting for this carrier.")
        result = wizard.with_user(self.manager).action_reprocess()
        self.assertEqual(result["res_model"], "omnitron.webhook.event")
        self.assertTrue(self.omnitron_orders("C-2") and self.omnitron_orders("C-3"))
        self.assertFalse(events.filtered("needs_attention"))

    def test_after_marking_the_tax_the_other_deliveries_of_that_rate_are_offered(self):
        for index in (1, 2):
            body = self.order(
                f"T-{index}", [item(8300 + index, f"SKU-T{index}", "118.00", rate="18.00")], pk=9500 + index
            )
            self.assert_ignored(self.receive(body), "tax_not_configured")
        self.receive(self.order("T-OTHER", [item(8310, "SKU-T9", "117.00", rate="17.00")], pk=9510))
        events = self.env["omnitron.webhook.event"].search([("order_number", "in", ("T-1", "T-2", "T-OTHER"))])
        self.assertEqual(set(events.mapped("cause")), {"18%", "17%"})
        self.chart.ref("tr_s_20").copy(
            {"name": "18% (incl.)", "amount": 18, "price_include_override": "tax_included", "omnitron_rate": 18}
        )
        first = events.filtered(lambda event: event.order_number == "T-1")
        offer = first.with_user(self.manager).action_reprocess()
        wizard = self.env["omnitron.event.reprocess"].browse(offer["res_id"])
        self.assertEqual(wizard.event_ids.mapped("order_number"), ["T-2"], "not the 17 % one: it waits for another tax")
        self.assertEqual(wizard.message, "One other delivery is waiting for this tax.")

    def test_a_fix_with_nothing_else_waiting_opens_the_order(self):
        event = self.blocked_by_the_carrier("C-1")
        action = event.action_open_carriers()
        carrier = self.env["delivery.carrier"].with_context(**action["context"]).create({"name": "Yurtiçi"})
        result = carrier.with_user(self.manager).with_context(**action["context"]).action_omnitron_save_and_reprocess()
        self.assertEqual((result["res_model"], result["res_id"]), ("sale.order", self.omnitron_orders("C-1").id))

    def test_the_carrier_dialog_is_prefilled_with_a_delivery_product(self):
        event = self.blocked_by_the_carrier("C-1")
        product = self.env["product.product"].browse(event.action_open_carriers()["context"]["default_product_id"])
        self.assertEqual(product.type, "service")
        self.assertIn(product, self.env["delivery.carrier"].search([]).product_id, "one the carriers already use")
        # A company without any shipping method of its own gets the delivery module's product...
        shop = self.env["res.company"].create({"name": "Empty Shop"})
        self.env["delivery.carrier"].search([]).active = False
        standard = self.env.ref("delivery.product_product_delivery")
        self.assertEqual(self.env["delivery.carrier"]._omnitron_delivery_product(shop), standard)
        # ...or, when it is gone, a delivery service product made as that one is.
        standard.active = False
        made = self.env["delivery.carrier"]._omnitron_delivery_product(shop)
        self.assertEqual(
            (made.name, made.type, made.sale_ok, made.invoice_policy, made.company_id),
            ("Delivery", "service", False, "order", shop),
        )
        self.assertEqual(self.env["delivery.carrier"]._omnitron_delivery_product(shop), made, "made once")

    def test_staff_without_the_fix_are_told_who_fixes_it_and_can_notify_an_administrator(self):
        staff = new_test_user(self.env, login="omnitron-staff-fix", groups="omnitron_order_webhook.group_omnitron_user")
        event = self.blocked_by_the_carrier("C-1")
        administrator = self.company._omnitron_administrator()
        as_staff = event.with_user(staff)
        self.assertFalse(as_staff.can_fix)
        self.assertIn(administrator.name, as_staff.fixer_names)
        self.assertTrue(event.with_user(self.manager).can_fix)
        arch = self.env["omnitron.webhook.event"].with_user(staff).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn("action_open_carriers", arch)
        self.assertIn("action_notify_administrator", arch)
        before = event.activity_ids
        as_staff.action_notify_administrator()
        asked = event.activity_ids
        self.assertEqual(len(asked), max(len(before), 1), "the delivery's activity passes on: never a second one")
        self.assertEqual(asked.user_id, administrator)
        self.assertIn(staff.name, asked.summary)
        as_staff.action_notify_administrator()
        self.assertEqual(event.activity_ids, asked, "asking twice is still one activity")
        manager_arch = self.env["omnitron.webhook.event"].with_user(self.manager).get_views([(False, "form")])
        self.assertIn("action_open_carriers", manager_arch["views"]["form"]["arch"])

    def test_the_event_list_reads_the_why_and_reprocesses_a_selection(self):
        self.blocked_by_the_carrier("C-1")
        arch = self.env["omnitron.webhook.event"].with_user(self.manager).get_views([(False, "list")])
        arch = arch["views"]["list"]["arch"]
        self.assertIn('name="explanation_line"', arch, "the list's why is the translated sentence, on one line")
        self.assertIn("Reprocess all", arch)
