"""The webhook's part of Sales settings: what it stores and what it refuses."""

import json
import logging

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import PARAM_PREFIX, OmnitronCase


@tagged("post_install", "-at_install")
class TestSettingsForm(OmnitronCase):
    def test_settings_form_stores_filters_and_the_endpoint_obeys_at_once(self):
        form = Form(self.env["res.config.settings"])
        form.omnitron_allowed_channels = "31, 20"
        form.omnitron_min_order_omnitron_id = 100
        form.omnitron_property_rules = '{"delivery_type": ["same_day", "standard"]}'
        self.assertEqual(
            form.omnitron_filter_summary,
            "Accepting orders of channels 20, 31, with an Omnitron id of at least 100, "
            "whose delivery_type is same_day or standard.",
        )
        form.save().execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(
            json.loads(params.get_param(PARAM_PREFIX + "order_filtering")),
            {"channels": [20, 31], "properties": {"delivery_type": ["same_day", "standard"]}},
        )
        self.assertEqual(params.get_param(PARAM_PREFIX + "min_order_omnitron_id"), "100")
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.set_params(min_order_omnitron_id="99999")
        self.assert_ignored(self.receive(self.sample(number="LATER")), "below_min_omnitron_id")

        again = self.env["res.config.settings"].create({})
        self.assertEqual(again.omnitron_allowed_channels, "20, 31")
        self.assertEqual(again.omnitron_min_order_omnitron_id, 99999)
        self.assertEqual(again.omnitron_rate_limit_per_token, 600)

    def test_settings_form_refuses_invalid_values_with_a_reason(self):
        cases = {
            "omnitron_allowed_channels": ("20, twenty", "'twenty' is not a positive integer channel id"),
            "omnitron_property_rules": ('{"delivery_type": ', "not valid JSON"),
            "omnitron_min_order_omnitron_id": (-5, "below the minimum of 0"),
            "omnitron_sentry_dsn": ("not a dsn", "a Sentry DSN looks like"),
            "omnitron_rate_limit_per_token": (0, "below the minimum of 1"),
            "omnitron_event_retention_days": (1_000_000, "above the maximum of 3650"),
            "omnitron_max_body_bytes": (2**30, "above the maximum of 67108864"),
            "omnitron_rate_limit_failed_auth_per_ip": (10**9, "above the maximum of 1000000"),
        }
        for field, (value, words) in cases.items():
            with self.subTest(field), self.assertRaises(ValidationError) as caught:
                self.env["res.config.settings"].create({field: value})
            self.assertIn(words, str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.env["res.config.settings"].create({"omnitron_property_rules": '{"channel..type": "x"}'})
        self.assertIn("'channel..type' has an empty segment", str(caught.exception))

    def test_a_value_stored_out_of_range_some_other_way_stops_the_purge_with_a_reason(self):
        self.set_params(event_retention_days="1000000")
        with self.assertLogs("odoo.addons.omnitron_order_webhook.models.omnitron_webhook_event", "ERROR") as logs:
            self.assertFalse(self.env["omnitron.webhook.event"]._gc_events())
        self.assertIn("above the maximum of 3650", logs.output[0])
        with self.assertRaises(ValueError):
            self.env["omnitron.webhook.reception"]._settings()

    def test_the_units_of_an_order_are_bounded_by_a_setting(self):
        form = Form(self.env["res.config.settings"])
        self.assertEqual(form.omnitron_max_order_units, 100_000)
        form.omnitron_max_order_units = 10
        form.save().execute()
        merged = self.sample()["payload"]["orderitem_set"][0]
        merged["attributes"] = {"quantity": 11}
        outcome = self.receive(self.sample(orderitem_set=[merged]))
        self.assertEqual(outcome.status, 400, outcome.body)
        [error] = outcome.body["errors"]
        self.assertEqual(error["path"], "payload.orderitem_set")
        self.assertIn("11 units", error["message"])
        self.assertIn("at most 10", error["message"])
        self.assertFalse(self.omnitron_orders())
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"omnitron_max_order_units": 0})

    def test_the_settings_link_to_the_accounts_where_each_omnitrons_connection_lives(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.omnitron_account_count, 1)
        action = settings.action_omnitron_accounts()
        self.assertEqual(action["res_model"], "omnitron.account")
        self.assertFalse(
            [name for name in settings._fields if "api_password" in name or name == "omnitron_outbound_enabled"],
            "no connection field is left in the settings",
        )

    def test_a_filter_stored_invalid_is_shown_in_its_own_fields_with_the_webhooks_error(self):
        self.set_params(order_filtering='{"channels": "20", "properties": {"delivery_type": "same_day"}}')
        form = Form(self.env["res.config.settings"])
        self.assertEqual(form.omnitron_allowed_channels, "20", "the channels in the channels field")
        self.assertEqual(json.loads(form.omnitron_property_rules), {"delivery_type": "same_day"})
        self.assertIn('"channels" must be a list', form.omnitron_stored_error)
        form.save().execute()  # saving what is shown repairs it
        self.assertEqual(
            json.loads(self.env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + "order_filtering")),
            {"channels": [20], "properties": {"delivery_type": "same_day"}},
        )
        self.assertFalse(self.env["res.config.settings"].create({}).omnitron_stored_error)

    def test_the_form_shows_the_webhook_urls_and_the_known_channels_as_it_opens(self):
        # Form opens the settings as the web client does (onchange without a
        # field), not create(): computed fields must be filled by that call.
        self.assertEqual(self.receive(self.sample()).status, 204)
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        form = Form(self.env["res.config.settings"])
        self.assertEqual(form.omnitron_webhook_url, base + "/api/v1/oms/orders_omnitron/")
        self.assertEqual(form.omnitron_cancellation_plan_url, base + "/api/v1/oms/cancellation_plan/")
        self.assertEqual(form.omnitron_known_channels, "20 Lacoste N11")


