"""Omnitron's word where goods move: what it cancelled or refunded is never shipped, and a
pending cancellation request stops the warehouse until Omnitron decides."""

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import PLAN_URL, OmnitronCase, OmnitronHttpCase, item


@tagged("post_install", "-at_install")
class TestShippingHolds(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse_user = new_test_user(cls.env, login="omnitron-warehouse", groups="stock.group_stock_user")
        cls.warehouse_manager = new_test_user(
            cls.env, login="omnitron-warehouse-manager", groups="stock.group_stock_manager"
        )

    def imported(self, number, items, **changes):
        body = self.order(number, items, **changes)
        self.assertEqual(self.receive(body).status, 204)
        return body, self.omnitron_orders(number)

    def open_delivery(self, order):
        return order.picking_ids.filtered(
            lambda picking: picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel")
        )

    def live_moves(self, order, pk):
        line = order.order_line.filtered(lambda line: line.omnitron_item_pk == pk)
        return line.move_ids.filtered(lambda move: move.state != "cancel")

    def validate_as(self, user, picking):
        picking = picking.with_user(user)
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        return picking.button_validate()

    def chatter(self, record):
        return " ".join(record.message_ids.mapped("body"))

    # --- What Omnitron cancelled or refunded and Odoo has not shipped is not shipped ---

    def test_a_refund_of_invoiced_items_not_yet_shipped_cancels_their_moves_and_tells_the_delivery(self):
        body, order = self.imported("H-REF", [item(1901, "H-1", "100.00"), item(1902, "H-2", "60.00")])
        invoice = self.invoice(order)
        picking = self.open_delivery(order)
        body["payload"]["orderitem_set"][1]["status"] = "600"
        body["payload"]["refund_amount"] = "60.00"
        outcome = self.receive(body)
        self.assertEqual(outcome.status, 202, self.events()[:1].detail)
        # The refunded item leaves the delivery; the other one is still to ship.
        self.assertFalse(self.live_moves(order, 1902))
        self.assertEqual(self.live_moves(order, 1901).picking_id, picking)
        self.assertIn(picking.state, ("confirmed", "assigned", "waiting"))
        self.assertEqual(order.order_line.filtered(lambda line: line.omnitron_item_pk == 1902).product_uom_qty, 0)
        self.assertIn("H-2", self.chatter(picking))
        self.assertIn("do not ship", self.chatter(picking))
        # The money side is still the accountant's: a draft credit note of the posted invoice.
        credit_note = order.invoice_ids.filtered(lambda move: move.move_type == "out_refund")
        self.assertEqual((credit_note.state, credit_note.reversed_entry_id), ("draft", invoice))
        self.assertTrue(order.omnitron_refunded)

    def test_a_cancellation_of_an_invoiced_order_not_yet_shipped_cancels_its_delivery(self):
        body, order = self.imported("H-CAN", [item(1903, "H-3", "100.00")])
        self.invoice(order)
        picking = self.open_delivery(order)
        body["payload"]["status"] = "100"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(picking.state, "cancel")
        self.assertIn("H-3", self.chatter(picking))
        # Invoiced: the order stays for the credit note, flagged.
        self.assertEqual(order.state, "sale")
        self.assertTrue(order.omnitron_cancelled_late)
        self.assertIn("credit note", order.omnitron_action_note)

    def test_a_refund_after_a_partial_shipment_stops_the_backorder_and_never_makes_it_ready(self):
        body, order = self.imported("H-PART", [item(1904, "H-4", "100.00"), item(1905, "H-5", "60.00")])
        picking = self.open_delivery(order)
        shipped = picking.move_ids.filtered(lambda move: move.product_id.default_code == "H-4")
        shipped.quantity = shipped.product_uom_qty
        shipped.picked = True
        picking.with_context(cancel_backorder=False)._action_done()
        backorder = self.open_delivery(order)
        self.assertEqual(backorder.move_ids.product_id.default_code, "H-5")
        body["payload"]["status"] = "600"
        for line in body["payload"]["orderitem_set"]:
            line["status"] = "600"
        body["payload"]["refund_amount"] = "160.00"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(backorder.state, "cancel")
        self.assertFalse(self.open_delivery(order))
        # What left the warehouse is for the returns flow: flagged, never back to Ready.
        self.assertEqual(picking.state, "done")
        self.assertTrue(order.omnitron_refunded)
        self.assertIn("1904", order.omnitron_action_note)

    # --- A pending cancellation request stops the warehouse ---

    def test_a_cancellation_plan_holds_the_delivery_and_validate_refuses_with_the_reason(self):
        _body, order = self.imported("H-PLAN", [item(1906, "H-6", "100.00")])
        picking = self.open_delivery(order)
        self.assertEqual(self.receive(self.plan("H-PLAN"), webhook="cancellation_plan").status, 204)
        self.assertEqual(picking.omnitron_hold, "cancel")
        with self.assertRaisesRegex(UserError, "cancellation"):
            self.validate_as(self.warehouse_user, picking)
        # The list, the barcode app or any code reaching _action_done is refused just the same.
        with self.assertRaisesRegex(UserError, "cancellation"):
            picking.with_user(self.warehouse_user)._action_done()
        self.assertNotEqual(picking.state, "done")
        # Inventory's filter finds it.
        held = self.env["stock.picking"].search([("omnitron_hold", "!=", False), ("id", "=", picking.id)])
        self.assertEqual(held, picking)

    def test_status_50_holds_the_delivery_and_omnitron_cancelling_then_cancels_its_moves(self):
        body, order = self.imported("H-50", [item(1907, "H-7", "100.00")])
        picking = self.open_delivery(order)
        body["payload"]["status"] = "50"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(picking.omnitron_hold, "cancel")
        body["payload"]["status"] = "100"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertEqual(picking.state, "cancel")
        self.assertFalse(order.omnitron_hold)

    def test_a_withdrawn_request_lifts_the_hold_by_itself(self):
        body, order = self.imported("H-BACK", [item(1908, "H-8", "100.00")])
        picking = self.open_delivery(order)
        body["payload"]["status"] = "50"
        self.receive(body)
        # Staff clearing the flags does not ship what Omnitron still holds.
        order.action_omnitron_mark_handled()
        self.assertEqual(picking.omnitron_hold, "cancel")
        # Omnitron rejects the cancellation: the order moves on past 50.
        body["payload"]["status"] = "400"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        self.assertFalse(picking.omnitron_hold)
        self.assertIs(self.validate_as(self.warehouse_user, picking), True)
        self.assertEqual(picking.state, "done")

    def test_only_an_inventory_administrator_may_ship_anyway_and_the_chatter_says_who(self):
        _body, order = self.imported("H-ANY", [item(1909, "H-9", "100.00")])
        picking = self.open_delivery(order)
        self.receive(self.plan("H-ANY", pk=2901), webhook="cancellation_plan")
        # A warehouse user's forged context is not a manager's confirmation.
        with self.assertRaises(UserError):
            picking.with_user(self.warehouse_user).with_context(omnitron_ship_anyway=True)._action_done()
        with self.assertRaises(AccessError):
            self.env["omnitron.ship.anyway"].with_user(self.warehouse_user).create({"picking_ids": picking.ids})
        # The manager is asked first, in a dialog that says why.
        action = self.validate_as(self.warehouse_manager, picking)
        self.assertEqual(action["res_model"], "omnitron.ship.anyway")
        wizard = self.env["omnitron.ship.anyway"].with_user(self.warehouse_manager)
        dialog = Form(wizard.with_context(**action["context"]))
        self.assertIn(order.name, dialog.reason)
        dialog.save().action_ship_anyway()
        self.assertEqual(picking.state, "done")
        self.assertIn("Shipped although", self.chatter(picking))
        self.assertIn(self.warehouse_manager.name, self.chatter(picking))


@tagged("post_install", "-at_install")
class TestHeldDeliveryTour(OmnitronHttpCase):
    def test_a_turkish_warehouse_user_cannot_validate_a_held_delivery_and_reads_why(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        new_test_user(self.env, login="omnitron-depo", groups="stock.group_stock_user", lang="tr_TR")
        self.assertEqual(self.post(self.order("H-TOUR", [item(1910, "H-10", "100.00")])).status_code, 204)
        order = self.omnitron_orders("H-TOUR")
        self.assertEqual(self.post(self.plan("H-TOUR", pk=2910), url=PLAN_URL).status_code, 204)
        picking = order.picking_ids
        self.start_tour(
            "/odoo/action-stock.action_picking_tree_all", "omnitron_held_delivery_tour", login="omnitron-depo"
        )
        self.assertNotEqual(picking.state, "done")

    def test_an_unheld_delivery_a_receipt_and_a_done_transfer_show_no_hold_banner(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        new_test_user(self.env, login="omnitron-depo-2", groups="stock.group_stock_user", lang="tr_TR")
        self.assertEqual(self.post(self.order("H-FREE", [item(1911, "H-11", "100.00")])).status_code, 204)
        self.assertEqual(self.post(self.order("H-DONE", [item(1912, "H-12", "100.00")])).status_code, 204)
        unheld = self.omnitron_orders("H-FREE").picking_ids
        done = self.ship(self.omnitron_orders("H-DONE"))
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        product = self.omnitron_orders("H-FREE").order_line.product_id.filtered(lambda p: p.type == "consu")[:1]
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 5,
                            "product_uom": product.uom_id.id,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        },
                    )
                ],
            }
        )
        self.assertEqual(
            (unheld.picking_type_code, done.state, receipt.picking_type_code), ("outgoing", "done", "incoming")
        )
        self.assertNotIn(unheld.state, ("done", "cancel"))
        for picking in (unheld, receipt, done):
            with self.subTest(picking=picking.name):
                self.assertFalse(picking.omnitron_hold or picking.omnitron_hold_reason)
                self.start_tour(
                    f"/odoo/action-stock.action_picking_tree_all/{picking.id}",
                    "omnitron_no_hold_banner_tour",
                    login="omnitron-depo-2",
                )
