"""Fixtures of the Odoo tier, in one place.

``OmnitronCase`` (a ``TransactionCase``) runs a delivery through the real
service without HTTP (``receive``): for the rules of the import, the filters,
the tokens and the back office. ``OmnitronHttpCase`` posts it to the route
over real HTTP (``post``): for the HTTP contract and what only a request
has (authentication, rate limits, Odoo's replay of a request, the commit
that sends a Sentry report, the tours). Both share the sender, its token, the
carrier of the spec's sample, the sample itself and the helpers below.
"""

import contextlib
import copy
import importlib.util
import json
import pathlib

import odoo
from odoo.tests import Form, HttpCase, TransactionCase, new_test_user
from odoo.tools import SQL

from ..controllers.main import OmnitronWebhookController
from ..core import responses
from ..core.arrival import Arrival
from ..core.validation import InvalidPayload, decode_json
from .omnitron_api_double import OmnitronApiDouble
from .sentry_listener import SentryListener  # noqa: F401 - the tests import it from here

WEBHOOK_URL = OmnitronWebhookController._webhook_url
SAMPLE = json.loads((pathlib.Path(__file__).parent / "data" / "sample_order.json").read_text(encoding="utf-8"))
PLAN_SAMPLE = json.loads(
    (pathlib.Path(__file__).parent / "data" / "cancellation_plan_sample.json").read_text(encoding="utf-8")
)
# Every shape of an address part that Akinon's code and documentation show (the pure tier reads the same file).
ADDRESS_SHAPES = {
    name: shape
    for name, shape in json.loads(
        (pathlib.Path(__file__).parent / "data" / "address_shapes.json").read_text(encoding="utf-8")
    ).items()
    if not name.startswith("_")
}
PLAN_URL = OmnitronWebhookController._cancellation_plan_url
PARAM_PREFIX = "omnitron_order_webhook."
# The logger of the reception, which logs every failed import with its traceback.
RECEPTION_LOGGER = "odoo.addons.omnitron_order_webhook.models.omnitron_webhook_reception"


def item(pk, sku, price, *, rate="20.00", status="400"):
    """An item of the spec's sample with another pk, sku, price, tax rate and status."""
    line = copy.deepcopy(SAMPLE["payload"]["orderitem_set"][0])
    line.update(pk=pk, price=price, tax_rate=rate, status=status)
    line["product"].update(pk=pk, sku=sku, name=f"Product {sku}")
    return line