@tagged("post_install", "-at_install")
class TestSettingsKnowThePricelists(OmnitronCase):
    """The import never leaves a pricelist Odoo's settings don't know about:
    with the pricelist feature off, saving the settings archives every
    pricelist (and each visit warns that it will)."""

    def pricelist_feature_on(self):
        """What the Sales settings show for *Pricelists*: the group implied on every employee."""
        return self.env.ref("product.group_product_pricelist") in self.env.ref("base.group_user").implied_ids

    def active_pricelists(self):
        return self.env["product.pricelist"].search([])

    def open_and_save_the_settings(self):
        """Open Sales settings, as the web client does, and save them unchanged.
        Returns the warnings the form raised when it opened."""
        with self.assertLogs("odoo.tests.form", "WARNING") as logs:
            form = Form(self.env["res.config.settings"])
            logging.getLogger("odoo.tests.form").warning("opened")  # assertLogs needs one line
        self.assertEqual(form.group_product_pricelist, self.pricelist_feature_on())
        form.save().execute()
        return [line for line in logs.output if "opened" not in line]

    def test_an_order_in_the_company_currency_creates_no_pricelist_the_settings_would_archive(self):
        self.assertFalse(self.pricelist_feature_on())
        self.assertFalse(self.active_pricelists())
        self.assertEqual(self.receive(self.sample()).status, 204)
        order = self.omnitron_orders()
        self.assertEqual(order.currency_id, self.company.currency_id)
        self.assertEqual(order.amount_total, 725.26)
        self.assertFalse(self.active_pricelists(), "the feature is off: no pricelist, as Odoo itself does")
        self.assertEqual(self.open_and_save_the_settings(), [], "no 'You are deactivating the pricelist feature'")
        self.assertEqual(self.receive(self.sample(number="SECOND")).status, 204)
        self.assertEqual(self.omnitron_orders("SECOND").currency_id, self.company.currency_id)

    def test_an_order_in_another_currency_turns_the_pricelist_feature_on_as_the_settings_would(self):
        usd = self.env.ref("base.USD")
        self.assertTrue(usd.active)
        self.assertFalse(self.pricelist_feature_on())
        self.assertEqual(self.receive(self.sample(currency="usd")).status, 204)
        order = self.omnitron_orders()
        self.assertEqual(order.currency_id, usd)
        self.assertEqual(order.pricelist_id.currency_id, usd)
        self.assertTrue(self.pricelist_feature_on())
        # As the settings do when the feature is switched on: the company's default pricelist.
        self.assertIn(self.company.currency_id, self.active_pricelists().currency_id)
        self.assertEqual(self.open_and_save_the_settings(), [])
        self.assertTrue(order.pricelist_id.active, "saving the settings archived the order's pricelist")
        self.assertEqual(self.receive(self.sample(currency="usd", number="USD-2")).status, 204)
        self.assertEqual(self.omnitron_orders("USD-2").pricelist_id, order.pricelist_id)

    def test_the_companys_default_pricelist_in_the_orders_currency_is_used(self):
        form = Form(self.env["res.config.settings"])
        form.group_product_pricelist = True
        form.save().execute()
        default = self.env["product.pricelist"].search(
            [("company_id", "=", self.company.id), ("currency_id", "=", self.company.currency_id.id)]
        )
        self.assertEqual(len(default), 1, "Odoo's settings create the company's default pricelist")
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.assertEqual(self.omnitron_orders().pricelist_id, default)
        self.assertEqual(self.active_pricelists(), default, "no pricelist of the webhook's own")

    def test_an_order_in_another_currency_after_the_admin_switched_pricelists_off_brings_its_pricelist_back(self):
        self.assertEqual(self.receive(self.sample(currency="usd")).status, 204)
        pricelist = self.omnitron_orders().pricelist_id
        form = Form(self.env["res.config.settings"])
        form.group_product_pricelist = False
        form.save().execute()  # Odoo archives every pricelist
        self.assertFalse(self.pricelist_feature_on())
        self.assertFalse(pricelist.active)
        self.assertEqual(self.receive(self.sample(currency="usd", number="USD-AFTER")).status, 204)
        self.assertEqual(self.omnitron_orders("USD-AFTER").pricelist_id, pricelist, "the same one, not a second")
        self.assertTrue(pricelist.active)
        self.assertTrue(self.pricelist_feature_on())
        self.assertEqual(self.open_and_save_the_settings(), [])
        self.assertTrue(pricelist.active)
