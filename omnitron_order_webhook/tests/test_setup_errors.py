"""A company whose set-up cannot take an order: a 500 config_error naming the problem in words.

Odoo 18 gives a new company a warehouse only in test mode (``stock``'s
``res.company.create``); a company added by an administrator has none until
one is created. That, and any refusal Odoo raises from the company's set-up
(a ``UserError`` or ``ValidationError`` during the import or an update), is a
set-up problem an administrator fixes, then reprocesses: never an
``internal_error``, and Sentry hears of it as that problem, not as an
unexpected exception each time Omnitron retries.
"""

import threading

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..core import reporting
from .common import RECEPTION_LOGGER, OmnitronCase, OmnitronHttpCase, SentryListener, item


class CompanyWithoutWarehouse:
    """A second Turkish company created as an administrator creates one: without a warehouse."""

    @classmethod
    def company_without_warehouse(cls):
        thread = threading.current_thread()
        testing = getattr(thread, "testing", False)
        thread.testing = False  # as outside tests: stock creates no warehouse for the new company
        try:
            company = cls.env["res.company"].create(
                {"name": "Depo Yok A.Ş.", "currency_id": cls.env.ref("base.TRY").id}
            )
        finally:
            thread.testing = testing
        cls.env["account.chart.template"].try_loading("tr", company, install_demo=False)
        cls.env["account.chart.template"].with_company(company).ref("tr_s_10").copy(
            {"name": "8% (no warehouse)", "amount": 8, "price_include_override": "tax_included", "omnitron_rate": 8}
        )
        sender = cls.sender_of(cls, company, "omnitron-sender-no-warehouse")
        return company, sender.omnitron_generate_token()


@tagged("post_install", "-at_install")
class TestSetupErrors(CompanyWithoutWarehouse, OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bare_company, cls.bare_token = cls.company_without_warehouse()

    def test_a_company_without_a_warehouse_answers_config_error_naming_it(self):
        self.assertFalse(self.env["stock.warehouse"].search([("company_id", "=", self.bare_company.id)]))
        outcome = self.receive(self.order("NO-WH", [item(3101, "NW-1", "100.00")]), token=self.bare_token)
        self.assertEqual((outcome.status, outcome.body["error"]), (500, "config_error"), outcome.body)
        self.assertIn("Depo Yok A.Ş. has no warehouse", outcome.body["detail"])
        self.assertIn("Inventory > Configuration > Warehouses", outcome.body["detail"])
        self.assertFalse(self.omnitron_orders("NO-WH"))
        event = self.events()[:1]
        self.assertEqual((event.state, event.reason), ("failed", "config_error"))
        self.assertIn("has no warehouse", event.detail)
        self.assertTrue(event.can_reprocess)

    def test_once_the_warehouse_exists_the_same_delivery_imports(self):
        body = self.order("NO-WH-2", [item(3102, "NW-2", "100.00")])
        self.assertEqual(self.receive(body, token=self.bare_token).status, 500)
        self.env["stock.warehouse"].create({"name": "Ana Depo", "code": "ANA", "company_id": self.bare_company.id})
        self.assertEqual(self.receive(body, token=self.bare_token).status, 204)
        self.assertEqual(self.omnitron_orders("NO-WH-2").warehouse_id.code, "ANA")

    def test_a_refusal_odoo_raises_from_the_set_up_is_said_in_words_not_as_an_unexpected_error(self):
        # The warehouse ships nothing: its delivery route's rules were archived. Confirming
        # the order, Odoo refuses with a UserError naming what to set up.
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        warehouse.delivery_route_id.rule_ids.active = False
        with mute_logger(RECEPTION_LOGGER):
            outcome = self.receive(self.order("NO-RULE", [item(3103, "NR-1", "100.00")]))
        self.assertEqual((outcome.status, outcome.body["error"]), (500, "config_error"), outcome.body)
        self.assertIn("No rule has been found to replenish", outcome.body["detail"])
        self.assertIn("NR-1", outcome.body["detail"])
        self.assertNotIn("unexpected", outcome.body["detail"])
        self.assertNotIn("event_uuid", outcome.body)
        self.assertFalse(self.omnitron_orders("NO-RULE"))
        event = self.events()[:1]
        self.assertEqual((event.state, event.reason), ("failed", "config_error"))
        self.assertIn("No rule has been found to replenish", event.detail)
        self.assertTrue(event.can_reprocess)


@tagged("post_install", "-at_install")
class TestSetupErrorReports(CompanyWithoutWarehouse, OmnitronHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bare_company, cls.bare_token = cls.company_without_warehouse()

    def test_a_company_without_a_warehouse_is_reported_as_that_set_up_problem_not_an_exception(self):
        listener = SentryListener()
        self.addCleanup(listener.close)
        self.addCleanup(reporting.forget_private_clients)
        self.set_params(sentry_dsn=listener.dsn)
        body = self.order("NO-WH-HTTP", [item(3104, "NW-4", "100.00")])
        for _retry in range(2):  # Omnitron retries a 500
            response = self.post(body, token=self.bare_token)
            self.assertEqual(response.status_code, 500)
            self.assertEqual(response.json()["error"], "config_error")
            self.assertIn("has no warehouse", response.json()["detail"])
        reporting.forget_private_clients()
        events = listener.events()
        self.assertEqual(len(events), 2)
        for event in events:
            self.assertNotIn("exception", event, "a set-up problem is no unexpected exception")
            self.assertEqual(event["tags"]["omnitron.reason"], "config_error")
        self.assertEqual(len({tuple(event["fingerprint"]) for event in events}), 1, "one Sentry issue")
