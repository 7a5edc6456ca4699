"""Reports to Sentry, received by a real Sentry endpoint on 127.0.0.1.

Over HTTP: a report is sent when the request's transaction commits, and a
request Odoo replays must give one report.
"""

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..core import reporting
from .common import RECEPTION_LOGGER, OmnitronHttpCase, SentryListener


@tagged("post_install", "-at_install")
class TestSentryReports(OmnitronHttpCase):
    def sentry(self):
        listener = SentryListener()
        self.addCleanup(listener.close)
        self.addCleanup(reporting.forget_private_clients)
        self.set_params(sentry_dsn=listener.dsn)
        return listener

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

    @mute_logger(RECEPTION_LOGGER, "odoo.sql_db")
    def test_a_500_reaches_sentry_as_the_exception(self):
        listener = self.sentry()
        with self.failing_trigger("sale_order_line", "forced failure for John Doe"):
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
        with self.failing_trigger(
            "omnitron_webhook_event", "simulated concurrent update", errcode="serialization_failure", failures=1
        ) as attempts:
            with mute_logger("odoo.service.model"):
                response = self.post(self.sample())
            self.assert_ignored(response, "cargo_company_not_found")
            self.assertEqual(attempts(), 2, "the request ran twice")
        reporting.forget_private_clients()
        self.assertEqual(len(listener.events()), 1)
        self.assertEqual(len(self.events()), 1)
