"""Channels: created by their first delivery, their defaults on imported orders, the dashboard."""

from datetime import timedelta

from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestChannels(OmnitronCase):
    def channel(self, pk=None):
        pk = pk or self.sample()["payload"]["channel"]["pk"]
        return self.env["omnitron.channel"].search([("channel_pk", "=", pk), ("company_id", "=", self.company.id)])

    def test_the_first_delivery_of_a_channel_creates_it_with_name_and_type(self):
        self.assertFalse(self.channel())
        self.receive(self.sample())
        channel = self.channel()
        payload_channel = self.sample()["payload"]["channel"]
        self.assertRecordValues(
            channel,
            [{"name": payload_channel["name"], "channel_type": payload_channel["channel_type"], "accept_orders": True}],
        )
        self.assertEqual(self.omnitron_orders().omnitron_channel_id, channel)
        self.assertEqual(self.events().channel_id, channel)
        self.assertIn(payload_channel["name"], channel.display_name)

    def test_a_refused_first_delivery_still_creates_its_channel(self):
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample())
        self.assertFalse(self.omnitron_orders())
        self.assertTrue(self.channel(), "the channel exists so its defaults can be set before the reprocess")
        self.assertEqual(self.events().channel_id, self.channel())

    def test_imported_orders_take_the_channels_salesperson_team_warehouse_and_source(self):
        self.receive(self.sample(number="CH-0"))
        salesperson = new_test_user(self.env, login="trendyol-desk", groups="sales_team.group_sale_salesman")
        team = self.env["crm.team"].create({"name": "Marketplaces"})
        source = self.env["utm.source"].create({"name": "Omnitron N11"})
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.channel().write(
            {"user_id": salesperson.id, "team_id": team.id, "source_id": source.id, "warehouse_id": warehouse.id}
        )
        self.receive(self.sample(number="CH-1", pk=9001))
        order = self.omnitron_orders("CH-1")
        self.assertRecordValues(
            order,
            [{"user_id": salesperson.id, "team_id": team.id, "source_id": source.id, "warehouse_id": warehouse.id}],
        )
        # ...so the salesperson finds it under My Quotations / My Orders, and Sales Analysis splits by channel.
        mine = self.env["sale.order"].with_user(salesperson).search([("user_id", "=", salesperson.id)])
        self.assertIn(order, mine)
        report = (
            self.env["sale.report"]
            .sudo()
            ._read_group([("name", "=", order.name)], ["team_id", "source_id"], ["__count"])
        )
        self.assertEqual([(row[0], row[1]) for row in report], [(team, source)])

    def test_a_channel_without_defaults_leaves_odoos_own(self):
        self.receive(self.sample())
        self.assertFalse(self.omnitron_orders().user_id)

    def test_turning_a_channel_off_refuses_its_orders_and_leaves_the_database_filter_alone(self):
        self.receive(self.sample(number="F-1"))
        other = self.sample(number="F-2", pk=9002)
        other["payload"]["channel"] = {**other["payload"]["channel"], "pk": 77, "name": "Web shop"}
        self.receive(other)
        n11, web = self.channel(), self.channel(77)
        n11.accept_orders = False
        self.assertEqual(
            self.env["omnitron.webhook.reception"]._settings().order_filtering.channels,
            frozenset(),
            "a channel's switch is its own: the database-wide filter is not rewritten",
        )
        body = self.assert_ignored(self.receive(self.sample(number="F-3", pk=9003)), "channel_not_allowed", "(77)")
        self.assertIn("Orders Accepted is off", body["detail"])
        self.assertTrue(web.accept_orders)
        web_order = self.sample(number="F-4", pk=9004)
        web_order["payload"]["channel"] = other["payload"]["channel"]
        self.assertEqual(self.receive(web_order).status, 204)
        n11.accept_orders = True
        self.assertEqual(self.receive(self.sample(number="F-3", pk=9003)).status, 204)

    def test_both_the_database_filter_and_the_channel_must_accept_an_order(self):
        self.receive(self.sample(number="B-1"))
        self.set_params(order_filtering='{"channels": [77]}')
        self.assertTrue(self.channel().accept_orders)
        self.assert_ignored(self.receive(self.sample(number="B-2", pk=9102)), "channel_not_allowed", "ORDER_FILTERING")

    def test_customers_speak_their_countrys_language_or_the_channels(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        body = self.sample(number="L-1")
        for key in ("billing_address", "shipping_address"):
            body["payload"][key]["country"] = {**body["payload"][key]["country"], "code": "tr", "name": "Turkey"}
        self.receive(body)
        self.assertEqual(self.omnitron_orders("L-1").partner_id.lang, "tr_TR", "a customer in Turkey speaks Turkish")
        italian = self.sample(number="L-0", pk=9000)
        italian["payload"]["customer"] = {**italian["payload"]["customer"], "pk": 434343}
        self.receive(italian)
        self.assertEqual(
            self.omnitron_orders("L-0").partner_id.lang, "en_US", "Italian is not installed: Odoo's default"
        )
        self.channel().customer_lang = "en_US"
        body["payload"].update(number="L-2", pk=9004)
        body["payload"]["customer"] = {**body["payload"]["customer"], "pk": 424242}
        self.receive(body)
        self.assertEqual(self.omnitron_orders("L-2").partner_id.lang, "en_US")

    def test_the_dashboard_counts_orders_amounts_and_deliveries_needing_attention(self):
        self.receive(self.sample(number="D-1"))
        self.receive(self.order("D-2", [item(7001, "SKU-D2", "100.00")], pk=9005))
        self.receive(self.order("D-4", [item(7004, "SKU-D4", "40.00")], pk=9007))
        self.receive(self.order("D-4", [item(7004, "SKU-D4", "40.00")], pk=9007, status="100"))
        self.receive(self.order("D-5", [item(7005, "SKU-D5", "50.00")], pk=9008, status="300"))
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample(number="D-3", pk=9006))
        channel = self.channel()
        orders = self.omnitron_orders("D-1") | self.omnitron_orders("D-2")
        self.assertEqual(self.omnitron_orders("D-4").state, "cancel")
        self.assertEqual(self.omnitron_orders("D-5").state, "draft")
        self.assertRecordValues(
            channel,
            [
                {
                    "order_count": 4,
                    "orders_today": 2,
                    "orders_this_week": 2,
                    "cancelled_this_week": 1,
                    "quotations_this_week": 1,
                    "attention_count": 1,
                }
            ],
        )
        self.assertAlmostEqual(channel.amount_this_week, sum(orders.mapped("amount_total")), places=2)
        self.assertTrue(channel.last_delivery_at)
        attention = self.env["omnitron.webhook.event"].search(
            [*channel.action_view_attention()["domain"], ("needs_attention", "=", True)]
        )
        self.assertEqual(attention.order_number, "D-3")

    def test_today_and_7_days_count_the_same_orders(self):
        """One rule for both counts: confirmed orders; cancelled ones apart, in both."""
        self.receive(self.order("W-1", [item(7101, "SKU-W1", "10.00")], pk=9101))
        self.receive(self.order("W-2", [item(7102, "SKU-W2", "20.00")], pk=9102))
        self.receive(self.order("W-3", [item(7103, "SKU-W3", "30.00")], pk=9103))
        self.receive(self.order("W-3", [item(7103, "SKU-W3", "30.00")], pk=9103, status="100"))
        three_days_ago = self.omnitron_orders("W-2").create_date - timedelta(days=3)
        self.env.cr.execute(
            "UPDATE sale_order SET create_date = %s WHERE id = %s", (three_days_ago, self.omnitron_orders("W-2").id)
        )
        self.env.invalidate_all()
        channel = self.channel()
        self.assertRecordValues(
            channel,
            [{"orders_today": 1, "orders_this_week": 2, "cancelled_today": 1, "cancelled_this_week": 1}],
        )

    def other_channel(self, number, pk, *, customer_pk, channel_pk=77, name="Trendyol", **customer):
        body = self.sample(number=number, pk=pk)
        body["payload"]["channel"] = {**body["payload"]["channel"], "pk": channel_pk, "name": name}
        body["payload"]["customer"] = {**body["payload"]["customer"], "pk": customer_pk, **customer}
        return body

    def test_the_same_buyer_on_another_channel_is_a_new_partner_unless_the_channel_recognises_buyers(self):
        self.receive(self.sample(number="B-1"))
        first = self.omnitron_orders("B-1").partner_id
        self.receive(self.other_channel("B-2", 9201, customer_pk=555))
        self.assertNotEqual(self.omnitron_orders("B-2").partner_id, first, "off by default")
        self.channel(77).match_customers_across_channels = True
        self.receive(self.other_channel("B-3", 9202, customer_pk=556))
        self.assertEqual(
            self.omnitron_orders("B-3").partner_id,
            first,
            "same tax number: the customer of the first channel",
        )
        other_buyer = self.other_channel("B-4", 9203, customer_pk=557, email="someone.else@example.com")
        other_buyer["payload"]["billing_address"]["tax_no"] = "12345678950"
        self.receive(other_buyer)
        self.assertNotIn(self.omnitron_orders("B-4").partner_id, first | self.omnitron_orders("B-2").partner_id)

    def test_sales_analysis_groups_by_omnitron_channel(self):
        self.receive(self.sample(number="R-1"))
        order = self.omnitron_orders("R-1")
        rows = self.env["sale.report"]._read_group([("name", "=", order.name)], ["omnitron_channel_id"], ["__count"])
        self.assertEqual([row[0] for row in rows], [order.omnitron_channel_id])

    def test_the_settings_list_the_known_channels_by_name(self):
        self.receive(self.sample())
        settings = self.env["res.config.settings"].create({})
        self.assertIn(f"20 {self.channel().name}", settings.omnitron_known_channels)

    def test_a_channels_salesperson_is_a_user_of_its_company(self):
        self.receive(self.sample())
        other_company = self.env["res.company"].create({"name": "Brand B"})
        outsider = new_test_user(
            self.env,
            login="brand-b-salesman",
            groups="sales_team.group_sale_salesman",
            company_id=other_company.id,
            company_ids=[(6, 0, other_company.ids)],
        )
        with self.assertRaisesRegex(ValidationError, "not a user of"):
            self.channel().user_id = outsider
