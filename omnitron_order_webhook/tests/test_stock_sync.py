"""Stock to Omnitron: what the stock lists' warehouses can sell reaches Omnitron's product stocks, changes
only, over real HTTP to the contract double."""

import threading
import time

from odoo import fields
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import STOCK_LIST_PK, OmnitronHttpCase, OmnitronStockCase, item, reset_rate_counters
from .omnitron_api_double import OmnitronApiDouble


@tagged("post_install", "-at_install")
class TestStockSync(OmnitronStockCase):
    def test_a_full_push_sends_each_products_sellable_units_to_its_stock_list(self):
        self.drain(full=True)
        self.assertIn(
            {"product_sku": "MUG-1", "stock": 10, "stock_list": STOCK_LIST_PK, "unit_type": "qty"}, self.writes()
        )
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 10)
        state = self.stock_list.state_ids.filtered(lambda state: state.product_id == self.mug)
        self.assertEqual((state.sent_qty, state.state), (10, "synced"))

    def test_a_validated_delivery_marks_its_product_and_the_drain_writes_it_once(self):
        self.drain(full=True)
        self.api.reset()
        with trap_jobs() as trap:
            self.deliver(self.mug, 3)
            # The lists selling from the warehouse drain soon, once (debounced, merged).
            drains = [job for job in trap.enqueued_jobs if job.method_name == "_drain"]
            self.assertEqual(len(drains), 1)
        self.env.cr.flush()  # what the delivery's commit does first: its marks are written by one INSERT
        self.env.cr.execute("SELECT product_id FROM omnitron_stock_change")
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, {self.mug.id})
        self.drain()
        self.assertEqual(
            self.writes(), [{"product_sku": "MUG-1", "stock": 7, "stock_list": STOCK_LIST_PK, "unit_type": "qty"}]
        )
        self.env.cr.execute("SELECT count(*) FROM omnitron_stock_change")
        self.assertEqual(self.env.cr.fetchone()[0], 0, "the marks read are gone")
        # Nothing changed since: nothing is sent again, even by a full count.
        self.api.reset()
        self.drain(full=True)
        self.assertEqual(self.writes(), [])

    def test_reserved_and_confirmed_demand_is_not_for_sale(self):
        self.drain(full=True)
        self.api.reset()
        # Reserved (assigned, not shipped): free stock drops.
        self.deliver(self.mug, 4, validate=False)
        # Confirmed beyond what is there (unreserved demand): on hand less outgoing drops too.
        self.deliver(self.mug, 8, validate=False)
        self.drain()
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 0, "10 on hand, 12 to deliver: nothing to sell")

    def test_a_sku_omnitron_does_not_know_is_not_in_omnitron_and_not_sent_again(self):
        bowl = self.product("BOWL-1", on_hand=2)
        self.api.unknown_skus.add("BOWL-1")
        self.drain(full=True)
        state = self.stock_list.state_ids.filtered(lambda state: state.product_id == bowl)
        self.assertEqual((state.state, state.sku), ("not_in_omnitron", "BOWL-1"))
        self.assertEqual(self.stock_list.not_in_omnitron_count, 1)
        self.api.reset()
        self.drain(full=True)
        self.assertEqual([body["product_sku"] for body in self.writes()], [])
        self.assertFalse(self.api.calls_to("/api/i1/product_stock/", method="POST"), "not even tried")
        # A new SKU on the product is tried again.
        bowl.default_code = "BOWL-2"
        self.drain(full=True)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK).get("BOWL-2"), 2)

    def follow_ups(self):
        """The drains waiting to run, ``[(identity key, seconds from now)]``."""
        jobs = self.env["queue.job"].search([("method_name", "=", "_drain"), ("state", "=", "pending")])
        now = fields.Datetime.now()
        return [(job.identity_key, int((job.eta - now).total_seconds()) if job.eta else 0) for job in jobs]

    def test_omnitron_rate_limiting_stops_the_drain_keeps_what_was_sent_and_asks_for_the_rest_after_retry_after(self):
        self.product("BOWL-9", on_hand=4)
        self.deliver(self.mug, 1)
        self.api.reset()
        self.env["queue.job"].search([("method_name", "=", "_drain")]).unlink()
        self.api.rate_limit_next(retry_after=2)
        result = self.drain()  # the job ends: what it did is committed with it
        self.assertIn("The rest follows in 3 s", result)
        self.assertEqual(len(self.writes()), 0)
        self.assertEqual([key for key, _eta in self.follow_ups()], ["omnitron_stock_drain:marks"])
        self.assertTrue(all(1 <= eta <= 3 for _key, eta in self.follow_ups()), self.follow_ups())
        self.env.cr.flush()
        self.env.cr.execute("SELECT count(DISTINCT product_id) FROM omnitron_stock_change")
        self.assertEqual(self.env.cr.fetchone()[0], 2, "the changes are still to send")
        time.sleep(2)
        self.drain()
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 9)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["BOWL-9"], 4)

    def test_a_transactions_changes_are_written_by_one_statement_when_it_commits(self):
        sync = self.env["omnitron.stock.sync"]
        products = [self.product(f"LOG-{index}") for index in range(20)]
        sync._mark([(self.mug.id, self.warehouse.id)])  # whether a list is sent: read once, then cached
        self.env.cr.flush()
        self.env.cr.execute("DELETE FROM omnitron_stock_change")
        before = self.env.cr.sql_log_count
        for product in products:
            sync._mark([(product.id, self.warehouse.id)])
        self.assertEqual(self.env.cr.sql_log_count - before, 0, "nothing is written while the transaction goes on")
        self.env.cr.flush()  # what its commit does first
        self.assertEqual(self.env.cr.sql_log_count - before, 1, "one INSERT for all of them")
        self.env.cr.execute("SELECT product_id FROM omnitron_stock_change")
        self.assertEqual(sorted(row[0] for row in self.env.cr.fetchall()), sorted(p.id for p in products))

    def test_a_drains_statements_do_not_grow_with_the_number_of_changed_products(self):
        self.account.stock_requests_per_minute = 100_000  # the ceiling is counted (in blocks), never reached
        products = [self.product(f"MANY-{index}", on_hand=index + 1) for index in range(240)]
        self.drain(full=True)
        statements = {}
        for count in (40, 240):
            for product in products[:count]:
                self.env["stock.quant"]._update_available_quantity(product, self.warehouse.lot_stock_id, 1)
            self.api.reset()
            thread = threading.current_thread()
            # Odoo's per-thread counter: every cursor of this thread, the rate counter's own included.
            thread.query_count, thread.query_time = 0, 0
            self.drain()
            statements[count] = thread.query_count
            del thread.query_count, thread.query_time
            self.assertEqual(len(self.writes()), count)
        per_product = (statements[240] - statements[40]) / 200
        self.assertLessEqual(per_product, 0.1, statements)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MANY-239"], 241)

    def test_over_the_accounts_ceiling_the_drain_keeps_what_it_sent_and_the_rest_follows_next_minute(self):
        self.account.stock_requests_per_minute = 2
        self.product("CEIL-1", on_hand=1)
        self.product("CEIL-2", on_hand=2)
        self.env["queue.job"].search([("method_name", "=", "_drain")]).unlink()
        result = self.drain(full=True)
        self.assertEqual(len(self.writes()), 2, "two writes this minute, no more")
        self.assertIn("The rest follows in", result)
        [(key, eta)] = self.follow_ups()
        self.assertEqual(key, f"omnitron_stock_drain:{self.stock_list.id}:full")
        self.assertTrue(1 <= eta <= 61, eta)
        sent = self.stock_list.state_ids.filtered(lambda state: state.state == "synced")
        self.assertEqual(len(sent), 2, "what reached Omnitron is kept: the next minute sends the rest, not these")
        reset_rate_counters(self.env.cr.dbname)  # the next minute
        self.api.reset()
        self.drain(full=True)
        self.assertEqual(len(self.writes()), 1)

    def test_a_429_one_drain_met_holds_the_accounts_other_stock_jobs_until_its_retry_after(self):
        self.deliver(self.mug, 1)
        self.api.rate_limit_next(retry_after=2)
        self.drain(full=True)
        result = self.drain()
        self.assertIn("Omnitron asked to wait", result)
        self.assertEqual(len(self.api.calls_to("/api/i1/product_stock/", method="POST")), 1, "Omnitron was not called")
        with self.assertRaises(RetryableJobError) as caught, self.env.cr.savepoint():
            self.env["omnitron.stock.sync"].with_context(job_uuid=None)._reconcile(self.stock_list.id)
        self.assertTrue(caught.exception.ignore_retry, "waiting for Omnitron is no failed try")
        self.assertFalse(self.api.calls_to("/api/i1/product_stock/", method="GET"), "nor read while it waits")
        time.sleep(2)
        self.drain()
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 9)

    def test_a_throttle_outlasting_many_retry_afters_never_fails_the_drain(self):
        self.deliver(self.mug, 1)
        self.api.throttle_for(60, retry_after=1)
        self.env["queue.job"].search([("method_name", "=", "_drain")]).unlink()
        job = Job.load(self.env, self.env["omnitron.stock.sync"]._enqueue_drain().uuid)
        job.set_started()  # as the runner does: a started job is no pending twin of its follow-up
        job.store()
        for _try in range(job.max_retries + 2):
            job.perform()  # each try ends (no failed try) and asks for the next after the Retry-After
            follow_up = self.env["queue.job"].search(
                [("method_name", "=", "_drain"), ("state", "=", "pending"), ("uuid", "!=", job.uuid)]
            )
            self.assertEqual(len(follow_up), 1)
            job = Job.load(self.env, follow_up.uuid)
            job.set_started()
            job.store()
            time.sleep(1.05)  # the Retry-After: each try meets Omnitron's 429 itself
        self.assertEqual(len(self.api.calls_to("/api/i1/product_stock/", method="POST")), job.max_retries + 2)
        self.api.throttle_for(0)
        time.sleep(1.05)
        job.perform()
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 9)

    def test_a_5xx_counts_as_a_failed_try_of_the_drain(self):
        self.deliver(self.mug, 1)
        self.api.fail_for(60, status=503)
        job = Job.load(self.env, self.env["omnitron.stock.sync"]._enqueue_drain(self.stock_list).uuid)
        with self.assertRaises(RetryableJobError) as caught, self.env.cr.savepoint():
            job.perform()
        self.assertEqual((caught.exception.seconds, job.retry), (60, 1))

    def test_excluded_products_services_and_products_without_a_sku_are_never_sent(self):
        self.product("NOSYNC", on_hand=5).omnitron_stock_excluded = True
        self.env["product.product"].create({"name": "Gift wrap", "default_code": "WRAP", "type": "service"})
        no_sku = self.product("tmp", on_hand=5)
        no_sku.default_code = False
        self.drain(full=True)
        self.assertEqual({body["product_sku"] for body in self.writes()}, {"MUG-1"})

    def test_a_product_that_leaves_the_list_is_sent_zero_once(self):
        self.drain(full=True)
        self.mug.product_tmpl_id.omnitron_stock_excluded = True
        self.api.reset()
        self.drain(full=True)
        self.assertEqual(
            self.writes(), [{"product_sku": "MUG-1", "stock": 0, "stock_list": STOCK_LIST_PK, "unit_type": "qty"}]
        )
        self.api.reset()
        self.drain(full=True)
        self.assertEqual(self.writes(), [], "once")

    def test_a_stock_list_sells_only_its_companys_warehouses(self):
        other = self.env["res.company"].create({"name": "Other Brand"})
        foreign = self.env["stock.warehouse"].search([("company_id", "=", other.id)], limit=1)
        refused = f"Warehouses: {foreign.name} belongs to Other Brand"
        with self.assertRaisesRegex(ValidationError, refused), self.env.cr.savepoint():
            self.stock_list.warehouse_ids = [(4, foreign.id)]
        with self.assertRaisesRegex(ValidationError, "Omnitron Stock List ID: 0 is no id"), self.env.cr.savepoint():
            self.stock_list.stock_list_pk = 0

    def test_another_warehouses_goods_are_not_counted(self):
        second = self.env["stock.warehouse"].create({"name": "Second", "code": "WH2", "company_id": self.company.id})
        self.env["stock.quant"]._update_available_quantity(self.mug, second.lot_stock_id, 50)
        self.drain(full=True)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 10)

    def test_two_lists_selling_from_one_warehouse_both_get_its_change(self):
        marketplace = self.env["omnitron.stock.list"].create(
            {
                "name": "Marketplaces",
                "account_id": self.account.id,
                "stock_list_pk": STOCK_LIST_PK + 1,
                "warehouse_ids": [(6, 0, self.warehouse.ids)],
            }
        )
        self.drain(full=True)
        self.env["omnitron.stock.sync"].with_context(job_uuid=None)._drain(marketplace.id, True)
        self.api.reset()
        self.deliver(self.mug, 2)
        self.drain()
        self.assertEqual(
            sorted((body["stock_list"], body["stock"]) for body in self.writes()),
            [(STOCK_LIST_PK, 8), (STOCK_LIST_PK + 1, 8)],
            "one list's drain never takes the other's change",
        )

    def test_changes_of_a_warehouse_no_list_sells_from_do_not_pile_up(self):
        second = self.env["stock.warehouse"].create({"name": "Second", "code": "WH2", "company_id": self.company.id})
        self.env["stock.quant"]._update_available_quantity(self.mug, second.lot_stock_id, 5)
        self.drain()
        self.env.cr.execute("SELECT count(*) FROM omnitron_stock_change")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertEqual(self.writes(), [], "nothing this list sells changed")

    def test_nothing_is_marked_while_no_stock_list_is_sent(self):
        self.account.stock_sync_enabled = False
        self.deliver(self.mug, 1)
        self.env.cr.flush()  # as the delivery's commit would
        self.env.cr.execute("SELECT count(*) FROM omnitron_stock_change")
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_switching_stock_on_sends_each_list_in_full_at_once(self):
        self.account.stock_sync_enabled = False
        with trap_jobs() as trap:
            self.account.stock_sync_enabled = True
            self.assertEqual(
                [job.args for job in trap.enqueued_jobs if job.method_name == "_drain"], [(self.stock_list.id, True)]
            )

    # --- Omnitron's reservation of imported orders ---

    def test_an_imported_orders_items_are_released_once_after_a_push_holding_their_product(self):
        self.product("REL-1", on_hand=5)
        self.assertEqual(self.receive(self.order("ST-REL", [item(8801, "REL-1", "100.00")])).status, 204)
        order = self.omnitron_orders("ST-REL")
        line = order.order_line.filtered("omnitron_item_pk")
        self.assertEqual((order.state, line.product_id.default_code), ("sale", "REL-1"))
        self.assertFalse(self.api.mappings(), "nothing is released before Omnitron has Odoo's number")
        self.drain()
        # The order's unit is reserved in Odoo: Omnitron gets 4, then may drop its own reservation.
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["REL-1"], 4)
        self.assertEqual(self.api.mappings(), {8801: str(line.id)})
        self.assertTrue(line.omnitron_reservation_released)
        self.drain(full=True)
        self.assertEqual(len(self.api.calls_to("/create_mapping/", method="POST")), 1, "released once")

    def test_an_item_omnitron_has_mapped_already_counts_as_released(self):
        self.product("REL-2", on_hand=5)
        self.receive(self.order("ST-REL2", [item(8802, "REL-2", "100.00")]))
        line = self.omnitron_orders("ST-REL2").order_line.filtered("omnitron_item_pk")
        self.drain()
        line.omnitron_reservation_released = False  # as if Odoo had not recorded it
        self.drain(full=True)
        self.assertEqual([call.status for call in self.api.calls_to("/create_mapping/", method="POST")], [201, 400])
        self.assertTrue(line.omnitron_reservation_released)

    def test_a_line_whose_product_waits_to_be_sent_is_not_released(self):
        self.product("REL-3", on_hand=5)
        self.receive(self.order("ST-REL3", [item(8803, "REL-3", "100.00")]))
        self.api.unknown_skus.add("REL-3")
        self.drain()
        self.assertFalse(self.api.mappings(), "Omnitron does not have Odoo's number for it")

    # --- What Omnitron holds ---

    def test_the_comparison_shows_both_numbers_per_sku_and_writes_nothing(self):
        self.api.set_stock(STOCK_LIST_PK, "MUG-1", 12, sold_quantity_unreported=2)
        self.api.set_stock(STOCK_LIST_PK, "GHOST-1", 5)
        action = self.stock_list.with_user(self.manager).action_compare()
        comparison = self.env["omnitron.stock.comparison"].browse(action["res_id"])
        lines = {line.sku: line for line in comparison.line_ids}
        self.assertEqual(
            (lines["MUG-1"].odoo_stock, lines["MUG-1"].omnitron_stock, lines["MUG-1"].sold_quantity_unreported),
            (10, 12, 2),
        )
        self.assertEqual((lines["GHOST-1"].in_odoo, lines["GHOST-1"].omnitron_stock), (False, 5))
        self.assertEqual(comparison.differing_count, 2)
        self.assertFalse(self.api.calls_to("/api/i1/product_stock/", method="POST"), "read only")

    def test_the_daily_comparison_sends_again_what_omnitron_holds_differently(self):
        self.drain(full=True)
        self.api.set_stock(STOCK_LIST_PK, "MUG-1", 15)  # typed in Omnitron, or a write lost
        result = self.env["omnitron.stock.sync"]._reconcile(self.stock_list.id)
        self.assertIn("1 differed", result)
        self.assertEqual(self.api.stocks(STOCK_LIST_PK)["MUG-1"], 10)

    def test_an_answer_that_is_no_page_is_recorded_never_taken_as_nothing_to_change(self):
        self.drain(full=True)
        self.api.fail_next(1, status=200, body=["not", "a", "page"], path="/api/i1/product_stock/")
        result = self.env["omnitron.stock.sync"]._reconcile(self.stock_list.id)
        self.assertIn("Not compared", result)
        self.assertIn("no page of results", self.stock_list.comparison_error)

    # --- Seen, not assumed ---

    def test_changes_waiting_longer_than_15_minutes_put_a_banner_and_one_activity_on_the_account(self):
        self.company.omnitron_administrator_user_id = self.manager
        self.deliver(self.mug, 1)
        self.assertFalse(self.account.stock_stale_note)
        self.env.cr.execute("UPDATE omnitron_stock_change SET changed_at = changed_at - interval '20 minutes'")
        self.account.invalidate_recordset(["stock_stale_note"])
        self.assertIn("waited 20 minutes to reach Omnitron", self.account.stock_stale_note)
        with trap_jobs():
            self.env["omnitron.stock.sync"]._cron_drain()
            self.env["omnitron.stock.sync"]._cron_drain()
        activity = self.account.activity_ids
        self.assertEqual((len(activity), activity.user_id), (1, self.manager), "one, for its administrator")
        self.drain()
        with trap_jobs():
            self.env["omnitron.stock.sync"]._cron_drain()
        self.account.invalidate_recordset(["stock_stale_note", "activity_ids"])
        self.assertFalse(self.account.stock_stale_note)
        self.assertFalse(self.account.activity_ids, "done once Omnitron caught up")


