"""The administrator's filters: each 202 reason, in the order the rules are checked."""

from odoo.tests import tagged

from .common import OmnitronCase


@tagged("post_install", "-at_install")
class TestFilters(OmnitronCase):
    def test_each_filter_reason_and_nothing_created(self):
        before = self.counts()
        cases = [
            ({"min_order_omnitron_id": "40000"}, "below_min_omnitron_id", "31999", "40000"),
            # Channel 31 is not one of this sender's: the refusal does not name it.
            ({"order_filtering": '{"channels": [31]}'}, "channel_not_allowed", "Channel 20", "none of this account's"),
            (
                {"order_filtering": '{"properties": {"delivery_type": ["standard", "next_day"]}}'},
                "property_mismatch",
                "delivery_type",
                "same_day",
            ),
            (
                {"order_filtering": '{"properties": {"channel.channel_type": "trendyol"}}'},
                "property_mismatch",
                "channel.channel_type",
                "n11",
            ),
        ]
        for params, reason, *words in cases:
            with self.subTest(reason=reason, params=params):
                self.set_params(min_order_omnitron_id="0", order_filtering="{}")
                self.set_params(**params)
                self.assert_ignored(self.receive(self.sample()), reason, *words)
        self.assertEqual(self.counts(), before)
        self.assertEqual(set(self.events().mapped("state")), {"ignored"})

    def test_the_first_rule_an_order_breaks_answers(self):
        self.set_params(min_order_omnitron_id="40000", order_filtering='{"channels": [31]}')
        self.assert_ignored(self.receive(self.sample()), "below_min_omnitron_id")
        self.set_params(min_order_omnitron_id="0")
        self.assert_ignored(self.receive(self.sample()), "channel_not_allowed")
        # A filtered order is not a duplicate yet: filters come before the duplicate check.
        self.set_params(order_filtering="{}")
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.set_params(order_filtering='{"properties": {"delivery_type": "standard"}}')
        self.assert_ignored(self.receive(self.sample(number="NEW-0")), "property_mismatch")
        # The filters decide only about creation: the imported order's next delivery is an update.
        self.assert_ignored(self.receive(self.sample()), "duplicate_order")
        self.set_params(order_filtering="{}")
        self.carrier.omnitron_erp_code = "other"
        self.assert_ignored(self.receive(self.sample()), "duplicate_order")
        self.assert_ignored(self.receive(self.sample(number="NEW-1")), "cargo_company_not_found")

    def test_missing_products_are_refused_when_creation_is_off(self):
        self.set_params(create_missing_products="false")
        before = self.counts()
        self.assert_ignored(self.receive(self.sample()), "product_not_found", "'3169177'")
        self.assertEqual(self.counts(), before)
        self.env["product.product"].create({"name": "Shirt", "default_code": "3169177"})
        self.assertEqual(self.receive(self.sample()).status, 204)
