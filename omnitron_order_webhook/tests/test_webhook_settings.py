import json

import odoo
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from ..core import reporting
from .common import OmnitronWebhookCase, SentryListener, reset_rate_counters

PREFIX = "omnitron_order_webhook."


@tagged("post_install", "-at_install")
class TestWebhookSettings(OmnitronWebhookCase):
    def set_params(self, **values):
        params = self.env["ir.config_parameter"].sudo()
        for key, value in values.items():
            params.set_param(PREFIX + key, value)

    def assert_ignored(self, response, reason, *words):
        self.assertEqual(response.status_code, 202, response.text)
        body = response.json()
        self.assertEqual(body["reason"], reason)
        for word in words:
            self.assertIn(word, body["detail"])
        return body

    # -- the 202 reasons of the filters, through real HTTP --------------------

    def test_each_filter_reason_and_nothing_created(self):
        before = self.counts()
        cases = [
            ({"min_order_omnitron_id": "40000"}, "below_min_omnitron_id", "31999", "40000"),
            ({"order_filtering": '{"channels": [31]}'}, "channel_not_allowed", "Channel 20", "31"),
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
                self.assert_ignored(self.post(self.sample()), reason, *words)
        self.assertEqual(self.counts(), before)
        self.assertEqual(set(self.events().mapped("state")), {"ignored"})

    def test_the_first_rule_an_order_breaks_answers(self):
        self.set_params(min_order_omnitron_id="40000", order_filtering='{"channels": [31]}')
        self.assert_ignored(self.post(self.sample()), "below_min_omnitron_id")
        self.set_params(min_order_omnitron_id="0")
        self.assert_ignored(self.post(self.sample()), "channel_not_allowed")
        # A filtered order is not a duplicate yet: filters come before the duplicate check.
        self.set_params(order_filtering="{}")
        self.assertEqual(self.post(self.sample()).status_code, 204)
        self.set_params(order_filtering='{"properties": {"delivery_type": "standard"}}')
        self.assert_ignored(self.post(self.sample()), "property_mismatch")
        self.set_params(order_filtering="{}")
        self.carrier.omnitron_erp_code = "other"
        self.assert_ignored(self.post(self.sample()), "duplicate_order")
        self.assert_ignored(self.post(self.sample(number="NEW-1")), "cargo_company_not_found")

    def test_missing_products_are_refused_when_creation_is_off(self):
        self.set_params(create_missing_products="false")
        before = self.counts()
        self.assert_ignored(self.post(self.sample()), "product_not_found", "'3169177'")
        self.assertEqual(self.counts(), before)
        self.env["product.product"].create({"name": "Shirt", "default_code": "3169177"})
        self.assertEqual(self.post(self.sample()).status_code, 204)

    # -- the settings form ------------------------------------------------------

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
            json.loads(params.get_param(PREFIX + "order_filtering")),
            {"channels": [20, 31], "properties": {"delivery_type": ["same_day", "standard"]}},
        )
        self.assertEqual(params.get_param(PREFIX + "min_order_omnitron_id"), "100")
        self.assertEqual(self.post(self.sample()).status_code, 204)
        self.set_params(min_order_omnitron_id="99999")
        self.assert_ignored(self.post(self.sample(number="LATER")), "below_min_omnitron_id")

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
        }
        for field, (value, words) in cases.items():
            with self.subTest(field), self.assertRaises(ValidationError) as caught:
                self.env["res.config.settings"].create({field: value})
            self.assertIn(words, str(caught.exception))
        with self.assertRaises(ValidationError) as caught:
            self.env["res.config.settings"].create({"omnitron_property_rules": '{"channel..type": "x"}'})
        self.assertIn("'channel..type' has an empty segment", str(caught.exception))

    @mute_logger("odoo.addons.omnitron_order_webhook.models.omnitron_webhook_reception")
    def test_a_setting_stored_invalid_answers_500_config_error(self):
        self.set_params(order_filtering='{"channels": "20"}')
        response = self.post(self.sample())
        self.assertEqual(response.status_code, 500)
        body = response.json()
        self.assertEqual(body["error"], "config_error")
        self.assertIn('"channels" must be a list', body["detail"])
        self.assertFalse(self.omnitron_orders())
        self.assertRecordValues(self.events(), [{"state": "failed", "reason": "config_error", "http_status": 500}])

    # -- Sentry ---------------------------------------------------------------

    def sentry(self):
        listener = SentryListener()
        self.addCleanup(listener.close)
        self.addCleanup(reporting.forget_private_clients)
        self.set_params(sentry_dsn=listener.dsn)
        return listener

    def test_each_202_reaches_sentry_tagged_grouped_and_without_secrets(self):
        listener = self.sentry()
        self.carrier.omnitron_erp_code = "other"
        self.post(self.sample())
        self.set_params(order_filtering='{"channels": [31]}')
        self.post(self.sample())
        reporting.forget_private_clients()  # flushes and closes the client
        events = listener.events()
        self.assertEqual(len(events), 2)
        self.assertEqual({event["level"] for event in events}, {"warning"})
        by_reason = {event["tags"]["omnitron.reason"]: event for event in events}
        self.assertEqual(set(by_reason), {"cargo_company_not_found", "channel_not_allowed"})
        tags = by_reason["cargo_company_not_found"]["tags"]
        self.assertEqual(tags["omnitron.channel"], "20")
        self.assertEqual(tags["omnitron.order_number"], "202531672482")
        self.assertEqual(tags["omnitron.event_uuid"], "fc2ba32ba6da4c948c71c6adcf6396db")
        self.assertEqual(
            by_reason["channel_not_allowed"]["fingerprint"],
            ["omnitron-order-webhook", "ignored", "channel_not_allowed"],
        )
        self.assert_no_secrets(listener.raw())

    def assert_no_secrets(self, raw):
        sample = self.sample()
        customer = sample["payload"]["customer"]
        for secret in (
            "ihwQUETc5Ge4Wy0P",
            "63fa639d-fed2-4944-8cb5-549745f425d3",
            self.token,
            customer["email"],
            "Authorization",
            "Viale Edoardo Jenner",
            "+90 555XXX0000",
            '"John"',
            "John Doe",
        ):
            self.assertNotIn(secret, raw)

    @mute_logger("odoo.addons.omnitron_order_webhook.models.omnitron_webhook_reception", "odoo.sql_db")
    def test_a_500_reaches_sentry_as_the_exception(self):
        listener = self.sentry()
        self.env.cr.execute(
            """
            CREATE FUNCTION omnitron_test_fail() RETURNS trigger LANGUAGE plpgsql AS
            $$BEGIN RAISE EXCEPTION 'forced failure for John Doe'; END$$;
            CREATE TRIGGER omnitron_test_fail BEFORE INSERT ON sale_order_line
            FOR EACH ROW EXECUTE FUNCTION omnitron_test_fail();
            """
        )
        self.assertEqual(self.post(self.sample()).status_code, 500)
        reporting.forget_private_clients()
        (event,) = listener.events()
        self.assertEqual(event["level"], "error")
        self.assertEqual(event["tags"]["omnitron.reason"], "internal_error")
        self.assertEqual(event["exception"]["values"][-1]["type"], "RaiseException")
        self.assertIn("forced failure for [Filtered]", event["exception"]["values"][-1]["value"])
        self.assert_no_secrets(listener.raw())

    def test_a_replayed_request_is_reported_once(self):
        listener = self.sentry()
        self.carrier.omnitron_erp_code = "other"
        # The first attempt fails with a serialization failure when the event row
        # is written (after the report was prepared); Odoo replays the request.
        self.env.cr.execute(
            """
            CREATE SEQUENCE omnitron_test_attempts;
            CREATE FUNCTION omnitron_test_conflict() RETURNS trigger LANGUAGE plpgsql AS
            $$BEGIN
                IF nextval('omnitron_test_attempts') = 1 THEN
                    RAISE EXCEPTION 'simulated concurrent update' USING ERRCODE = 'serialization_failure';
                END IF;
                RETURN NEW;
            END$$;
            CREATE TRIGGER omnitron_test_conflict BEFORE INSERT ON omnitron_webhook_event
            FOR EACH ROW EXECUTE FUNCTION omnitron_test_conflict();
            """
        )
        with mute_logger("odoo.service.model"):
            response = self.post(self.sample())
        self.assert_ignored(response, "cargo_company_not_found")
        self.env.cr.execute("SELECT last_value FROM omnitron_test_attempts")
        self.assertEqual(self.env.cr.fetchone()[0], 2, "the request ran twice")
        reporting.forget_private_clients()
        self.assertEqual(len(listener.events()), 1)
        self.assertEqual(len(self.events()), 1)

    # -- rate limits ------------------------------------------------------------

    def test_over_the_token_limit_the_answer_is_429_with_retry_after(self):
        self.set_params(rate_limit_per_token="3")
        for number in ("R1", "R2", "R3"):
            self.assertEqual(self.post(self.sample(number=number)).status_code, 204)
        response = self.post(self.sample(number="R4"))
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["error"], "rate_limited")
        self.assertTrue(1 <= int(response.headers["Retry-After"]) <= 60)
        self.assertFalse(self.omnitron_orders("R4"))
        other = self.sender.omnitron_generate_token()
        self.assertEqual(self.post(self.sample(number="R5"), token=other).status_code, 204, "limits are per token")

    def test_repeated_bad_tokens_from_one_ip_get_429(self):
        self.set_params(rate_limit_failed_auth_per_ip="2")
        bad = {"Authorization": "Token " + "C" * 43}
        self.assertEqual([self.post(self.sample(), headers=bad).status_code for _ in range(3)], [401, 401, 429])
        self.assertIn("Retry-After", self.post(self.sample(), headers=bad).headers)
        self.assertEqual(self.post(self.sample()).status_code, 204, "a valid token is still served")

    def test_the_counter_is_shared_by_two_workers_and_survives_rollback(self):
        counter = self.env["omnitron.rate.counter"]
        registry_db = odoo.sql_db.db_connect(self.env.cr.dbname)
        reset_rate_counters(self.env.cr.dbname)
        with registry_db.cursor() as worker_a, registry_db.cursor() as worker_b:
            self.assertIsNone(counter._hit("token:shared", 2, cursor=worker_a))
            worker_a.commit()
            self.assertIsNone(counter._hit("token:shared", 2, cursor=worker_b))
            worker_b.commit()
            self.assertIsNotNone(counter._hit("token:shared", 2, cursor=worker_a))
            worker_a.rollback()  # the request failed, but ...
        self.assertIsNotNone(counter._hit("token:shared", 2), "... a counter on its own connection still counts")
