"""The merchant's configuration: a Turkish company on l10n_tr, TRY, Inventory.

The tax rule itself is test_taxes.py's subject.

The database bin/test builds is that company (tools/turkish_company.py), with
a tax marked for the spec's 8 % as bin/run's demo marks it. These tests prove
what an accountant and a warehouse would check: VAT on the chart's accounts
with its tags, no tax invented, a delivery with the carrier, nothing shipped twice.
"""

from odoo.tests import tagged

from .common import OmnitronCase, item


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

    def test_items_omnitron_already_shipped_get_no_stock_move(self):
        items = [item(1, "SKU-SHIPPED", "60.00", status="510"), item(2, "SKU-OPEN", "40.00", status="400")]
        self.assertEqual(self.receive(self.order("PARTLY", items)).status, 204)
        order = self.omnitron_orders("PARTLY")
        (picking,) = order.picking_ids.filtered(lambda picking: picking.state != "cancel")
        self.assertEqual(
            picking.move_ids.filtered(lambda move: move.state != "cancel").product_id.default_code, "SKU-OPEN"
        )
        self.assertIn("SKU-SHIPPED (item 1)", order.omnitron_shipped_before_import)
        self.assertNotIn("SKU-OPEN", order.omnitron_shipped_before_import)
        # The spec's sample: its only item is 510, so nothing is left to ship.
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.assertEqual(set(self.omnitron_orders().picking_ids.mapped("state")), {"cancel"})
