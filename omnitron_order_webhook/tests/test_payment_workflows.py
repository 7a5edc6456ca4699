"""Money at volume: each imported order takes the OCA automatic workflow of its payment rule,
which invoices what was shipped, posts it and pays it; a failing step is flagged, never silent."""

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestPaymentWorkflows(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prepaid = cls.env.ref("omnitron_order_webhook.workflow_prepaid")
        cls.pay_on_delivery = cls.env.ref("omnitron_order_webhook.workflow_pay_on_delivery")
        cls.marketplace = cls.env.ref("omnitron_order_webhook.workflow_marketplace")
        Journal = cls.env["account.journal"]
        cls.card_journal = Journal.create(
            {"name": "Iyzico", "code": "IYZ", "type": "bank", "company_id": cls.company.id}
        )
        cls.n11_journal = Journal.create(
            {"name": "n11 hakediş", "code": "N11", "type": "bank", "company_id": cls.company.id}
        )
        Rule = cls.env["omnitron.payment.rule"]
        cls.card_rule = Rule.create(
            {
                "account_id": cls.account.id,
                "payment_kind": "card",
                "workflow_process_id": cls.prepaid.id,
                "journal_id": cls.card_journal.id,
            }
        )
        cls.cod_rule = Rule.create(
            {
                "account_id": cls.account.id,
                "payment_kind": "pay_on_delivery",
                "workflow_process_id": cls.pay_on_delivery.id,
            }
        )
        cls.market_rule = Rule.create(
            {
                "account_id": cls.account.id,
                "payment_kind": "marketplace",
                "workflow_process_id": cls.marketplace.id,
                "journal_id": cls.n11_journal.id,
            }
        )

    def imported(self, number, pk, **payment):
        body = self.order(number, [item(pk, f"W-{pk}", "120.00")], pk=pk, **payment)
        self.assertEqual(self.receive(body).status, 204)
        return self.omnitron_orders(number)

    def run_workflows(self):
        """OCA's own job, as its cron runs it."""
        self.env["automatic.workflow.job"].run()

    def test_a_card_order_is_invoiced_for_what_shipped_posted_and_paid_into_the_rules_journal(self):
        order = self.imported("W-CARD", 9101, payment_option={"pk": 1, "payment_type": "credit_card", "slug": "kk"})
        self.assertEqual(
            (order.omnitron_payment_kind, order.workflow_process_id, order.omnitron_payment_journal_id),
            ("card", self.prepaid, self.card_journal),
        )
        self.run_workflows()
        self.assertFalse(order.invoice_ids, "nothing is invoiced before it ships")
        self.ship(order)
        self.run_workflows()
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "paid"))
        payment = invoice.matched_payment_ids
        self.assertEqual(payment.journal_id, self.card_journal)
        self.assertIn("391", invoice.line_ids.filtered("tax_line_id").account_id.code, "VAT on the chart's 391…")
        self.assertFalse(order.omnitron_needs_action)

    def test_pay_on_delivery_is_invoiced_and_left_open_for_the_carriers_remittance(self):
        order = self.imported("W-COD", 9102, payondeliverytransaction_set=[{"pk": 1, "amount": "120.00"}])
        self.assertEqual(order.workflow_process_id, self.pay_on_delivery)
        self.ship(order)
        self.run_workflows()
        self.assertEqual((order.invoice_ids.state, order.invoice_ids.payment_state), ("posted", "not_paid"))

    def test_a_marketplace_order_is_paid_into_the_marketplaces_journal(self):
        order = self.imported("W-N11", 9103)
        self.assertEqual((order.omnitron_payment_kind, order.workflow_process_id), ("marketplace", self.marketplace))
        self.ship(order)
        self.run_workflows()
        self.assertEqual(order.invoice_ids.matched_payment_ids.journal_id, self.n11_journal)

    def test_an_order_cancelled_before_shipment_is_never_invoiced(self):
        order = self.imported("W-CANCEL", 9104, payment_option={"pk": 1, "payment_type": "credit_card"})
        order._action_cancel()
        self.run_workflows()
        self.assertFalse(order.invoice_ids)

    def test_a_channel_rule_comes_before_the_accounts_and_a_slug_before_a_kind(self):
        self.receive(self.sample())
        channel = self.env["omnitron.channel"].search([("account_id", "=", self.account.id)])
        slug_rule = self.env["omnitron.payment.rule"].create(
            {"account_id": self.account.id, "raw_slug": "Kapida-Nakit", "workflow_process_id": self.pay_on_delivery.id}
        )
        channel_rule = self.env["omnitron.payment.rule"].create(
            {
                "account_id": self.account.id,
                "channel_id": channel.id,
                "payment_kind": "card",
                "workflow_process_id": self.pay_on_delivery.id,
            }
        )
        card = self.imported("W-CH", 9105, payment_option={"pk": 1, "payment_type": "credit_card"})
        self.assertEqual(card.workflow_process_id, channel_rule.workflow_process_id)
        cash = self.imported("W-SLUG", 9106, payment_option_slug="kapida-nakit")
        self.assertEqual(
            (cash.omnitron_payment_kind, cash.workflow_process_id), ("other", slug_rule.workflow_process_id)
        )

    def test_a_payment_no_rule_covers_is_flagged_never_guessed_and_the_channel_default_is_a_choice(self):
        order = self.imported("W-LOYAL", 9107, loyaltytransaction_set=[{"pk": 1}])
        self.assertFalse(order.workflow_process_id)
        self.assertTrue(order.omnitron_payment_unmatched)
        self.assertTrue(order.omnitron_needs_action)
        self.assertIn("no payment rule", order.omnitron_action_note)
        self.assertTrue(order.activity_ids.filtered(lambda activity: activity.summary == "No Payment Rule"))
        channel = order.omnitron_channel_id
        channel.workflow_process_id = self.prepaid
        other = self.imported("W-LOYAL2", 9108, loyaltytransaction_set=[{"pk": 1}])
        self.assertEqual(other.workflow_process_id, self.prepaid)
        self.assertFalse(other.omnitron_payment_unmatched)

    def test_without_any_rule_orders_take_no_workflow_as_before(self):
        (self.card_rule | self.cod_rule | self.market_rule).unlink()
        order = self.imported("W-NONE", 9109)
        self.assertFalse(order.workflow_process_id)
        self.assertFalse(order.omnitron_payment_unmatched)

    def test_a_failing_step_flags_the_order_with_the_error_and_a_later_success_clears_it(self):
        order = self.imported("W-FAIL", 9110, payment_option={"pk": 1, "payment_type": "credit_card"})
        self.ship(order)
        # A journal without a way to receive payments: registering the payment fails.
        methods = self.card_journal.inbound_payment_method_line_ids
        kept = [Command.create({"payment_method_id": method.payment_method_id.id}) for method in methods]
        methods.unlink()
        self.run_workflows()
        self.assertTrue(order.omnitron_workflow_failed)
        self.assertTrue(order.omnitron_workflow_error)
        self.assertIn("could not register the payment of this order", order.omnitron_action_note)
        self.assertEqual(
            len(order.activity_ids.filtered(lambda activity: activity.summary == "Automatic Workflow Failed")), 1
        )
        self.run_workflows()
        self.assertEqual(
            len(order.activity_ids.filtered(lambda activity: activity.summary == "Automatic Workflow Failed")),
            1,
            "one activity per flag",
        )
        channel = order.omnitron_channel_id
        self.assertEqual(channel.action_count, 1, "the dashboard counts it among the orders needing action")
        action = channel.action_view_orders_needing_action()
        self.assertEqual(action["context"]["search_default_omnitron_needs_action"], 1)
        self.assertIn(order, self.env["sale.order"].search(action["domain"] + [("omnitron_needs_action", "=", True)]))
        self.card_journal.inbound_payment_method_line_ids = kept
        self.run_workflows()
        self.assertFalse(order.omnitron_workflow_failed)
        self.assertEqual(order.invoice_ids.payment_state, "paid")
        self.assertNotIn("could not", order.omnitron_action_note or "")

    def test_a_rule_with_another_companys_journal_or_no_journal_to_pay_into_is_refused_naming_the_field(self):
        other_company = self.env["res.company"].create({"name": "Brand B"})
        foreign = self.env["account.journal"].create(
            {"name": "B bank", "code": "BBK", "type": "bank", "company_id": other_company.id}
        )
        with self.assertRaisesRegex(ValidationError, "Payment Journal"):
            self.env["omnitron.payment.rule"].create(
                {
                    "account_id": self.account.id,
                    "payment_kind": "wallet",
                    "workflow_process_id": self.prepaid.id,
                    "journal_id": foreign.id,
                }
            )
        with self.assertRaisesRegex(ValidationError, "Payment Journal: the workflow"):
            self.env["omnitron.payment.rule"].create(
                {"account_id": self.account.id, "payment_kind": "wallet", "workflow_process_id": self.prepaid.id}
            )

    def test_a_refund_after_the_workflow_paid_credits_what_came_back_and_asks_to_refund_the_customer(self):
        card = {"payment_option": {"pk": 1, "payment_type": "credit_card"}}
        order = self.imported("W-REFUND", 9112, **card)
        self.ship(order)
        self.run_workflows()
        invoice = order.invoice_ids
        self.assertEqual(invoice.payment_state, "paid")
        refunded = self.order("W-REFUND", [item(9112, "W-9112", "120.00", status="600")], pk=9112, **card)
        refunded["payload"]["refund_amount"] = "120.00"
        self.assertEqual(self.receive(refunded).body["reason"], "order_updated")
        self.run_workflows()
        self.take_back(self.returns_of(order))
        credit_note = order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual((credit_note.state, credit_note.reversed_entry_id), ("draft", invoice))
        self.assertFalse(credit_note.workflow_process_id, "never posted nor paid back by the workflow")
        self.assertFalse(order.omnitron_workflow_failed)
        self.assertIn("refund the customer", order.omnitron_action_note)
        self.assertTrue(order.activity_ids.filtered(lambda activity: "refund the customer" in (activity.note or "")))
        self.run_workflows()
        self.assertEqual((credit_note.state, invoice.payment_state), ("draft", "paid"), "nothing re-opened silently")
        credit_note.action_post()
        self.assertEqual((credit_note.payment_state, credit_note.amount_residual), ("not_paid", 120.0))
        self.assertEqual(invoice.payment_state, "paid", "the credit note is an outstanding credit, not a reopening")
        outstanding = credit_note.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")
        self.assertEqual((outstanding.reconciled, outstanding.amount_residual), (False, -120.0))

    def test_the_event_shows_how_the_order_was_paid(self):
        self.imported("W-EV", 9111, payment_option={"pk": 1, "payment_type": "credit_card"})
        self.assertEqual(self.events()[:1].payment_kind, "card")
