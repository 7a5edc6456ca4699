"""Matters: one record per thing an Omnitron order needs a person for. Each opens with its
sentence and its person's activity, and closes, with both, by what settles it."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import OmnitronCase, item, load_migration


@tagged("post_install", "-at_install")
class TestMatters(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse_user = new_test_user(cls.env, login="matter-warehouse", groups="stock.group_stock_user")
        cls.accountant = new_test_user(
            cls.env, login="matter-accountant", groups="account.group_account_invoice,sales_team.group_sale_salesman"
        )
        cls.salesperson = new_test_user(cls.env, login="matter-sales", groups="sales_team.group_sale_salesman")
        cls.company.write(
            {
                "omnitron_warehouse_user_id": cls.warehouse_user.id,
                "omnitron_accountant_user_id": cls.accountant.id,
                "omnitron_administrator_user_id": cls.manager.id,
            }
        )

    def imported(self, number, items, **changes):
        body = self.order(number, items, **changes)
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders(number)
        order.user_id = self.salesperson
        return body, order

    def matters(self, order, kind=None, state=None):
        return order.omnitron_matter_ids.filtered(
            lambda matter: (kind is None or matter.kind == kind) and (state is None or matter.state == state)
        )

    def open_activities(self, record):
        return record.activity_ids.filtered(lambda activity: activity.active)

    # --- A request from Omnitron: the salesperson's request, the warehouse's hold ---

    def test_a_cancellation_request_opens_the_salespersons_request_and_the_warehouses_hold(self):
        _body, order = self.imported("M-REQ", [item(7001, "M-1", "100.00")])
        self.assertEqual(self.receive(self.plan("M-REQ", pk=7001), webhook="cancellation_plan").status, 204)
        request = self.matters(order, "plan_request")
        hold = self.matters(order, "held")
        self.assertEqual((request.state, request.value, request.user_id), ("open", "cancel", self.salesperson))
        self.assertEqual((hold.state, hold.value, hold.user_id), ("open", "cancel", self.warehouse_user))
        self.assertFalse(hold.handleable, "only Omnitron lifts a hold")
        delivery = order.picking_ids
        # Each person's activity is on what they open: the delivery for the warehouse.
        self.assertEqual(hold.activity_id.res_model, "stock.picking")
        self.assertEqual(hold.activity_id.res_id, delivery.id)
        self.assertEqual(hold.activity_id.user_id, self.warehouse_user)
        self.assertEqual(request.activity_id.res_model, "sale.order")
        self.assertEqual(request.activity_id.user_id, self.salesperson)
        self.assertEqual((order.omnitron_plan_request, order.omnitron_hold), ("cancel", "cancel"))
        self.assertIn("Omnitron asks to cancel this order", order.omnitron_action_note)
        self.assertTrue(delivery.omnitron_hold_reason)

    def test_omnitron_cancelling_closes_the_request_and_the_hold_with_their_activities(self):
        _body, order = self.imported("M-CAN", [item(7002, "M-2", "100.00")])
        self.receive(self.plan("M-CAN", pk=7002), webhook="cancellation_plan")
        request, hold = self.matters(order, "plan_request"), self.matters(order, "held")
        activities = request.activity_id | hold.activity_id
        self.assertEqual(len(activities), 2)
        body = self.order("M-CAN", [item(7002, "M-2", "100.00")], status="100")
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(order.state, "cancel")
        for matter in request | hold:
            self.assertEqual((matter.state, matter.closed_reason), ("closed", "omnitron"), matter.kind)
        self.assertFalse(activities.exists(), "the activities are done, not left open")
        self.assertFalse(order.omnitron_plan_request or order.omnitron_hold or order.omnitron_needs_action)
        self.assertFalse(order.omnitron_action_note, "no request is shown any more")
        done = self.env["mail.message"].search(
            [("model", "=", "sale.order"), ("res_id", "=", order.id), ("mail_activity_type_id", "!=", False)]
        )
        self.assertIn("Omnitron decided", " ".join(done.mapped("body")))

    def test_omnitron_refunding_answers_a_refund_request(self):
        body, order = self.imported("M-REF", [item(7003, "M-3", "100.00")])
        self.receive(self.plan("M-REF", pk=7003, plan_type="refund"), webhook="cancellation_plan")
        self.assertEqual(order.omnitron_plan_request, "refund")
        body["payload"]["orderitem_set"][0]["status"] = "600"
        body["payload"]["refund_amount"] = "100.00"
        self.receive(body)
        self.assertFalse(self.matters(order, "plan_request", "open"))
        self.assertFalse(self.matters(order, "held", "open"))
        self.assertNotIn("asks for a refund", order.omnitron_action_note or "")

    def test_a_person_may_not_close_a_hold_and_shipping_anyway_closes_it_for_the_done_delivery(self):
        _body, order = self.imported("M-SHIP", [item(7004, "M-4", "100.00")])
        self.receive(self.plan("M-SHIP", pk=7004), webhook="cancellation_plan")
        hold = self.matters(order, "held")
        with self.assertRaises(UserError):
            hold.with_user(self.manager).action_mark_handled()
        self.assertEqual(hold.state, "open")
        stock_manager = new_test_user(self.env, login="matter-stock-manager", groups="stock.group_stock_manager")
        delivery = order.picking_ids
        for move in delivery.move_ids:
            move.quantity = move.product_uom_qty
        delivery.move_ids.picked = True
        delivery.with_user(stock_manager).with_context(omnitron_ship_anyway=True)._action_done()
        self.assertEqual(delivery.state, "done")
        self.assertEqual((hold.state, hold.closed_by_id), ("closed", stock_manager))
        self.assertFalse(delivery.omnitron_hold_reason)
        self.assertFalse(self.open_activities(delivery), "no 'Do not ship' left on the shipped delivery")
        # The salesperson's request is still Omnitron's to answer.
        self.assertEqual(self.matters(order, "plan_request").state, "open")

    # --- Returns and credit notes: the warehouse's and the accountant's ---

    def test_a_refund_of_delivered_goods_gives_the_warehouse_the_receipt_and_closes_when_received(self):
        body, order = self.imported("M-RET", [item(7005, "M-5", "100.00")])
        self.ship(order)
        self.invoice(order)
        body["payload"]["orderitem_set"][0]["status"] = "600"
        body["payload"]["refund_amount"] = "100.00"
        self.receive(body)
        receipt = self.returns_of(order)
        to_receive = self.matters(order, "return_to_receive")
        self.assertEqual((to_receive.user_id, to_receive.picking_ids), (self.warehouse_user, receipt))
        warehouse_todo = (
            self.env["mail.activity"].with_user(self.warehouse_user).search([("user_id", "=", self.warehouse_user.id)])
        )
        self.assertIn(receipt.id, warehouse_todo.filtered(lambda a: a.res_model == "stock.picking").mapped("res_id"))
        refund = self.matters(order, "refunded")
        self.assertEqual(refund.user_id, self.accountant)
        self.take_back(receipt)
        self.assertEqual((to_receive.state, to_receive.closed_reason), ("closed", "documents"))
        self.assertFalse(self.open_activities(receipt))
        # The receipt's draft credit note is the accountant's still: the refund waits for it.
        credit_note = order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual(credit_note.state, "draft")
        self.assertIn(credit_note, refund.move_ids)
        self.assertEqual(refund.state, "open")
        self.assertTrue(order.omnitron_refunded)
        credit_note.action_post()
        self.assertEqual((refund.state, refund.closed_reason), ("closed", "documents"))
        self.assertFalse(order.omnitron_refunded)
        self.assertFalse(order.omnitron_needs_action)

    def test_a_draft_credit_note_of_a_return_made_in_odoo_is_the_accountants_until_posted(self):
        _body, order = self.imported("M-ODOO", [item(7006, "M-6", "100.00")])
        delivery = self.ship(order)
        self.invoice(order)
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = line.move_id.quantity
        receipt = wizard._create_return()
        self.take_back(receipt)
        to_check = self.matters(order, "credit_note")
        credit_note = receipt.omnitron_credit_note_ids
        self.assertEqual((to_check.user_id, to_check.move_ids), (self.accountant, credit_note))
        self.assertEqual(
            (to_check.activity_id.res_model, to_check.activity_id.res_id), ("account.move", credit_note.id)
        )
        credit_note.action_post()
        self.assertEqual(to_check.state, "closed")

    # --- A payment no rule covers: the administrator's, closed by the rule ---

    def test_a_new_payment_rule_applies_itself_to_the_orders_waiting_for_one(self):
        prepaid = self.env.ref("omnitron_order_webhook.workflow_prepaid")
        on_delivery = self.env.ref("omnitron_order_webhook.workflow_pay_on_delivery")
        self.env["omnitron.payment.rule"].create(
            {"account_id": self.account.id, "payment_kind": "pay_on_delivery", "workflow_process_id": on_delivery.id}
        )
        _body, order = self.imported("M-PAY", [item(7007, "M-7", "100.00")], loyaltytransaction_set=[{"pk": 1}])
        waiting = self.matters(order, "payment_unmatched")
        self.assertEqual((waiting.state, waiting.user_id), ("open", self.manager))
        self.assertIn("Paid by loyalty points: no payment rule", order.omnitron_action_note)
        bank = self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "bank")], limit=1
        )
        rule = (
            self.env["omnitron.payment.rule"]
            .with_user(self.manager)
            .create(
                {
                    "account_id": self.account.id,
                    "payment_kind": "loyalty",
                    "workflow_process_id": prepaid.id,
                    "journal_id": bank.id,
                }
            )
        )
        self.assertEqual(rule.waiting_order_count, 1)
        rule.action_apply_to_waiting_orders()
        self.assertEqual((order.workflow_process_id, order.omnitron_payment_journal_id), (prepaid, bank))
        self.assertEqual((waiting.state, waiting.closed_reason), ("closed", "fixed"))
        self.assertFalse(order.omnitron_payment_unmatched)
        self.assertFalse(waiting.activity_id)
        self.assertEqual(rule.waiting_order_count, 0)

    def test_setting_the_workflow_on_the_order_closes_its_payment_matter(self):
        on_delivery = self.env.ref("omnitron_order_webhook.workflow_pay_on_delivery")
        self.env["omnitron.payment.rule"].create(
            {"account_id": self.account.id, "payment_kind": "pay_on_delivery", "workflow_process_id": on_delivery.id}
        )
        _body, order = self.imported("M-WF", [item(7008, "M-8", "100.00")], loyaltytransaction_set=[{"pk": 1}])
        order.workflow_process_id = on_delivery
        self.assertFalse(order.omnitron_payment_unmatched)
        self.assertEqual(self.matters(order, "payment_unmatched").closed_reason, "fixed")

    # --- A person closes what they choose ---

    def test_mark_as_handled_closes_the_chosen_matter_and_its_activity_only(self):
        _body, order = self.imported("M-TWO", [item(7009, "M-9", "100.00")])
        update = self.env["omnitron.order.update"]
        changed = update._flag(order, "omnitron_changed", "address changed")
        over = update._flag(order, "omnitron_over_return", "more came back")
        self.assertTrue(changed.activity_id and over.activity_id)
        changed.with_user(self.salesperson).action_mark_handled()
        self.assertEqual((changed.state, changed.closed_by_id), ("closed", self.salesperson))
        self.assertFalse(changed.activity_id)
        self.assertEqual(over.state, "open")
        self.assertEqual((order.omnitron_changed, order.omnitron_over_return), (False, True))
        self.assertEqual(order.omnitron_action_note, "more came back")

    def test_marking_the_activity_done_closes_its_matter(self):
        _body, order = self.imported("M-ACT", [item(7010, "M-10", "100.00")])
        changed = self.env["omnitron.order.update"]._flag(order, "omnitron_changed", "address changed")
        changed.activity_id.with_user(self.salesperson).action_feedback(feedback="called the customer")
        self.assertEqual(
            (changed.state, changed.closed_reason, changed.closed_by_id), ("closed", "handled", self.salesperson)
        )
        self.assertFalse(order.omnitron_changed)

    def test_a_user_of_another_company_cannot_close_a_matter(self):
        _body, order = self.imported("M-CO", [item(7011, "M-11", "100.00")])
        changed = self.env["omnitron.order.update"]._flag(order, "omnitron_changed", "address changed")
        other = self.env["res.company"].create({"name": "Other Brand"})
        outsider = new_test_user(
            self.env,
            login="matter-outsider",
            groups="omnitron_order_webhook.group_omnitron_user,sales_team.group_sale_salesman",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        with self.assertRaises(AccessError):
            changed.with_user(outsider).action_mark_handled()
        self.assertEqual(changed.state, "open")

    # --- Who gets which ---

    def test_without_configured_people_a_role_goes_to_someone_with_its_rights_who_is_no_administrator(self):
        self.company.write({"omnitron_warehouse_user_id": False, "omnitron_accountant_user_id": False})
        for role, group in (("warehouse", "stock.group_stock_user"), ("accountant", "account.group_account_invoice")):
            person = self.company._omnitron_person(role)
            self.assertTrue(person.has_group(group), role)
            self.assertFalse(person._is_system(), role)
        # Nobody with the rights but administrators: an Omnitron administrator gets it.
        self.env.ref("stock.group_stock_user").sudo().users.filtered(lambda user: not user._is_system()).write(
            {"active": False}
        )
        self.assertEqual(self.company._omnitron_person("warehouse"), self.manager)

    def test_a_person_of_another_company_is_refused_naming_the_setting(self):
        other = self.env["res.company"].create({"name": "Elsewhere"})
        stranger = new_test_user(
            self.env, login="matter-stranger", company_id=other.id, company_ids=[(6, 0, other.ids)]
        )
        with self.assertRaisesRegex(Exception, "Omnitron Warehouse Person: .* is not an internal user of"):
            self.company.omnitron_warehouse_user_id = stranger

    # --- The upgrade keeps what is open ---

    def test_the_upgrade_turns_set_flags_into_open_matters_with_their_notes_and_activities(self):
        _body, order = self.imported("M-MIG", [item(7013, "M-13", "100.00")])
        warning = self.env.ref("mail.mail_activity_data_warning")
        activity = order.activity_schedule(
            activity_type_id=warning.id, summary="Changed in Omnitron", note="old", user_id=self.salesperson.id
        )
        held_activity = order.picking_ids.activity_schedule(
            activity_type_id=warning.id,
            summary="Do not ship: cancellation requested in Omnitron",
            user_id=self.warehouse_user.id,
        )
        order.flush_recordset()
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE sale_order ADD COLUMN IF NOT EXISTS omnitron_action_facts jsonb;"
            "UPDATE sale_order SET omnitron_changed = true, omnitron_hold = 'cancel', omnitron_needs_action = true,"
            " omnitron_action_facts = %s::jsonb WHERE id = %s",
            ['[{"text": "Omnitron changed the address."}]', order.id],
        )
        self.env.invalidate_all()
        migration = load_migration("18.0.1.6.0", "post-migrate.py")
        migration.migrate(cr, "18.0.1.5.0")
        migration.migrate(cr, "18.0.1.5.0")
        self.env.invalidate_all()
        changed = self.matters(order, "changed")
        held = self.matters(order, "held")
        self.assertEqual(len(changed), 1, "run twice, opened once")
        self.assertEqual((changed.state, changed.activity_id), ("open", activity))
        self.assertEqual(changed.sentence, "Omnitron changed the address.")
        self.assertEqual((held.value, held.activity_id), ("cancel", held_activity))
        self.assertEqual((order.omnitron_changed, order.omnitron_hold), (True, "cancel"))
        changed.action_mark_handled()
        self.assertFalse(activity.exists(), "closing the migrated matter marks its old activity done")