@tagged("post_install", "-at_install")
class TestStockComparisonTour(OmnitronHttpCase):
    def test_the_administrator_reads_both_numbers_then_sends_odoos(self):
        api = OmnitronApiDouble(username="odoo-erp", password="s3cret-Stock").start()
        self.addCleanup(api.stop)
        self.env["ir.config_parameter"].set_param("omnitron_order_webhook.sandbox_api_urls", "true")
        self.account.write(
            {
                "api_url": api.url,
                "api_username": "odoo-erp",
                "api_password": "s3cret-Stock",
                "stock_sync_enabled": True,
            }
        )
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.env.company.id)], limit=1)
        stock_list = self.env["omnitron.stock.list"].create(
            {
                "name": "Web shop",
                "account_id": self.account.id,
                "stock_list_pk": STOCK_LIST_PK,
                "warehouse_ids": warehouse.ids,
            }
        )
        mug = self.env["product.product"].create(
            {"name": "Mug", "default_code": "MUG-1", "is_storable": True, "type": "consu"}
        )
        self.env["stock.quant"]._update_available_quantity(mug, warehouse.lot_stock_id, 10)
        api.set_stock(STOCK_LIST_PK, "MUG-1", 15, sold_quantity_unreported=2)
        api.set_stock(STOCK_LIST_PK, "GHOST-1", 5)
        self.start_tour(
            f"/odoo/action-omnitron_order_webhook.omnitron_account_action/{self.account.id}",
            "omnitron_stock_comparison_tour",
            login="admin",
            timeout=120,
        )
        self.assertFalse(api.calls_to("/api/i1/product_stock/", method="POST"), "nothing written before the button")
        job = self.env["queue.job"].search([("method_name", "=", "_drain")], order="id desc", limit=1)
        self.assertTrue(job, "the button queued the push of the differences")
        Job.load(self.env, job.uuid).perform()
        self.assertEqual(api.stocks(STOCK_LIST_PK)["MUG-1"], 10)
        self.assertEqual(stock_list.state_ids.filtered(lambda state: state.product_id == mug).sent_qty, 10)


@tagged("post_install", "-at_install")
class TestStockSyncKeepsItsConnection(OmnitronStockCase):
    """Against an Omnitron that keeps connections open (HTTP/1.1), as one behind a load balancer does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kept = OmnitronApiDouble(username="odoo-erp", password=cls.API_PASSWORD, keep_alive=True).start()
        cls.addClassCleanup(cls.kept.stop)

    def setUp(self):
        super().setUp()
        self.kept.reset()
        self.kept.expire_keys()
        self.connect(self.account, self.kept)

    def test_a_push_makes_its_writes_on_one_kept_connection(self):
        for index in range(5):
            self.product(f"KEPT-{index}", on_hand=index + 1)
        self.drain(full=True)
        writes = self.kept.calls_to("/api/i1/product_stock/", method="POST", ok_only=True)
        self.assertEqual(len(writes), 6, "the mug and five products")
        self.assertEqual(self.kept.connections("/api/i1/product_stock/"), 1, "one handshake, not one per write")
