"""Omnitron accounts: one per Omnitron installation, each with its company, connection, senders and channels."""

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import PARAM_PREFIX, OmnitronApiCase, OmnitronCase, OmnitronHttpCase, item, load_migration
from .omnitron_api_double import OmnitronApiDouble

PASSWORD = OmnitronApiCase.API_PASSWORD


@tagged("post_install", "-at_install")
class TestAccountRecord(OmnitronCase):
    def test_the_password_is_written_and_never_read_back(self):
        self.account.write({"api_url": "https://omnitron.example.com", "api_username": "erp", "api_password": "pw-1"})
        self.assertEqual(self.account._api_password(), "pw-1")
        self.env.invalidate_all()
        self.assertEqual(self.account.read(["api_password", "api_password_set"])[0]["api_password"], False)
        self.assertTrue(self.account.api_password_set)
        self.assertNotIn("pw-1", repr(self.account._connection()))
        self.assertNotIn("pw-1", str(self.account.with_user(self.manager).read()))
        self.assertNotIn("api_password_secret", self.account._fields, "no field reaches the stored password")
        # Saving without typing it keeps the stored one.
        self.account.name = "Omnitron renamed"
        self.assertEqual(self.account._api_password(), "pw-1")

    def test_the_password_never_follows_a_new_url_or_username(self):
        self.account.write({"api_url": "https://omnitron.example.com", "api_username": "erp", "api_password": "pw-1"})
        self.account.api_url = "https://elsewhere.example.com"
        self.assertIsNone(self.account._api_password(), "a new destination forgets it")
        self.assertFalse(self.account.api_password_set)
        self.account.write({"api_username": "erp2", "api_password": "pw-2"})
        self.assertEqual(self.account._api_password(), "pw-2", "unless a new one comes in the same save")
        self.account.api_url = " https://elsewhere.example.com "  # the same destination, spelt with spaces
        self.assertEqual(self.account._api_password(), "pw-2")
        self.account.write({"outbound_enabled": True, "cancellation_reason_id": 7})
        with self.assertRaises(ValidationError) as refused:  # Odoo's assertRaises: in a savepoint, as a request
            self.account.api_url = "https://attacker.example.com"
        self.assertIn("API Password", str(refused.exception))
        self.assertEqual(self.account._api_password(), "pw-2", "the refused save changed nothing")

    def test_only_an_omnitron_administrator_of_its_company_changes_an_account(self):
        salesman = new_test_user(self.env, login="omnitron-account-salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            self.account.with_user(salesman).write({"api_url": "https://evil.example.com"})
        other_company = self.env["res.company"].create({"name": "Brand B"})
        other = self.account_of(other_company)
        with self.assertRaises(AccessError):
            other.with_user(self.manager).write({"name": "Mine now"})
        self.assertNotIn(other, self.env["omnitron.account"].with_user(self.manager).search([]))

    def test_a_company_works_with_one_omnitron_and_an_accounts_company_stays_once_used(self):
        with self.assertRaisesRegex(ValidationError, "already has an active Omnitron account"):
            self.env["omnitron.account"].create({"name": "Second", "company_id": self.company.id})
        brand_b = self.env["res.company"].create({"name": "Brand B"})
        with self.assertRaisesRegex(ValidationError, "its company cannot change"):
            self.account.company_id = brand_b
        self.receive(self.sample())
        channel = self.env["omnitron.channel"].search([("account_id", "=", self.account.id)])
        with self.assertRaisesRegex(ValidationError, "belongs to the Omnitron account it came from"):
            channel.account_id = self.account_of(brand_b)

    def test_no_user_points_an_order_at_another_omnitron_account_or_order(self):
        self.receive(self.sample())
        order = self.omnitron_orders()
        brand_b = self.env["res.company"].create({"name": "Brand B"})
        other = self.account_of(brand_b)
        salesman = new_test_user(
            self.env, login="omnitron-order-salesman", groups="sales_team.group_sale_salesman_all_leads"
        )
        for values in ({"omnitron_account_id": other.id}, {"omnitron_pk": 1}, {"omnitron_number": "X"}):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "are Omnitron's"):
                order.with_user(salesman).write(values)
        self.assertEqual(order.omnitron_account_id, self.account)

    def test_bad_connection_values_are_refused_naming_the_field(self):
        cases = [
            ({"api_url": "https://user:pw@omnitron.example.com"}, "API URL: put the username and password"),
            ({"api_url": "ftp://omnitron.example.com"}, "API URL: an http or https base URL"),
            ({"catch_up_interval_minutes": 0}, "Pull Every (minutes): 0 is not between 1 and 1440"),
            ({"catch_up_interval_minutes": 1441}, "Pull Every (minutes): 1441"),
            ({"timeout_seconds": 500}, "API Timeout (seconds): 500"),
            ({"catch_up_statuses": "400, 9999"}, "Order Statuses Pulled"),
            ({"outbound_enabled": True, "cancellation_reason_id": 7}, "fill in API URL, API Username, API Password"),
        ]
        for values, words in cases:
            with self.subTest(values=values), self.assertRaises(ValidationError) as caught:
                self.account.write(values)
            self.assertIn(words, str(caught.exception))

    def test_fulfilment_is_switched_on_only_with_omnitrons_cancellation_reason(self):
        self.account.write({"api_url": "https://omnitron.example.com", "api_username": "erp", "api_password": "pw"})
        with self.assertRaisesRegex(ValidationError, "Cancellation Reason ID: set the id of this Omnitron's reason"):
            self.account.write({"outbound_enabled": True})
        self.account.write({"outbound_enabled": True, "cancellation_reason_id": 4})
        with self.assertRaises(ValidationError) as refused:  # Odoo's: in a savepoint, as a request
            self.account.cancellation_reason_id = 0
        self.assertIn("Cancellation Reason ID", str(refused.exception))
        self.assertEqual(self.account.cancellation_reason_id, 4)

    def test_the_api_url_is_https_to_a_public_address_unless_the_sandbox_is_allowed(self):
        cases = [
            ("http://omnitron.example.com", "API URL: Omnitron's API is called over https only"),
            ("https://127.0.0.1:8069", "is a private, loopback or link-local address"),
            ("https://169.254.169.254", "is a private, loopback or link-local address"),
            ("https://10.0.0.8", "is a private, loopback or link-local address"),
            ("https://localhost", "is a private, loopback or link-local address"),
            ("https://omni tron.example.com", "API URL: an http or https base URL"),
        ]
        for url, words in cases:
            with self.subTest(url=url), self.assertRaises(ValidationError) as caught:
                self.account.api_url = url
            self.assertIn(words, str(caught.exception))
        self.assertFalse(self.account.api_url)
        self.env["ir.config_parameter"].set_param("omnitron_order_webhook.sandbox_api_urls", "true")
        self.account.api_url = "http://127.0.0.1:8069"
        self.assertEqual(self.account.api_url, "http://127.0.0.1:8069", "a sandbox, where the admin allows it")

    def test_the_pull_needs_sending_switched_on_because_it_finds_orders_by_their_sent_mark(self):
        self.account.write({"api_url": "https://omnitron.example.com", "api_username": "erp", "api_password": "pw"})
        with self.assertRaisesRegex(ValidationError, "is_send"):
            self.account.write({"catch_up_enabled": True})

    def test_a_sender_posts_the_orders_of_one_account_of_its_own_company(self):
        with self.assertRaisesRegex(ValidationError, "choose the Omnitron account"):
            new_test_user(
                self.env, login="omnitron-sender-without", groups="omnitron_order_webhook.group_omnitron_sender"
            )
        brand_b = self.env["res.company"].create({"name": "Brand B"})
        with self.assertRaisesRegex(ValidationError, "must belong to that company"):
            self.sender.omnitron_account_id = self.account_of(brand_b)


