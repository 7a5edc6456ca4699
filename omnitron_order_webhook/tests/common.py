"""Fixtures of the Odoo tier, in one place: the sender, its token, the carrier
matching the spec's sample, the sample itself, and a helper posting real HTTP.
"""

import copy
import json
import pathlib

import odoo
from odoo.tests import HttpCase, new_test_user

from ..controllers.main import OmnitronWebhookController
from .sentry_listener import SentryListener  # noqa: F401 - the tests import it from here

WEBHOOK_URL = OmnitronWebhookController._webhook_url
SAMPLE = json.loads((pathlib.Path(__file__).parent / "data" / "sample_order.json").read_text(encoding="utf-8"))


class OmnitronWebhookCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.sender = new_test_user(
            cls.env,
            login="omnitron-sender-test",
            groups="omnitron_order_webhook.group_omnitron_sender",
        )
        cls.token = cls.sender.omnitron_generate_token()
        carrier_product = cls.env["product.product"].create(
            {"name": "Yurtiçi Kargo shipping", "type": "service", "taxes_id": [(5, 0, 0)]}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {
                "name": "Yurtiçi Kargo",
                "product_id": carrier_product.id,
                "omnitron_shipping_company": "yurtici",
                "omnitron_erp_code": "yurtici_kargo",
            }
        )

    def setUp(self):
        super().setUp()
        reset_rate_counters(self.env.cr.dbname)

    def sample(self, **payload_changes):
        """A fresh copy of the spec's sample, with payload fields replaced."""
        body = copy.deepcopy(SAMPLE)
        body["payload"].update(payload_changes)
        return body

    def post(self, body, *, token=None, headers=None, raw=None, url=WEBHOOK_URL):
        """POST ``body`` (JSON-encoded) or ``raw`` bytes with the sender's token."""
        all_headers = {"Content-Type": "application/json", "Authorization": f"Token {token or self.token}"}
        all_headers.update(headers or {})
        all_headers = {key: value for key, value in all_headers.items() if value is not None}
        data = raw if raw is not None else json.dumps(body).encode()
        # Not url_open: it turns a POST with an empty body into a GET.
        return self.opener.post(
            self.base_url() + url, data=data, headers=all_headers, allow_redirects=False, timeout=30
        )

    def omnitron_orders(self, number=SAMPLE["payload"]["number"]):
        return self.env["sale.order"].search([("omnitron_number", "=", number)])

    def events(self):
        return self.env["omnitron.webhook.event"].search([])

    def counts(self):
        """How many partners, products, orders and taxes exist (to prove nothing was left)."""
        return {
            model: self.env[model].with_context(active_test=False).search_count([])
            for model in ("res.partner", "product.product", "sale.order", "sale.order.line", "account.tax")
        }


def reset_rate_counters(dbname):
    """Empty the rate counters, which live outside the test's transaction."""
    with odoo.sql_db.db_connect(dbname).cursor() as cursor:
        cursor.execute("DELETE FROM omnitron_rate_counter")
