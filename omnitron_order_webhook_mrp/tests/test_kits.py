"""Kits in Omnitron's stock lists: counted from their components, sent again when a component changes, over
real HTTP to the contract double (the addon's stock fixtures)."""

from odoo.addons.omnitron_order_webhook.tests.common import STOCK_LIST_PK, OmnitronStockCase
from odoo.exceptions import ValidationError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestKits(OmnitronStockCase):
    def setUp(self):
        super().setUp()
        self.cup = self.product("CUP-1", on_hand=10)
        self.saucer = self.product("SAUCER-1", on_hand=7)
        # Not tracked itself, as kits usually are in Odoo 18: its components hold the stock.
        self.set = self.product("TEASET-1", is_storable=False)
        self.set_bom = self.kit(self.set, [(self.cup, 2), (self.saucer, 1)])
        self.env.cr.flush()  # the set-up's changes are written (as at a commit), then forgotten
        self.env.cr.execute("DELETE FROM omnitron_stock_change")

    def kit(self, product, components, **values):
        return self.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "type": "phantom",
                "product_qty": 1,
                "company_id": self.company.id,
                "bom_line_ids": [(0, 0, {"product_id": c.id, "product_qty": qty}) for c, qty in components],
                **values,
            }
        )

    def marked(self):
        self.env.cr.flush()  # the transaction's marks are written, as at its commit
        self.env.cr.execute("SELECT DISTINCT product_id FROM omnitron_stock_change")
        return {row[0] for row in self.env.cr.fetchall()}

    def test_a_kit_is_the_whole_kits_its_components_free_units_make(self):
        # 4 saucers reserved for a delivery: 3 free, so 3 sets, though the cups would make 5.
        self.deliver(self.saucer, 4, validate=False)
        self.drain(full=True)
        stocks = self.api.stocks(STOCK_LIST_PK)
        self.assertEqual((stocks["CUP-1"], stocks["SAUCER-1"], stocks["TEASET-1"]), (10, 3, 3))
        self.assertIn(
            {"product_sku": "TEASET-1", "stock": 3, "stock_list": STOCK_LIST_PK, "unit_type": "qty"}, self.writes()
        )

    def test_a_kit_tracked_in_inventory_is_counted_from_its_components_never_from_odoos_kit_totals(self):
        self.set.is_storable = True
        # 4 saucers to deliver, not reserved: 3 saucers can be sold, so 3 sets. Odoo's kit totals take
        # each field's minimum apart (on hand 5 from the cups, outgoing 0 from the cups): 5, an oversell.
        self.deliver(self.saucer, 4, validate=False).do_unreserve()
        self.drain(full=True)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["TEASET-1"], 3)

    def test_a_components_delivery_marks_the_component_and_the_drain_sends_the_kit_once(self):
        self.drain(full=True)
        self.api.reset()
        self.deliver(self.saucer, 5)
        self.assertEqual(self.marked(), {self.saucer.id}, "the component is marked; its kits are found on reading")
        self.drain()
        kit_writes = [body for body in self.writes() if body["product_sku"] == "TEASET-1"]
        self.assertEqual(
            kit_writes, [{"product_sku": "TEASET-1", "stock": 2, "stock_list": STOCK_LIST_PK, "unit_type": "qty"}]
        )
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["SAUCER-1"], 2)
        # A cup's delivery that leaves the sets' number as it was writes no set.
        self.api.reset()
        self.deliver(self.cup, 1)
        self.drain()
        self.assertEqual([body["product_sku"] for body in self.writes()], ["CUP-1"])

    def test_a_kit_inside_a_kit_is_counted_through_its_components_and_sent_when_they_change(self):
        spoon = self.product("SPOON-1", on_hand=5)
        box = self.product("GIFTBOX-1", is_storable=False)
        # Two tea sets and a spoon a box: 4 cups, 2 saucers, 1 spoon.
        self.kit(box, [(self.set, 2), (spoon, 1)])
        self.drain(full=True)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["GIFTBOX-1"], 2, "10 cups / 4, 7 saucers / 2, 5 spoons")
        self.api.reset()
        self.deliver(self.saucer, 4)  # 3 saucers: one box
        self.drain()
        stocks = self.api.stocks(STOCK_LIST_PK)
        self.assertEqual((stocks["TEASET-1"], stocks["GIFTBOX-1"]), (3, 1))

    def test_changing_a_kits_components_marks_it_and_sends_its_new_number(self):
        self.drain(full=True)
        self.api.reset()
        lid = self.product("LID-1", on_hand=1)
        self.env.cr.flush()
        self.env.cr.execute("DELETE FROM omnitron_stock_change")
        self.set_bom.bom_line_ids = [(0, 0, {"product_id": lid.id, "product_qty": 1})]
        self.assertIn(self.set.id, self.marked())
        self.drain()
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["TEASET-1"], 1, "one lid: one set")

    def test_a_kit_without_components_is_refused_at_save_naming_the_field_and_the_product(self):
        vase = self.product("VASE-1", is_storable=False)
        refused = r"Components: the kit bill of materials of \[VASE-1\] VASE-1 has no component"
        with self.assertRaisesRegex(ValidationError, refused), self.env.cr.savepoint():
            self.kit(vase, [])
        with (
            self.assertRaisesRegex(ValidationError, r"\[TEASET-1\] TEASET-1 has no component"),
            self.env.cr.savepoint(),
        ):
            self.set_bom.bom_line_ids = [(5, 0, 0)]
        # A product Omnitron is never sent keeps Odoo's own freedom.
        vase.omnitron_stock_excluded = True
        self.assertTrue(self.kit(vase, []))

    def test_another_companys_stock_and_kits_are_never_counted(self):
        other = self.env["res.company"].create({"name": "Other Brand"})
        foreign = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        # Plenty of saucers in the other company's warehouse: still 7 here.
        self.env["stock.quant"].with_company(other)._update_available_quantity(self.saucer, foreign.lot_stock_id, 50)
        # The other company's kit of our cups is no kit of this list (and its product holds no stock).
        pair = self.product("PAIR-1", is_storable=False)
        self.kit(pair, [(self.cup, 2)], company_id=other.id)
        self.drain(full=True)
        stocks = self.api.stocks(STOCK_LIST_PK)
        self.assertEqual((stocks["SAUCER-1"], stocks["TEASET-1"]), (7, 5))
        self.assertNotIn("PAIR-1", stocks)