@tagged("post_install", "-at_install")
class TestTwoBrands(OmnitronApiCase):
    """Two companies in one database, each with its own Omnitron."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.brand_b = cls.env["res.company"].create({"name": "Brand B", "currency_id": cls.env.ref("base.TRY").id})
        cls.env["account.chart.template"].try_loading("tr", cls.brand_b, install_demo=False)
        cls.api_b = OmnitronApiDouble(username="brand-b-erp", password="brand-b-pw").start()
        cls.addClassCleanup(cls.api_b.stop)
        cls.account_b = cls.env["omnitron.account"].create({"name": "Brand B Omnitron", "company_id": cls.brand_b.id})
        cls.sender_b = cls.sender_of(cls, cls.brand_b, "omnitron-sender-brand-b", cls.account_b)
        cls.token_b = cls.sender_b.omnitron_generate_token()
        cls.carrier.company_id = False

    def setUp(self):
        super().setUp()
        self.api_b.reset()
        self.api_b.expire_keys()
        self.connect(self.account_b, self.api_b)

    def test_each_companys_orders_are_told_to_its_own_omnitron_only(self):
        body = self.order("B-1", [item(801, "B-1", "100.00")])
        with trap_jobs() as trap:
            self.assertEqual(self.receive(body, token=self.token_b).status, 204)
            order_b = self.omnitron_orders("B-1")
            self.assertEqual((order_b.company_id, order_b.omnitron_account_id), (self.brand_b, self.account_b))
            trap.perform_enqueued_jobs()
            order_b.with_company(self.brand_b)._action_cancel()
            trap.perform_enqueued_jobs()
        self.assertFalse(self.api.calls, "company A's Omnitron heard nothing of B's order")
        told = [(call.method, call.path) for call in self.api_b.calls if "auth/login" not in call.path]
        self.assertEqual(
            told,
            [
                ("PATCH", f"/api/v1/orders/{order_b.omnitron_pk}/"),
                # A cancel reads the order back first: what Omnitron has cancelled already is not asked again.
                ("GET", f"/api/i1/orders_integration/{order_b.omnitron_pk}/detailed_integration/"),
                ("POST", f"/api/i1/orders/{order_b.omnitron_pk}/cancel/"),
            ],
        )
        self.assertEqual(self.api_b.logins()[0].body["username"], "brand-b-erp")

    def test_a_return_of_brand_bs_order_is_received_credited_and_told_in_brand_b_only(self):
        self.account_b.return_credit_note = "post"  # the refund request goes with the receipt, numbered
        body = self.order("B-RET", [item(821, "B-RET", "100.00")])
        with trap_jobs() as trap:
            self.assertEqual(self.receive(body, token=self.token_b).status, 204)
            order_b = self.omnitron_orders("B-RET").with_company(self.brand_b)
            delivery = self.ship(order_b)
            invoice = self.invoice(order_b)
            wizard = (
                self.env["stock.return.picking"]
                .with_company(self.brand_b)
                .with_context(active_model="stock.picking", active_id=delivery.id, active_ids=delivery.ids)
                .create({"picking_id": delivery.id})
            )
            wizard.product_return_moves.quantity = 1
            receipt = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
            self.take_back(receipt.with_company(self.brand_b))
            trap.perform_enqueued_jobs()
        self.assertEqual(receipt.company_id, self.brand_b)
        self.assertEqual(receipt.location_dest_id.warehouse_id.company_id, self.brand_b)
        self.assertEqual(receipt.omnitron_credit_note_ids.company_id, self.brand_b)
        self.assertEqual(receipt.omnitron_credit_note_ids.reversed_entry_id, invoice)
        self.assertFalse(self.api.calls, "company A's Omnitron heard nothing of B's return")
        [cancel] = [call for call in self.api_b.calls if call.path.endswith("/cancel/")]
        self.assertEqual(cancel.body["cancel_items"], [821])

    def brand_b_order(self, number, item_pk):
        """An order of brand B, imported through B's sender and held by B's Omnitron."""
        body = self.order(number, [item(item_pk, f"B-{item_pk}", "100.00")])
        self.api_b.add_order(body["payload"], is_send=True)
        with trap_jobs():
            self.assertEqual(self.receive(body, token=self.token_b).status, 204)
        return self.omnitron_orders(number)

    def omnitron_user_of(self, company, login):
        """A salesman and Omnitron user of ``company`` only."""
        return new_test_user(
            self.env,
            login=login,
            groups="sales_team.group_sale_salesman,omnitron_order_webhook.group_omnitron_user",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )

    def test_refresh_is_refused_on_an_order_of_a_company_the_user_cannot_reach(self):
        order_b = self.brand_b_order("B-REFRESH", 805)
        user_a = self.omnitron_user_of(self.company, "omnitron-user-of-a-only")
        for action in ("action_omnitron_refresh", "action_omnitron_mark_handled", "action_omnitron_retry_sync"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(order_b.with_user(user_a), action)()
        self.assertFalse(self.api_b.calls, "brand B's Omnitron was not called")

    def test_refresh_names_who_pressed_it_and_waits_between_two_presses(self):
        order_b = self.brand_b_order("B-PRESS", 806)
        user_b = self.omnitron_user_of(self.brand_b, "omnitron-user-of-b")
        order_as_b = order_b.with_user(user_b).with_company(self.brand_b)
        order_as_b.action_omnitron_refresh()
        event = self.env["omnitron.webhook.event"].search([("order_number", "=", "B-PRESS")], limit=1)
        self.assertEqual((event.source, event.user_id), ("pull", user_b))
        with self.assertRaises(UserError):
            order_as_b.action_omnitron_refresh()
        details = self.api_b.count_calls("GET", r"/api/i1/orders_integration/\d+/detailed_integration/")
        self.assertEqual(details, 1, "one press, one call")

    def administrator_of(self, company, login):
        """An Omnitron administrator (and Inventory administrator) of ``company`` only."""
        return new_test_user(
            self.env,
            login=login,
            groups="omnitron_order_webhook.group_omnitron_manager,stock.group_stock_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )

    def test_an_administrator_puts_an_account_only_in_a_company_they_reach(self):
        admin_a = self.administrator_of(self.company, "omnitron-admin-of-a-only")
        Account = self.env["omnitron.account"].with_user(admin_a)
        with self.assertRaisesRegex(AccessError, "Brand B, a company you cannot access"):
            Account.create({"name": "Planted", "company_id": self.brand_b.id, "active": False})
        planted = Account.create({"name": "Planted", "company_id": self.company.id, "active": False})
        with self.assertRaisesRegex(AccessError, "Brand B, a company you cannot access"):
            planted.write({"company_id": self.brand_b.id, "active": True})
        self.assertEqual((planted.company_id, planted.active), (self.company, False), "nothing was written")

    def test_an_accounts_company_stays_once_it_has_a_payment_rule_even_archived(self):
        brand_c = self.env["res.company"].create({"name": "Brand C"})
        spare = self.env["omnitron.account"].create({"name": "Spare", "company_id": self.company.id, "active": False})
        workflow = self.env["sale.workflow.process"].create({"name": "Confirm only", "validate_order": True})
        rule = self.env["omnitron.payment.rule"].create(
            {"account_id": spare.id, "payment_kind": "card", "workflow_process_id": workflow.id}
        )
        rule.active = False
        with self.assertRaisesRegex(ValidationError, "payment rules or orders of"):
            spare.company_id = brand_c
        self.assertEqual(spare.company_id, self.company)

    def test_odoos_own_fields_of_an_account_are_not_written_by_its_administrators(self):
        admin_b = self.administrator_of(self.brand_b, "omnitron-admin-of-b")
        account = self.account_b.with_user(admin_b)
        for values in (
            {"api_password_set": True},
            {"catch_up_last_error": "forged"},
            {"catch_up_last_run": "2026-01-01 00:00:00"},
            {"catch_up_failing": True},
        ):
            with self.subTest(values=values), self.assertRaisesRegex(AccessError, "written by Odoo only"):
                account.write(values)
        self.assertFalse(self.account_b.catch_up_last_error)

    def test_what_omnitron_answered_is_shown_to_omnitron_administrators_only(self):
        self.account_b.sudo().write({"catch_up_last_error": "Omnitron refused GET /api/i1/orders/ (400): hello"})
        salesman_b = self.omnitron_user_of(self.brand_b, "omnitron-user-of-b-reads")
        with self.assertRaises(AccessError):
            self.account_b.with_user(salesman_b).read(["catch_up_last_error"])
        self.assertNotIn("catch_up_last_error", self.account_b.with_user(salesman_b).read()[0])
        admin_b = self.administrator_of(self.brand_b, "omnitron-admin-of-b-reads")
        self.assertIn(
            "hello", self.account_b.with_user(admin_b).read(["catch_up_last_error"])[0]["catch_up_last_error"]
        )

    def test_every_button_of_another_companys_record_is_refused_before_anything_runs(self):
        order_b = self.brand_b_order("B-BUTTONS", 807)
        event_b = self.env["omnitron.webhook.event"].search([("order_id", "=", order_b.id)], limit=1)
        admin_a = self.administrator_of(self.company, "omnitron-admin-of-a-buttons")
        self.api_b.reset()
        presses = {
            "Test connection": lambda: self.account_b.with_user(admin_a).action_test_connection(),
            "Test and Save": lambda: (
                self.env["omnitron.account.connection"]
                .with_user(admin_a)
                .create({"account_id": self.account_b.id, "api_url": self.api_b.url, "api_username": "x"})
            ),
            "Pull now": lambda: self.account_b.with_user(admin_a).action_pull_now(),
            "Reprocess": lambda: event_b.with_user(admin_a).action_reprocess(),
            "Notify": lambda: event_b.with_user(admin_a).action_notify_administrator(),
            "Dismiss": lambda: event_b.with_user(admin_a).action_dismiss(),
            "Ship anyway": lambda: (
                self.env["omnitron.ship.anyway"]
                .with_user(admin_a)
                .create({"picking_ids": [(6, 0, order_b.picking_ids.ids)]})
            ),
            "Generate token": lambda: self.sender_b.with_user(admin_a).action_omnitron_generate_token(),
            "Refresh": lambda: order_b.with_user(admin_a).action_omnitron_refresh(),
        }
        for button, press in presses.items():
            with self.subTest(button=button), self.assertRaises(AccessError):
                press()
        self.assertFalse(self.api_b.calls, "brand B's Omnitron heard nothing")
        self.assertFalse(event_b.activity_ids)
        self.assertEqual(len(self.sender_b.sudo().omnitron_token_ids), 1, "no token was made")

    def test_test_connection_keeps_what_was_typed_only_once_omnitron_accepts_it(self):
        stored = self.account_b._api_password()
        Wizard = self.env["omnitron.account.connection"]
        wrong = Wizard.create(
            {
                "account_id": self.account_b.id,
                "api_url": self.api_b.url,
                "api_username": "brand-b-erp",
                "api_password": "wrong",
            }
        )
        with self.assertRaisesRegex(UserError, "Nothing was saved. Omnitron refused the login"):
            wrong.action_test_and_save()
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        with self.assertRaisesRegex(UserError, "Hiçbir şey kaydedilmedi. Omnitron girişi reddetti \\(400\\)"):
            wrong.with_context(lang="tr_TR").action_test_and_save()
        self.assertEqual(self.account_b._api_password(), stored, "the working password stays")
        # Another URL with no password typed: the stored one is never sent there.
        moved = Wizard.create({"account_id": self.account_b.id, "api_url": self.api.url, "api_username": "odoo-erp"})
        self.api.reset()
        with self.assertRaisesRegex(UserError, "API Password: type it"):
            moved.action_test_and_save()
        self.assertFalse(self.api.calls, "nothing reached the other host")
        right = Wizard.create(
            {
                "account_id": self.account_b.id,
                "api_url": self.api.url,
                "api_username": "odoo-erp",
                "api_password": self.API_PASSWORD,
            }
        )
        right.action_test_and_save()
        self.assertEqual(
            (self.account_b.api_url, self.account_b.api_username, self.account_b._api_password()),
            (self.api.url, "odoo-erp", self.API_PASSWORD),
        )
        self.assertIn("accepted the login", self.account_b.message_ids[0].body)

    def test_a_call_is_refused_when_the_sandbox_is_switched_off_after_the_url_was_saved(self):
        self.env["ir.config_parameter"].set_param("omnitron_order_webhook.sandbox_api_urls", "false")
        success, message = self.account_b._test_connection()
        self.assertFalse(success)
        self.assertIn("https only", message)
        self.assertFalse(self.api_b.calls)

    def test_a_sender_is_never_a_channels_salesperson(self):
        self.assertEqual(self.receive(self.order("B-SP", [item(831, "B-SP", "10.00")]), token=self.token_b).status, 204)
        channel_b = self.env["omnitron.channel"].search([("account_id", "=", self.account_b.id)])
        with self.assertRaisesRegex(ValidationError, "Salesperson: .* is a machine account"):
            channel_b.user_id = self.sender_b

    def test_a_channel_switched_off_in_one_company_stays_on_in_the_other(self):
        self.assertEqual(self.receive(self.order("A-1", [item(811, "A-1", "10.00")])).status, 204)
        self.assertEqual(self.receive(self.order("B-2", [item(812, "B-2", "10.00")]), token=self.token_b).status, 204)
        channel_a = self.env["omnitron.channel"].search([("account_id", "=", self.account.id)])
        channel_b = self.env["omnitron.channel"].search([("account_id", "=", self.account_b.id)])
        self.assertEqual((channel_a.channel_pk, channel_b.channel_pk), (20, 20), "one channel id, two Omnitrons")
        channel_a.accept_orders = False
        self.assertEqual(self.receive(self.order("B-3", [item(813, "B-3", "10.00")]), token=self.token_b).status, 204)
        body = self.assert_ignored(self.receive(self.order("A-2", [item(814, "A-2", "10.00")])), "channel_not_allowed")
        self.assertIn("none of this account's", body["detail"], "B's channels are none of A's business")


@tagged("post_install", "-at_install")
class TestMigrationFromGlobalSettings(OmnitronCase):
    def test_the_global_connection_becomes_one_account_per_company_with_senders(self):
        self.receive(self.sample())
        brand_b = self.env["res.company"].create({"name": "Brand B"})
        sender_b = self.sender_of(brand_b, "omnitron-sender-migrated-b")
        params = self.env["ir.config_parameter"].sudo()
        legacy = {
            "outbound_enabled": "true",
            "omnitron_api_url": "https://omnitron.example.com",
            "omnitron_api_username": "erp",
            "omnitron_api_password": "legacy-pw",
            "cancellation_reason_id": "7",
            "outbound_timeout_seconds": "15",
        }
        for key, value in legacy.items():
            params.set_param(PARAM_PREFIX + key, value)
        params.set_param(PARAM_PREFIX + "order_filtering", '{"channels": [31]}')
        # The database as 18.0.1.3.0 left it: no account anywhere.
        cr = self.env.cr
        cr.execute("ALTER TABLE omnitron_channel ALTER COLUMN account_id DROP NOT NULL")
        cr.execute("UPDATE res_users SET omnitron_account_id = NULL")
        cr.execute("UPDATE omnitron_channel SET account_id = NULL")
        cr.execute("UPDATE sale_order SET omnitron_account_id = NULL")
        cr.execute("UPDATE omnitron_webhook_event SET account_id = NULL")
        cr.execute("DELETE FROM omnitron_account")
        self.env.invalidate_all()
        load_migration("18.0.1.4.0", "post-migrate.py").migrate(cr, "18.0.1.3.0")
        self.env.invalidate_all()
        accounts = self.env["omnitron.account"].search([])
        self.assertEqual(sorted(accounts.company_id.mapped("name")), sorted([self.company.name, "Brand B"]))
        account_a = accounts.filtered(lambda account: account.company_id == self.company)
        self.assertEqual(
            (account_a.api_url, account_a.api_username, account_a._api_password(), account_a.outbound_enabled),
            ("https://omnitron.example.com", "erp", "legacy-pw", True),
        )
        self.assertEqual((account_a.cancellation_reason_id, account_a.timeout_seconds), (7, 15))
        self.assertEqual(self.sender.omnitron_account_id, account_a)
        self.assertEqual(sender_b.omnitron_account_id.company_id, brand_b)
        channel = self.env["omnitron.channel"].search([("channel_pk", "=", 20)])
        self.assertEqual(channel.account_id, account_a)
        self.assertFalse(channel.accept_orders, "the old filter left channel 20 out")
        self.assertEqual(self.omnitron_orders().omnitron_account_id, account_a)
        for key in legacy:
            self.assertFalse(params.get_param(PARAM_PREFIX + key), key)


@tagged("post_install", "-at_install")
class TestAccountOverHttp(OmnitronHttpCase):
    def test_the_senders_of_an_archived_account_are_refused(self):
        self.account.active = False
        response = self.post(self.sample())
        self.assertEqual(response.status_code, 403, response.text)
        self.assertFalse(self.omnitron_orders())
        self.account.active = True
        self.assertEqual(self.post(self.sample()).status_code, 204)