class OmnitronFixtures:
    """What every Omnitron test case has: the sender, its token and the carrier."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.chart = cls.env["account.chart.template"].with_company(cls.company)
        cls.account = cls.env["omnitron.account"].create({"name": "Omnitron test", "company_id": cls.company.id})
        cls.sender = new_test_user(
            cls.env,
            login="omnitron-sender-test",
            groups="omnitron_order_webhook.group_omnitron_sender",
            omnitron_account_id=cls.account.id,
        )
        cls.token = cls.sender.omnitron_generate_token()
        cls.manager = new_test_user(
            cls.env, login="omnitron-manager-test", groups="omnitron_order_webhook.group_omnitron_manager"
        )
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

    def sample(self, **payload_changes):
        """A fresh copy of the spec's sample, with payload fields replaced."""
        body = copy.deepcopy(SAMPLE)
        body["payload"].update(payload_changes)
        return body

    def order(self, number, items, *, status="400", shipping="0.00", shipping_rate=None, **changes):
        """A sample whose items are replaced, with an amount that matches them."""
        total = sum(float(line["price"]) for line in items) + float(shipping)
        body = self.sample(
            number=number,
            status=status,
            orderitem_set=items,
            shipping_amount=shipping,
            shipping_tax_rate=shipping_rate,
            amount=f"{total:.2f}",
            **changes,
        )
        return body

    def plan(
        self, number=SAMPLE["payload"]["number"], *, pk=2839, channel=SAMPLE["payload"]["channel"]["pk"], **changes
    ):
        """The published cancellation-plan sample, for order ``number`` of ``channel``."""
        body = copy.deepcopy(PLAN_SAMPLE)
        body["payload"]["pk"] = pk
        body["payload"]["order"].update(number=number, channel=channel)
        body["payload"].update(changes)
        return body

    def ship(self, sale_order):
        """Validate the order's outgoing delivery in full, as the warehouse does."""
        picking = sale_order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking._action_done()
        return picking

    def take_back(self, receipt, quantities=None):
        """Validate a return receipt as the warehouse does: all of it, or ``quantities`` by sku, the rest
        kept in Odoo's backorder (its *Create Backorder*)."""
        for move in receipt.move_ids:
            wanted = move.product_uom_qty if quantities is None else quantities.get(move.product_id.default_code, 0)
            move.quantity = wanted
            move.picked = bool(wanted)
        answer = receipt.with_context(skip_sms=True).button_validate()
        if isinstance(answer, dict) and answer.get("res_model") == "stock.backorder.confirmation":
            Form(self.env[answer["res_model"]].with_context(**answer["context"])).save().process()
        self.assertEqual(receipt.state, "done")
        return receipt

    def returns_of(self, sale_order):
        """The order's return receipts, oldest first."""
        return sale_order._omnitron_returns().sorted("id")

    def invoice(self, sale_order):
        """Invoice the order and post the invoice, as the accountant does.

        The products the import creates are invoiced as shipped; an order
        invoiced before it ships is one whose products the merchant invoices
        on ordered quantities, which is what is set first then.
        """
        lines = sale_order.order_line.filtered(lambda line: line.product_id.type == "consu")
        if not any(lines.mapped("qty_delivered")):
            lines.product_id.invoice_policy = "order"
            # What is to invoice follows the delivered quantities in Odoo's dependencies, not the policy.
            lines.modified(["qty_delivered"])
        invoice = sale_order._create_invoices()
        invoice.action_post()
        return invoice

    def twins(self, rate):
        """The taxes marked for Omnitron ``rate`` (the demo's 8 %, a twin, an admin's mark)."""
        return self.env["account.tax"].with_context(active_test=False).search([("omnitron_rate", "=", rate)])

    def account_of(self, company, **values):
        """The Omnitron account of ``company`` (created the first time)."""
        account = self.env["omnitron.account"].search([("company_id", "=", company.id)], limit=1)
        if not account:
            account = self.env["omnitron.account"].create(
                {"name": f"Omnitron of {company.name}", "company_id": company.id}
            )
        if values:
            account.write(values)
        return account

    def sender_of(self, company, login, account=None):
        """A sender user of another ``company`` only, posting its account's orders (the multi-company rules)."""
        return new_test_user(
            self.env,
            login=login,
            groups="omnitron_order_webhook.group_omnitron_sender",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
            # Called on the class too (setUpClass): the fixture is named, not looked up on ``self``.
            omnitron_account_id=(account or OmnitronFixtures.account_of(self, company)).id,
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

    def set_params(self, **values):
        """Store the webhook's settings (``min_order_omnitron_id="100"``) as the form would."""
        params = self.env["ir.config_parameter"].sudo()
        for key, value in values.items():
            params.set_param(PARAM_PREFIX + key, value)

    @contextlib.contextmanager
    def failing_trigger(
        self, table, message="forced failure for the test", *, errcode="raise_exception", failures=None
    ):
        """Make inserts into ``table`` fail with a real database error.

        Every insert fails, or only the first ``failures`` ones. The block
        receives a function telling how many inserts were attempted (a
        sequence counts them, and a sequence ignores rollbacks). The trigger
        is dropped when the block ends; if the test fails inside it, the
        test's rollback removes it.
        """
        self.env.cr.execute(
            SQL(
                """
                CREATE SEQUENCE omnitron_test_attempts;
                CREATE FUNCTION omnitron_test_fail() RETURNS trigger LANGUAGE plpgsql AS
                $$BEGIN
                    IF nextval('omnitron_test_attempts') <= %(failures)s THEN
                        RAISE EXCEPTION %(message)s USING ERRCODE = %(errcode)s;
                    END IF;
                    RETURN NEW;
                END$$;
                CREATE TRIGGER omnitron_test_fail BEFORE INSERT ON %(table)s
                FOR EACH ROW EXECUTE FUNCTION omnitron_test_fail();
                """,
                failures=failures if failures is not None else 2**31 - 1,
                message=message,
                errcode=errcode,
                table=SQL.identifier(table),
            )
        )

        def attempts():
            self.env.cr.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM omnitron_test_attempts")
            return self.env.cr.fetchone()[0]

        yield attempts
        self.env.cr.execute(
            SQL(
                """
                DROP TRIGGER omnitron_test_fail ON %s;
                DROP FUNCTION omnitron_test_fail();
                DROP SEQUENCE omnitron_test_attempts;
                """,
                SQL.identifier(table),
            )
        )


class OmnitronCase(OmnitronFixtures, TransactionCase):
    """Rules that need no HTTP: a delivery goes through the real service directly."""

    def receive(self, body, *, token=None, webhook="order"):
        """Run ``body`` through the reception as the controller does once a request
        is authenticated and accepted; return the ``Outcome`` it would answer.

        The body goes through JSON and ``decode_json`` as the request's bytes do;
        invalid settings raise (their 500 is the HTTP contract's subject).
        """
        clear_token = token or self.token
        sender_token = self.authenticate(clear_token)
        self.assertTrue(sender_token, "the token must authenticate")
        user = sender_token.user_id
        reception = self.env["omnitron.webhook.reception"].sudo()
        account = user.sudo().omnitron_account_id
        arrival = Arrival.now(
            user,
            account=account,
            settings=reception._settings(),
            token=sender_token,
            clear_token=clear_token,
            webhook=webhook,
            secrets=account._secrets,
        )
        reception = reception.with_user(user).sudo()
        document = decode_json(json.dumps(body).encode())
        arrival = arrival.with_body(document)
        try:
            call = arrival.parse()
        except InvalidPayload as error:
            return reception._refuse(arrival, responses.invalid_payload(error.errors))
        outcome, _event = reception._receive(arrival, call)
        return outcome

    def authenticate(self, token):
        """The token record the route would accept for ``token`` (empty: it answers 401)."""
        return self.env["omnitron.token"].sudo()._authenticate(token)

    def assert_ignored(self, outcome, reason, *words):
        """``outcome`` is a 202 for ``reason`` whose detail names each of ``words``."""
        self.assertEqual(outcome.status, 202, outcome.body)
        self.assertEqual(outcome.body["reason"], reason)
        for word in words:
            self.assertIn(word, outcome.body["detail"])
        return outcome.body

    def ignored_event(self):
        """The event of a sample ignored for its missing carrier."""
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample())
        return self.events()


