"""The merchant's configuration: a Turkish company on l10n_tr, TRY, Inventory.

The tax rule itself is test_taxes.py's subject.

The database bin/test builds is that company (tools/turkish_company.py), with
a tax marked for the spec's 8 % as bin/run's demo marks it. These tests prove
what an accountant and a warehouse would check: VAT on the chart's accounts
with its tags, no tax invented, a delivery with the carrier, nothing shipped twice.
"""

from unittest.mock import patch

from odoo.tests import tagged

from .common import OmnitronCase, item, load_migration


@tagged("post_install", "-at_install")
class TestTurkishAccounting(OmnitronCase):
    def test_the_database_is_the_turkish_merchant(self):
        self.assertEqual(self.company.chart_template, "tr")
        self.assertEqual(self.company.currency_id.name, "TRY")
        self.assertEqual(self.company.account_fiscal_country_id.code, "TR")

    def test_the_sample_is_invoiced_for_725_26_with_its_vat_on_the_marked_taxs_accounts(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        order = self.omnitron_orders()
        invoice = self.invoice(order)
        self.assertEqual(invoice.state, "posted")
        self.assertAlmostEqual(invoice.amount_total, 725.26, places=2)
        marked = self.twins(8)
        self.assertEqual(order.order_line.filtered(lambda line: not line.is_delivery).tax_id, marked)
        tax_line = invoice.line_ids.filtered("tax_line_id")
        self.assertEqual(tax_line.tax_line_id, marked)
        self.assertEqual(tax_line.account_id, marked.invoice_repartition_line_ids.account_id)
        self.assertEqual(tax_line.account_id.code, "391002", "the demo's 8 % is a copy of the chart's 10 %")
        self.assertAlmostEqual(-tax_line.balance, 53.25, places=2)

    def test_a_20_percent_order_books_its_vat_on_391001_with_the_charts_tags(self):
        body = self.order("TR-20", [item(1, "SKU-20", "120.00")], shipping="12.00", shipping_rate="20.00")
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("TR-20")
        self.assertAlmostEqual(order.amount_total, 132.00, places=2)
        self.assertFalse(order.omnitron_amount_mismatch)
        invoice = self.invoice(order)
        self.assertAlmostEqual(invoice.amount_total, 132.00, places=2)
        (tax_line,) = invoice.line_ids.filtered("tax_line_id")
        self.assertEqual(tax_line.account_id.code, "391001")
        self.assertEqual(tax_line.tax_tag_ids.mapped("name"), ["+SAL_TAX_20"])
        self.assertAlmostEqual(-tax_line.balance, 22.00, places=2, msg="VAT of goods and shipping, 20/120 of 132")
        base_lines = invoice.invoice_line_ids
        self.assertEqual(set(base_lines.tax_tag_ids.mapped("name")), {"+SAL_BASE_20"})
        self.assertAlmostEqual(sum(-line.balance for line in base_lines), 110.00, places=2)

    def test_an_inactive_currency_is_refused_and_stays_inactive(self):
        euro = self.env.ref("base.EUR")
        euro.active = False
        outcome = self.receive(self.sample(currency="eur"))
        self.assert_ignored(outcome, "currency_not_active", "EUR", "reprocess")
        self.assertFalse(euro.active)
        self.assertEqual(self.receive(self.sample(currency="xyz")).status, 400, "an unknown code stays a 400")

    def test_a_company_that_cannot_book_answers_config_error_naming_the_problem(self):
        self.company.account_fiscal_country_id = False
        outcome = self.receive(self.sample())
        self.assertEqual((outcome.status, outcome.body["error"]), (500, "config_error"))
        self.assertIn("has no fiscal country", outcome.body["detail"])
        self.assertFalse(self.omnitron_orders())
        self.assertEqual(self.events()[:1].state, "failed")
        self.assertTrue(self.events()[:1].can_reprocess)

    def test_a_confirmed_order_is_shipped_from_stock_with_its_carrier_to_the_shipping_address(self):
        self.assertEqual(self.receive(self.order("SHIP", [item(1, "SKU-S", "60.00")])).status, 204)
        order = self.omnitron_orders("SHIP")
        self.assertTrue(order.order_line.product_id.filtered(lambda product: product.type == "consu").is_storable)
        (picking,) = order.picking_ids
        self.assertEqual(picking.picking_type_code, "outgoing")
        self.assertEqual(picking.carrier_id, self.carrier)
        self.assertEqual(picking.partner_id, order.partner_shipping_id)
        self.assertNotIn(picking.state, ("cancel", "done"))
        self.assertFalse(order.omnitron_shipped_before_import)

    def test_items_omnitron_already_shipped_leave_stock_once_and_are_delivered_and_invoiced(self):
        items = [item(1, "SKU-SHIPPED", "1200.00", status="510"), item(2, "SKU-OPEN", "40.00", status="400")]
        items[0]["tracking_number"] = "YK-BEFORE-1"
        self.assertEqual(self.receive(self.order("PARTLY", items, shipping="6.34")).status, 204)
        order = self.omnitron_orders("PARTLY")
        shipped = order.order_line.filtered(lambda line: line.omnitron_item_pk == 1)
        (done,) = order.picking_ids.filtered(lambda picking: picking.state == "done")
        self.assertEqual(
            (done.product_id, done.carrier_tracking_ref, done.omnitron_shipped_before_import, done.picking_type_code),
            (shipped.product_id, "YK-BEFORE-1", True, "outgoing"),
        )
        self.assertEqual(done.location_id, order.warehouse_id.lot_stock_id)
        (open_picking,) = order.picking_ids.filtered(lambda picking: picking.state not in ("done", "cancel"))
        self.assertEqual(
            open_picking.move_ids.filtered(lambda move: move.state != "cancel").product_id.default_code, "SKU-OPEN"
        )
        self.assertEqual(shipped.qty_delivered, 1)
        self.assertEqual(shipped.product_id.qty_available, -1, "the goods left stock once")
        self.assertIn("SKU-SHIPPED (item 1)", order.omnitron_shipped_before_import)
        self.assertNotIn("SKU-OPEN", order.omnitron_shipped_before_import)
        # Invoiced as delivered: the item's 1,200 TRY, not the shipping alone.
        invoice = order._create_invoices()
        self.assertIn(shipped, invoice.invoice_line_ids.sale_line_ids)
        self.assertGreater(invoice.amount_total, 1200)

    def test_the_sample_already_shipped_leaves_nothing_to_ship_and_is_delivered(self):
        self.assertEqual(self.receive(self.sample()).status, 204)  # its only item is 510
        order = self.omnitron_orders()
        self.assertEqual(set(order.picking_ids.mapped("state")), {"cancel", "done"})
        self.assertEqual(order.order_line.filtered("omnitron_item_pk").qty_delivered, 1)

    def test_a_channel_whose_goods_leave_from_elsewhere_marks_them_delivered_without_a_stock_move(self):
        self.assertEqual(self.receive(self.order("FIRST", [item(3, "SKU-F", "10.00")])).status, 204)
        self.omnitron_orders("FIRST").omnitron_channel_id.ships_elsewhere = True
        body = self.order("FULFILLED", [item(4, "SKU-M", "100.00", status="500")])
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("FULFILLED")
        self.assertFalse(order.picking_ids.filtered(lambda picking: picking.state == "done"))
        line = order.order_line.filtered("omnitron_item_pk")
        self.assertEqual((line.qty_delivered, line.product_id.qty_available), (1, 0))
        self.assertEqual(line.invoice_status, "to invoice")

    def test_a_serial_tracked_product_shipped_before_the_import_is_delivered_without_a_serial_it_lacks(self):
        product = self.env["product.product"].create(
            {"name": "Phone", "default_code": "SKU-SERIAL", "is_storable": True, "tracking": "serial"}
        )
        body = self.order("SERIAL", [item(6, "SKU-SERIAL", "9000.00", status="500")])
        self.assertEqual(self.receive(body).status, 204)
        line = self.omnitron_orders("SERIAL").order_line.filtered("omnitron_item_pk")
        self.assertEqual((line.product_id, line.qty_delivered, line.invoice_status), (product, 1, "to invoice"))
        self.assertFalse(line.order_id.picking_ids.filtered(lambda p: p.state == "done"))

    def test_the_upgrade_delivers_items_imported_shipped_before_and_never_delivered(self):
        cancellation = type(self.env["omnitron.order.cancellation"])
        items = [item(5, "SKU-OLD", "1200.00", status="500")]
        items[0]["tracking_number"] = "YK-OLD"
        # As 18.0.1.4.0 imported them: moves cancelled, nothing delivered.
        with patch.object(cancellation, "_delivered_elsewhere_in_time", lambda *args: None):
            self.assertEqual(self.receive(self.order("OLD", items)).status, 204)
        order = self.omnitron_orders("OLD")
        self.assertEqual(order.order_line.filtered("omnitron_item_pk").qty_delivered, 0)
        load_migration("18.0.1.5.0", "post-shipped_before_import.py").migrate(self.env.cr, "18.0.1.4.0")
        line = order.order_line.filtered("omnitron_item_pk")
        self.assertEqual((line.qty_delivered, line.product_id.qty_available), (1, -1))
        self.assertEqual(order.picking_ids.filtered(lambda p: p.state == "done").carrier_tracking_ref, "YK-OLD")
        # Run again, it delivers nothing twice.
        load_migration("18.0.1.5.0", "post-shipped_before_import.py").migrate(self.env.cr, "18.0.1.4.0")
        self.assertEqual(len(order.picking_ids.filtered(lambda p: p.state == "done")), 1)
