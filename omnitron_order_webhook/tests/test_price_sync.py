"""Prices to Omnitron (opt-in): each product's price on an Odoo pricelist, taxes included, reaches
Omnitron's price list, changes only, over real HTTP to the contract double."""

from psycopg2 import IntegrityError

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import OmnitronApiCase

PRICE_LIST_PK = 17


@tagged("post_install", "-at_install")
class TestPriceSync(OmnitronApiCase):
    def setUp(self):
        super().setUp()
        self.kdv20 = (
            self.env["account.tax"]
            .search(
                [
                    ("company_id", "=", self.company.id),
                    ("type_tax_use", "=", "sale"),
                    ("amount_type", "=", "percent"),
                    ("amount", "=", 20),
                ]
            )
            .filtered(lambda tax: not tax.price_include)[:1]
        )
        self.assertTrue(self.kdv20, "l10n_tr's KDV %20 on sales")
        self.pricelist = self.env["product.pricelist"].create(
            {"name": "Web TRY", "currency_id": self.company.currency_id.id, "company_id": self.company.id}
        )
        self.account.price_sync_enabled = True
        self.price_list = self.env["omnitron.price.list"].create(
            {
                "name": "Web prices",
                "account_id": self.account.id,
                "price_list_pk": PRICE_LIST_PK,
                "pricelist_id": self.pricelist.id,
            }
        )
        self.mug = self.product("MUG-1", 100.0)
        self.env.cr.execute("DELETE FROM omnitron_price_change")

    def product(self, sku, list_price, **values):
        return self.env["product.product"].create(
            {
                "name": sku,
                "default_code": sku,
                "type": "consu",
                "list_price": list_price,
                "taxes_id": [(6, 0, self.kdv20.ids)],
                **values,
            }
        )

    def drain(self, full=False):
        sync = self.env["omnitron.price.sync"].with_context(job_uuid=None)
        return sync._drain(self.price_list.id if full else None, full)

    def writes(self):
        return [call.body for call in self.api.calls_to("/api/i1/product_price/", method="POST", ok_only=True)]

    def rule(self, **values):
        return self.env["product.pricelist.item"].create(
            {"pricelist_id": self.pricelist.id, "applied_on": "3_global", "compute_price": "percentage", **values}
        )

    def test_a_full_push_sends_the_price_of_one_unit_tax_included_and_the_list_price_struck_through(self):
        self.rule(percent_price=10)
        self.drain(full=True)
        self.assertIn(
            {
                "product_sku": "MUG-1",
                "price_list": PRICE_LIST_PK,
                "price": "108.00",  # 100 less 10 %, KDV %20 added
                "retail_price": "120.00",  # the list price, KDV added: struck through
                "tax_rate": "20.00",
                "currency_type": "try",
            },
            self.writes(),
        )
        state = self.price_list.state_ids.filtered(lambda state: state.product_id == self.mug)
        self.assertEqual((state.sent_price, state.sent_retail_price, state.state), ("108.00", "120.00", "synced"))

    def test_without_a_discount_nothing_is_struck_through(self):
        self.drain(full=True)
        self.assertEqual(self.api.prices(PRICE_LIST_PK)["MUG-1"], ("120.00", None, "20.00", "try"))

    def test_a_list_price_change_sends_one_write_and_an_unchanged_price_none(self):
        self.drain(full=True)
        self.api.reset()
        with trap_jobs() as trap:
            self.mug.list_price = 150
            drains = [job for job in trap.enqueued_jobs if job.method_name == "_drain"]
            self.assertEqual(len(drains), 1, "one drain, debounced, whatever the number of changes")
        self.drain()
        self.assertEqual([(body["product_sku"], body["price"]) for body in self.writes()], [("MUG-1", "180.00")])
        self.env.cr.execute("SELECT count(*) FROM omnitron_price_change")
        self.assertEqual(self.env.cr.fetchone()[0], 0, "the changes read are gone")
        self.api.reset()
        self.mug.name = "Mug, renamed"  # no price field: nothing logged
        self.mug.list_price = 150  # written again, same value
        self.drain(full=True)
        self.assertEqual(self.writes(), [])

    def test_a_pricelist_rule_recounts_the_list_and_sends_only_the_prices_it_changed(self):
        bowl = self.product("BOWL-1", 50.0)
        self.drain(full=True)
        self.api.reset()
        with trap_jobs() as trap:
            self.rule(applied_on="0_product_variant", product_id=bowl.id, percent_price=20)
            full = [job for job in trap.enqueued_jobs if job.method_name == "_drain" and job.args[1]]
            self.assertEqual(len(full), 1, "the list priced from the pricelist is recounted")
        self.drain(full=True)
        self.assertEqual(
            [(body["product_sku"], body["price"], body["retail_price"]) for body in self.writes()],
            [("BOWL-1", "48.00", "60.00")],
        )

    def test_a_rule_whose_dates_begin_with_no_write_is_sent_by_the_nightly_comparison(self):
        starts = self.rule(percent_price=50, date_start="2099-01-01 00:00:00")
        self.drain(full=True)
        self.assertEqual(self.api.prices(PRICE_LIST_PK)["MUG-1"][0], "120.00", "the sale has not begun")
        self.api.reset()
        # The date comes: nothing in Odoo is written.
        self.env.cr.execute("UPDATE product_pricelist_item SET date_start = '2020-01-01' WHERE id = %s", [starts.id])
        self.env.invalidate_all()
        self.env["omnitron.price.sync"].with_context(job_uuid=None)._reconcile(self.price_list.id)
        self.assertEqual(self.api.prices(PRICE_LIST_PK)["MUG-1"][:2], ("60.00", "120.00"))

    def test_the_nightly_comparison_sends_again_what_omnitron_holds_differently(self):
        self.drain(full=True)
        self.api.set_price(PRICE_LIST_PK, "MUG-1", "99.00")  # typed in Omnitron
        result = self.env["omnitron.price.sync"].with_context(job_uuid=None)._reconcile(self.price_list.id)
        self.assertIn("1 differed", result)
        self.assertEqual(self.api.prices(PRICE_LIST_PK)["MUG-1"][0], "120.00")

    def test_an_answer_that_is_no_page_is_recorded_never_nothing_to_change(self):
        self.drain(full=True)
        self.api.fail_next(1, status=200, body=["not", "a", "page"], path="/api/i1/product_price/")
        self.mug.list_price = 110  # a price to send all the same: the recount still runs
        result = self.env["omnitron.price.sync"].with_context(job_uuid=None)._reconcile(self.price_list.id)
        self.assertIn("Not compared", result)
        self.assertIn("no page of results", self.price_list.comparison_error)
        self.assertEqual(self.api.prices(PRICE_LIST_PK)["MUG-1"][0], "132.00")

    def test_a_sku_omnitron_does_not_know_is_not_in_omnitron_and_not_sent_again(self):
        bowl = self.product("BOWL-1", 10.0)
        self.api.unknown_skus.add("BOWL-1")
        self.drain(full=True)
        state = self.price_list.state_ids.filtered(lambda state: state.product_id == bowl)
        self.assertEqual((state.state, state.sku), ("not_in_omnitron", "BOWL-1"))
        self.assertEqual(self.price_list.not_in_omnitron_count, 1)
        self.api.reset()
        self.drain(full=True)
        self.assertFalse(self.api.calls_to("/api/i1/product_price/", method="POST"), "not even tried")

    def test_changes_are_not_logged_while_no_price_list_is_sent(self):
        self.account.price_sync_enabled = False
        self.mug.list_price = 130
        self.env.cr.execute("SELECT count(*) FROM omnitron_price_change")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        with trap_jobs() as trap:
            self.account.price_sync_enabled = True
            self.assertEqual(
                [job.args for job in trap.enqueued_jobs if job.method_name == "_drain"],
                [(self.price_list.id, True)],
                "switched on: every price is sent once",
            )

    def test_a_price_list_without_a_pricelist_is_refused_naming_the_field(self):
        with self.assertRaisesRegex(IntegrityError, "pricelist_id"), mute_logger("odoo.sql_db"):
            self.env["omnitron.price.list"].create(
                {"name": "No pricelist", "account_id": self.account.id, "price_list_pk": 18}
            )

    def test_another_companys_pricelist_is_refused_naming_it(self):
        other = self.env["res.company"].create({"name": "Other Brand"})
        foreign = self.env["product.pricelist"].create({"name": "Other's prices", "company_id": other.id})
        with self.assertRaisesRegex(ValidationError, "Odoo Pricelist: Other's prices belongs to Other Brand"):
            self.price_list.pricelist_id = foreign

    def test_a_price_list_id_that_is_no_omnitron_id_is_refused_naming_it(self):
        with self.assertRaisesRegex(ValidationError, "Omnitron Price List ID: -3"):
            self.price_list.price_list_pk = -3

    def test_another_companys_products_are_never_priced(self):
        other = self.env["res.company"].create({"name": "Other Brand"})
        self.product("THEIRS-1", 10.0, company_id=other.id, taxes_id=[])
        self.drain(full=True)
        self.assertEqual(set(self.api.prices(PRICE_LIST_PK)), {"MUG-1"})

    def test_price_changes_waiting_longer_than_15_minutes_put_a_banner_and_one_activity_on_the_account(self):
        self.company.omnitron_administrator_user_id = self.manager
        self.mug.list_price = 140
        self.env.cr.execute("UPDATE omnitron_price_change SET changed_at = changed_at - interval '20 minutes'")
        self.account.invalidate_recordset(["stock_stale_note"])
        self.assertIn("Price changes have waited 20 minutes", self.account.stock_stale_note)
        with trap_jobs():
            self.env["omnitron.price.sync"]._cron_drain()
            self.env["omnitron.price.sync"]._cron_drain()
        self.assertEqual(len(self.account.activity_ids), 1)
        self.drain()
        with trap_jobs():
            self.env["omnitron.price.sync"]._cron_drain()
        self.account.invalidate_recordset(["stock_stale_note", "activity_ids"])
        self.assertFalse(self.account.activity_ids, "done once Omnitron caught up")

    def test_the_list_counts_the_changes_waiting_of_its_company_only(self):
        other = self.env["res.company"].create({"name": "Other Brand"})
        theirs = self.product("THEIRS-2", 10.0, company_id=other.id, taxes_id=[])
        self.mug.list_price = 101
        theirs.list_price = 11
        self.price_list.invalidate_recordset(["rows_waiting"])
        self.assertEqual(self.price_list.rows_waiting, 1)
