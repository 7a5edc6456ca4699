"""A sender is a machine identity: a share user with the sender group only, no invitation,
no login by password, and never a person made a sender by the way."""

from odoo.exceptions import AccessDenied, ValidationError
from odoo.tests import Form, TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestSenders(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sender_group = cls.env.ref("omnitron_order_webhook.group_omnitron_sender")
        cls.manager = new_test_user(
            cls.env,
            login="omnitron-senders-admin",
            groups="base.group_user,base.group_erp_manager,base.group_partner_manager,omnitron_order_webhook.group_omnitron_manager",
        )
        # The company's one Omnitron: a sender created from the menu posts its orders.
        cls.account = cls.env["omnitron.account"].create({"name": "Omnitron", "company_id": cls.env.company.id})

    def create_from_the_senders_menu(self, name, login):
        action = self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_sender_action")
        form_view = next(view for view, mode in action["views"] if mode == "form")
        users = self.env["res.users"].with_user(self.manager).with_context(**safe_eval(action["context"]))
        with Form(users, view=form_view) as form:
            form.name = name
            form.login = login
        return form.record

    def test_a_sender_created_from_the_senders_menu_is_a_share_user_with_the_sender_group_only(self):
        mails_before = self.env["mail.mail"].sudo().search_count([])
        sender = self.create_from_the_senders_menu("Omnitron Trendyol", "trendyol@omnitron.example")
        self.assertEqual(sender.groups_id, self.sender_group)
        self.assertTrue(sender.share)
        self.assertFalse(sender.has_group("base.group_user"))
        # No invitation e-mail to a machine.
        self.assertEqual(self.env["mail.mail"].sudo().search_count([]), mails_before)
        self.assertFalse(sender.partner_id.signup_type)
        self.assertIn(sender, self.env["res.users"].search(self.sender_action_domain()))

    def sender_action_domain(self):
        action = self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_sender_action")
        return safe_eval(action["domain"])

    def test_a_sender_never_logs_in_by_password_even_when_one_was_set(self):
        sender = self.create_from_the_senders_menu("Omnitron Hepsiburada", "omnitron-hepsiburada")
        sender.sudo().password = "a-password-someone-set"
        with self.assertRaises(AccessDenied):
            sender.with_user(sender)._check_credentials(
                {"type": "password", "password": "a-password-someone-set"}, {"interactive": True}
            )

    def test_a_person_is_never_made_a_sender_silently(self):
        person = new_test_user(
            self.env, login="omnitron-a-person", groups="base.group_user,sales_team.group_sale_salesman"
        )
        with self.assertRaisesRegex(ValidationError, "omnitron-a-person"):
            person.write({"groups_id": [(4, self.sender_group.id)]})
        portal = new_test_user(self.env, login="omnitron-a-portal-user", groups="base.group_portal")
        with self.assertRaisesRegex(ValidationError, "omnitron-a-portal-user"):
            portal.write({"groups_id": [(4, self.sender_group.id)]})
        # Nor a sender made a person.
        sender = self.create_from_the_senders_menu("Omnitron N11", "omnitron-n11")
        with self.assertRaisesRegex(ValidationError, "omnitron-n11"):
            sender.write({"groups_id": [(4, self.env.ref("base.group_user").id)]})