class OmnitronApiCase(OmnitronCase):
    """An OmnitronCase whose company sends fulfilment to the contract double of Omnitron's API (real HTTP)."""

    API_PASSWORD = "s3cret-Omnitron-pw"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The double is http:// on 127.0.0.1: a sandbox, as the Settings administrator may allow.
        cls.env["ir.config_parameter"].set_param("omnitron_order_webhook.sandbox_api_urls", "true")
        cls.api = OmnitronApiDouble(username="odoo-erp", password=cls.API_PASSWORD).start()
        cls.addClassCleanup(cls.api.stop)
        # The shared key is written through its own cursor; in test mode that
        # cursor is the test's, so nothing outlives the test.
        cls.registry.enter_test_mode(cls.cr)
        cls.addClassCleanup(cls.registry.leave_test_mode)

    def setUp(self):
        super().setUp()
        self.api.reset()
        self.api.expire_keys()  # every test logs in afresh (keys live in the test's transaction)
        self.connect(self.account, self.api)

    def connect(self, account, api, **values):
        """``account`` sends to the contract double ``api`` (its username and password)."""
        account.write(
            {
                "api_url": api.url,
                "api_username": api.username,
                "api_password": api.password,
                "outbound_enabled": True,
                "cancellation_reason_id": 7,
                "timeout_seconds": 1,
                **values,
            }
        )
        return account


