"""Which tax books an Omnitron rate (core/taxes.py's rule, on the Turkish chart).

A marked tax, else a price-included tax of the rate, else a price-included
twin of the chart's price-excluded tax (created once), else 202
tax_not_configured; nothing without accounts is ever created.
"""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestOrderTaxes(OmnitronCase):
    def test_the_price_included_twin_is_the_charts_tax_with_the_same_accounts_created_once(self):
        chart_20 = self.chart.ref("tr_s_20")
        self.assertFalse(chart_20.price_include, "l10n_tr's sale taxes are price-excluded")
        self.assertEqual(self.receive(self.order("TWIN-1", [item(1, "SKU-A", "60.00")])).status, 204)
        twin = self.twins(20)
        self.assertEqual(len(twin), 1)
        self.assertTrue(twin.price_include)
        self.assertEqual(twin.name, "20% VAT (incl.)")
        self.assertEqual(
            (twin.amount, twin.tax_group_id, twin.country_id), (20.0, chart_20.tax_group_id, chart_20.country_id)
        )
        for kind in ("invoice_repartition_line_ids", "refund_repartition_line_ids"):
            self.assertEqual(
                [(line.repartition_type, line.account_id, line.tag_ids) for line in twin[kind]],
                [(line.repartition_type, line.account_id, line.tag_ids) for line in chart_20[kind]],
            )
        self.assertEqual(self.receive(self.order("TWIN-2", [item(2, "SKU-B", "30.00")])).status, 204)
        self.assertEqual(self.twins(20), twin, "the next order reuses the twin")
        self.assertEqual(self.omnitron_orders("TWIN-2").order_line.tax_id, twin)

    def test_a_tax_the_admin_marks_wins_over_the_twin(self):
        marked = self.chart.ref("tr_s_20").copy(
            {"name": "KDV 20 dahil (merchant)", "price_include_override": "tax_included", "omnitron_rate": 20}
        )
        self.assertEqual(self.receive(self.order("MARKED", [item(1, "SKU-M", "60.00")])).status, 204)
        self.assertEqual(self.omnitron_orders("MARKED").order_line.tax_id, marked)
        self.assertEqual(self.twins(20), marked, "no twin was created")

    def test_a_rate_the_chart_lacks_is_refused_until_a_tax_is_marked_then_reprocessed(self):
        before = self.counts()
        outcome = self.receive(self.order("EIGHTEEN", [item(1, "SKU-18", "118.00", rate="18.00")]))
        self.assert_ignored(outcome, "tax_not_configured", "no sale tax of 18%", "Omnitron Rate", "reprocess")
        self.assertEqual(self.counts(), before, "nothing was created")
        event = self.events()[:1]
        self.assertTrue(event.can_reprocess)
        self.chart.ref("tr_s_20").copy(
            {"name": "18% (incl.)", "amount": 18, "price_include_override": "tax_included", "omnitron_rate": 18}
        )
        reception = self.env["omnitron.webhook.reception"].sudo()
        new_event = event._reprocess(reception, reception._settings())
        self.assertEqual((new_event.state, new_event.http_status), ("done", 204))
        self.assertAlmostEqual(new_event.order_id.amount_total, 118.00, places=2)

    def test_a_tax_marked_for_a_rate_the_chart_lacks_reports_under_its_own_group_without_another_rates_tags(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        chart_10 = self.chart.ref("tr_s_10")
        nine = chart_10.copy(
            {"name": "9% (incl.)", "amount": 9, "price_include_override": "tax_included", "omnitron_rate": 9}
        )
        self.assertNotEqual(nine.tax_group_id, chart_10.tax_group_id, "not the chart's VAT %10")
        self.assertEqual(nine.tax_group_id.name, "VAT %9")
        self.assertEqual(nine.tax_group_id.with_context(lang="tr_TR").name, "KDV %9")
        self.assertEqual(
            (nine.tax_group_id.tax_payable_account_id, nine.tax_group_id.country_id),
            (chart_10.tax_group_id.tax_payable_account_id, chart_10.tax_group_id.country_id),
        )
        lines = nine.invoice_repartition_line_ids | nine.refund_repartition_line_ids
        self.assertFalse(lines.tag_ids, "the 10 % report tags are not the 9 %'s: the admin chooses them")
        self.assertEqual(nine.invoice_repartition_line_ids.account_id, chart_10.invoice_repartition_line_ids.account_id)
        # The admin's own choice of tags stays.
        tag = chart_10.invoice_repartition_line_ids.tag_ids[:1]
        nine.invoice_repartition_line_ids[:1].tag_ids = tag
        nine.name = "9% VAT (incl.)"
        self.assertEqual(nine.invoice_repartition_line_ids[:1].tag_ids, tag)
        unmarked = chart_10.copy({"name": "9% other", "amount": 9})
        self.assertEqual(unmarked.tax_group_id, chart_10.tax_group_id, "not marked: left as the admin made it")

    def test_the_demo_8_percent_tax_has_its_own_group_and_no_10_percent_tags(self):
        demo = self.twins(8)
        self.assertEqual(len(demo), 1)
        self.assertEqual(demo.tax_group_id.name, "VAT %8")
        self.assertNotEqual(demo.tax_group_id, self.chart.ref("tr_s_10").tax_group_id)
        self.assertFalse((demo.invoice_repartition_line_ids | demo.refund_repartition_line_ids).tag_ids)

    def test_a_twins_name_is_rendered_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.assertEqual(self.receive(self.order("TWIN-TR", [item(1, "SKU-TR", "60.00")])).status, 204)
        twin = self.twins(20)
        self.assertEqual(twin.display_name, "20% VAT (incl.)")
        self.assertEqual(twin.with_context(lang="tr_TR").display_name, "%20 KDV (dahil)")
        # Even in a language installed after the twin was made (no stored translation): rendered when read.
        self.env.cr.execute(
            "UPDATE account_tax SET name = jsonb_build_object('en_US', name->>'en_US') WHERE id = %s", (twin.id,)
        )
        self.env.invalidate_all()
        self.assertEqual(twin.with_context(lang="tr_TR").display_name, "%20 KDV (dahil)")

    def test_a_thousand_distinct_rates_are_one_refusal_and_no_tax(self):
        items = [item(index + 1, f"SKU-{index}", "1.00", rate=f"{30 + index / 1000:.3f}") for index in range(1000)]
        before = self.counts()
        outcome = self.receive(self.order("MANY-RATES", items))
        self.assert_ignored(outcome, "tax_not_configured", "and 990 more")
        self.assertEqual(self.counts(), before)

    def test_a_marked_tax_must_be_a_price_included_sale_tax_of_that_rate(self):
        chart_20 = self.chart.ref("tr_s_20")
        with self.assertRaisesRegex(ValidationError, "price-included percent sale tax"):
            chart_20.copy({"name": "excluded", "omnitron_rate": 20})
        with self.assertRaisesRegex(ValidationError, "only book Omnitron's rate of 20"):
            chart_20.copy({"name": "wrong rate", "price_include_override": "tax_included", "omnitron_rate": 18})
        with self.assertRaisesRegex(ValidationError, "already marked for Omnitron rate 8"):
            self.twins(8).copy({"name": "second 8", "omnitron_rate": 8})

    def test_zero_or_null_tax_rate_means_no_tax(self):
        body = self.sample()
        body["payload"]["orderitem_set"][0]["tax_rate"] = None
        self.assertEqual(self.receive(body).status, 204)
        line = self.omnitron_orders().order_line.filtered(lambda line: not line.is_delivery)
        self.assertFalse(line.tax_id)
        self.assertEqual(line.price_total, 718.92)

    def test_an_archived_marked_tax_is_not_worked_around(self):
        self.twins(8).active = False
        self.assert_ignored(self.receive(self.sample()), "tax_not_configured", "is archived", "restore it")
        self.assertFalse(self.twins(20))


@tagged("post_install", "-at_install")
class TestCompanyWithoutLocalisation(OmnitronCase):
    """A bare Sales + Inventory company on Odoo's generic chart, no localisation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bare = cls.env["res.company"].create({"name": "Bare Shop", "currency_id": cls.env.ref("base.USD").id})
        cls.env["account.chart.template"].try_loading("generic_coa", cls.bare, install_demo=False)
        bare_account = cls.env["omnitron.account"].create({"name": "Bare Shop's Omnitron", "company_id": cls.bare.id})
        cls.sender.write(
            {"company_ids": [(4, cls.bare.id)], "company_id": cls.bare.id, "omnitron_account_id": bare_account.id}
        )
        cls.carrier.company_id = False

    def test_its_own_sale_tax_is_twinned_and_a_missing_rate_is_named(self):
        self.assertEqual(self.bare.chart_template, "generic_coa")
        generic = self.env["account.tax"].search(
            [("company_id", "=", self.bare.id), ("type_tax_use", "=", "sale"), ("amount_type", "=", "percent")], limit=1
        )
        rate = f"{generic.amount:.2f}"
        body = self.sample(number="BARE-1", status="400", amount="100.00", shipping_amount="0.00")
        body["payload"]["orderitem_set"][0].update(tax_rate=rate, price="100.00", status="400")
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("BARE-1")
        self.assertEqual(order.company_id, self.bare)
        self.assertEqual(order.order_line.tax_id.omnitron_rate, generic.amount)
        self.assertEqual(
            order.order_line.tax_id.invoice_repartition_line_ids.account_id,
            generic.invoice_repartition_line_ids.account_id,
        )
        self.assert_ignored(self.receive(self.sample(number="BARE-2")), "tax_not_configured", "Bare Shop", "8%")
