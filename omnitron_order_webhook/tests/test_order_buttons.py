"""The order's Omnitron buttons: Omnitron users only, a note only when something was done,
and no dependence on the presser's e-mail address."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestOrderButtons(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.staff = new_test_user(
            cls.env, login="omnitron-staff-no-mail", groups="omnitron_order_webhook.group_omnitron_user"
        )
        cls.staff.partner_id.email = False
        cls.salesman = new_test_user(cls.env, login="sales-only", groups="sales_team.group_sale_salesman_all_leads")

    def flagged_order(self, number):
        body = self.order(number, [item(1961, number, "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders(number)
        body["payload"]["orderitem_set"][0]["price"] = "90.00"
        body["payload"]["amount"] = "90.00"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertTrue(order.omnitron_needs_action)
        return order

    def notes(self, order):
        return order.message_ids.filtered(lambda message: "Omnitron" in (message.body or ""))

    def test_pressing_retry_with_nothing_failed_posts_nothing_however_often(self):
        order = self.flagged_order("B-RETRY")
        before = len(self.notes(order))
        for _press in range(30):
            order.with_user(self.staff).action_omnitron_retry_sync()
        self.assertEqual(len(self.notes(order)), before)

    def test_mark_as_handled_works_without_an_email_and_notes_once(self):
        order = self.flagged_order("B-MARK")
        before = len(self.notes(order))
        order.with_user(self.staff).action_omnitron_mark_handled()
        self.assertFalse(order.omnitron_needs_action)
        self.assertEqual(len(self.notes(order)), before + 1)
        # Nothing left to clear: no other note.
        order.with_user(self.staff).action_omnitron_mark_handled()
        self.assertEqual(len(self.notes(order)), before + 1)

    def test_a_sales_user_outside_the_omnitron_groups_may_press_neither(self):
        order = self.flagged_order("B-SALES")
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).action_omnitron_mark_handled()
        with self.assertRaises(AccessError):
            order.with_user(self.salesman).action_omnitron_retry_sync()
        self.assertTrue(order.omnitron_needs_action)