# The Omnitron stock list the stock tests send to.
STOCK_LIST_PK = 41


class OmnitronStockCase(OmnitronApiCase):
    """An OmnitronApiCase whose account sends stock: a stock list on the company's warehouse, a mug of 10.

    The stock tests of this addon and of its bridges (kits) share it.
    """

    def setUp(self):
        super().setUp()
        self.warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        self.account.stock_sync_enabled = True
        self.stock_list = self.env["omnitron.stock.list"].create(
            {
                "name": "Web shop",
                "account_id": self.account.id,
                "stock_list_pk": STOCK_LIST_PK,
                "warehouse_ids": [(6, 0, self.warehouse.ids)],
            }
        )
        self.mug = self.product("MUG-1", on_hand=10)
        self.env.cr.flush()  # the set-up's changes are written (as at a commit), then forgotten
        self.env.cr.execute("DELETE FROM omnitron_stock_change")
        # The account's ceiling counts on its own connection, outside the test's transaction.
        reset_rate_counters(self.env.cr.dbname)
        self.addCleanup(reset_rate_counters, self.env.cr.dbname)

    def product(self, sku, on_hand=0, **values):
        product = self.env["product.product"].create(
            {"name": sku, "default_code": sku, "is_storable": True, "type": "consu", **values}
        )
        if on_hand:
            self.env["stock.quant"]._update_available_quantity(product, self.warehouse.lot_stock_id, on_hand)
        return product

    def drain(self, full=False):
        sync = self.env["omnitron.stock.sync"].with_context(job_uuid=None)
        return sync._drain(self.stock_list.id, full)

    def writes(self):
        return [call.body for call in self.api.calls_to("/api/i1/product_stock/", method="POST", ok_only=True)]

    def deliver(self, product, quantity, validate=True):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.out_type_id.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                "move_ids": [
                    (
                        0,
                        0,
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": quantity,
                            "product_uom": product.uom_id.id,
                            "location_id": self.warehouse.lot_stock_id.id,
                            "location_dest_id": self.env.ref("stock.stock_location_customers").id,
                        },
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        if validate:
            for move in picking.move_ids:
                move.quantity = move.product_uom_qty
            picking.move_ids.picked = True
            picking._action_done()
        return picking


class OmnitronHttpCase(OmnitronFixtures, HttpCase):
    """The HTTP contract: real requests to the route."""

    def setUp(self):
        super().setUp()
        reset_rate_counters(self.env.cr.dbname)

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

    def assert_ignored(self, response, reason, *words):
        """``response`` is a 202 for ``reason`` whose detail names each of ``words``."""
        self.assertEqual(response.status_code, 202, response.text)
        body = response.json()
        self.assertEqual(body["reason"], reason)
        for word in words:
            self.assertIn(word, body["detail"])
        return body


def reset_rate_counters(dbname):
    """Empty the rate counters, which live outside the test's transaction."""
    with odoo.sql_db.db_connect(dbname).cursor() as cursor:
        cursor.execute("DELETE FROM omnitron_rate_counter")


def load_migration(version, script):
    """A migration script of the addon by file path (its folder's name is not a Python identifier)."""
    path = pathlib.Path(__file__).parents[1] / "migrations" / version / script
    spec = importlib.util.spec_from_file_location(f"omnitron_migration_{version}_{path.stem}".replace(".", "_"), path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
