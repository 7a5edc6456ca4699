"""The catch-up pull: what Omnitron lists as not taken by an ERP is imported once, through the webhook's reception."""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import fields
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.tests import tagged

from ..core import catch_up
from .common import OmnitronApiCase, item, load_migration

DETAIL = "/api/i1/orders_integration/"
LIST = "/api/i1/orders/"
ITEMS = "/api/i1/order_item/detailed_integration/"


@tagged("post_install", "-at_install")
class TestCatchUpPull(OmnitronApiCase):
    def setUp(self):
        super().setUp()
        self.connect(self.account, self.api, catch_up_enabled=True)

    def omnitron_has(self, count, first=5000, **changes):
        """``count`` orders in the double, not yet taken by an ERP (pk ``first``…)."""
        for index in range(count):
            pk = first + index
            body = self.order(f"P-{pk}", [item(pk * 10, f"P-{pk}", "10.00")], **changes)
            body["payload"]["pk"] = pk
            self.api.add_order(body["payload"])

    def pull(self):
        """One pull, as the job runs it; then the mark-sent jobs it stored run, as the runner would."""
        result = self.env["omnitron.catch.up"]._pull(self.account)
        for record in self.env["queue.job"].search([("state", "=", "pending"), ("omnitron_order_id", "!=", False)]):
            job = Job.load(self.env, record.uuid)
            job.perform()
            job.set_done()
            job.store()
        return result

    def pulled_events(self):
        return self.env["omnitron.webhook.event"].search([("source", "=", "pull")])

    def test_every_listed_order_is_imported_once_and_marked_sent(self):
        self.omnitron_has(60)
        result = self.pull()
        self.assertEqual(result, "listed 60, imported 60, already there 0, refused 0, failed 0")
        orders = self.env["sale.order"].search([("omnitron_pk", ">=", 5000)])
        self.assertEqual(len(orders), 60)
        self.assertEqual(orders.omnitron_account_id, self.account)
        self.assertEqual(self.api.count_calls("PATCH", r"/api/v1/orders/\d+/", ok_only=True), 60)
        # At 400 two pages of 50, then the first again, in case orders marked sent meanwhile moved
        # others onto it; one page of each other status pulled.
        statuses = catch_up.parse_statuses(catch_up.DEFAULT_STATUSES)
        self.assertEqual(self.api.count_calls("GET", LIST, ok_only=True), 3 + len(statuses) - 1)
        self.assertEqual(set(self.pulled_events().mapped("state")), {"done"})
        self.assertEqual(self.account.catch_up_last_result, result)
        self.assertFalse(self.account.catch_up_last_error)
        # Marked sent: the next run finds nothing left to take.
        self.assertEqual(self.pull(), "listed 0, imported 0, already there 0, refused 0, failed 0")

    def test_an_order_marked_sent_after_its_page_was_read_is_not_told_twice(self):
        self.omnitron_has(1, first=6400)
        self.pull()
        order = self.env["sale.order"].search([("omnitron_pk", "=", 6400)])
        # Listed unsent again (Omnitron's list lagging), read a moment before the call was done.
        self.api.add_order(self.api.order(6400), is_send=False)
        job = order.omnitron_job_ids.filtered(lambda job: job.args[0] == "mark_sent")
        job.date_done = fields.Datetime.now()
        with trap_jobs() as trap:
            flow = self.env["omnitron.catch.up"]
            flow._mark_sent_again(order, listed_at=job.date_done)
            trap.assert_jobs_count(0)
            flow._mark_sent_again(order, listed_at=job.date_done + timedelta(minutes=1))
            trap.assert_jobs_count(1)

    def test_an_order_the_webhook_brought_is_no_second_order(self):
        self.omnitron_has(1, first=5100)
        with trap_jobs():  # the webhook's own is_send job has not run yet: Omnitron still lists it
            self.assertEqual(self.receive({**_envelope(), "payload": self.api.order(5100)}).status, 204)
        result = self.pull()
        self.assertIn("already there 1", result)
        self.assertEqual(len(self.env["sale.order"].search([("omnitron_pk", "=", 5100)])), 1)
        self.assertFalse(self.api.count_calls("GET", DETAIL + ".*"), "an imported order is not fetched again")
        self.assertEqual(self.api.count_calls("PATCH", r"/api/v1/orders/5100/", ok_only=True), 1)

    def test_a_refused_order_stays_listed_and_its_event_is_written_once_per_cause(self):
        self.omnitron_has(1, first=5200)
        self.set_params(create_missing_products="false")
        self.assertIn("refused 1", self.pull())
        self.assertIn("refused 1", self.pull(), "is_send stays false: listed again")
        [event] = self.pulled_events()
        self.assertEqual((event.reason, event.source, event.account_id), ("product_not_found", "pull", self.account))
        self.assertFalse(self.api.count_calls("PATCH", r"/api/v1/orders/5200/"))
        self.set_params(create_missing_products="true")
        self.assertIn("imported 1", self.pull(), "the cause fixed, the next run imports it")

    def test_a_detail_that_is_not_an_order_is_a_rejected_event_naming_its_paths_and_never_marked_sent(self):
        self.omnitron_has(1, first=5300)
        self.api.corrupt_detail(5300, {"pk": 5300, "number": 17})
        self.assertIn("refused 1", self.pull())
        [event] = self.pulled_events()
        self.assertEqual((event.http_status, event.state), (400, "rejected"))
        self.assertIn("payload.", event.detail)
        self.assertFalse(self.api.count_calls("PATCH", r"/api/v1/orders/5300/"))

    def test_a_failed_pull_is_said_on_the_account_once_per_streak_and_the_next_run_completes(self):
        self.omnitron_has(3, first=5400)
        messages = self.account.message_ids
        self.api.fail_next(2, status=503, path=LIST)
        result = self.pull()
        self.assertTrue(result.startswith("Failed: Omnitron failed"), result)
        self.assertIn("503", self.account.catch_up_last_error)
        self.assertTrue(self.account.catch_up_failing)
        self.pull()
        self.assertEqual(len(self.account.message_ids - messages), 1, "one note per failure streak")
        self.assertNotIn(PASSWORD_WORDS, self.account.catch_up_last_error)
        self.assertIn("imported 3", self.pull())
        self.assertFalse(self.account.catch_up_last_error)
        self.assertFalse(self.account.catch_up_failing)

    def test_the_last_result_reads_in_the_readers_language_with_its_numbers_formatted(self):
        self.omnitron_has(2, first=5470)
        self.pull()
        self.assertEqual(
            self.account.catch_up_result_shown, "listed 2, imported 2, already there 0, refused 0, failed 0"
        )
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        self.account.invalidate_recordset(["catch_up_result_shown"])
        self.assertEqual(
            self.account.with_context(lang="tr_TR").catch_up_result_shown,
            "listelenen 2, içe aktarılan 2, zaten var 0, reddedilen 0, başarısız 0",
        )
        self.account.sudo().catch_up_last_counts = {"listed": 1200, "imported": 1200, "skipped": 3, "more_left": True}
        self.assertEqual(
            self.account.with_context(lang="tr_TR").catch_up_result_shown,
            "listelenen 1.200, içe aktarılan 1.200, zaten var 0, reddedilen 0, başarısız 0; alınmayan 3; kalanı "
            "sonraki çalıştırmada",
        )

    def test_a_pull_failure_reads_in_the_readers_language(self):
        self.omnitron_has(1, first=5480)
        self.api.fail_next(2, status=503, path=LIST)
        self.pull()
        self.assertTrue(self.account.catch_up_error_shown.startswith("Omnitron failed (GET /api/i1/orders/"))
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        self.account.invalidate_recordset(["catch_up_error_shown"])
        shown = self.account.with_context(lang="tr_TR").catch_up_error_shown
        self.assertTrue(shown.startswith("Omnitron'da hata oluştu (GET /api/i1/orders/"), shown)
        self.assertIn("503", shown)
        self.assertNotIn(PASSWORD_WORDS, shown)

    def test_a_pull_the_server_killed_is_recorded_by_the_next_run(self):
        self.omnitron_has(1, first=5450)
        messages = self.account.message_ids
        # What a killed pull leaves: its mark, committed as it started, and nothing else.
        self.env["omnitron.catch.up"]._mark_started(self.account, datetime(2026, 12, 7, 8, 0, 0))
        self.assertIn("imported 1", self.pull())
        [note] = self.account.message_ids - messages
        self.assertIn("The pull started at 2026-12-07 08:00:00 UTC stopped before it could record anything", note.body)
        self.env.cr.execute("SELECT count(*) FROM omnitron_pull_mark WHERE account_id = %s", [self.account.id])
        self.assertEqual(self.env.cr.fetchone()[0], 0, "a pull that ends removes its mark")
        self.assertIn("imported 0", self.pull(), "the next run finds no dead pull")
        self.assertEqual(len(self.account.message_ids - messages), 1)

    def test_a_run_reads_at_most_its_page_budget_and_leaves_the_rest_for_the_next(self):
        self.omnitron_has(60, first=5500)
        with patch.object(catch_up, "MAX_PAGES", 1):
            self.assertEqual(
                self.pull(),
                "listed 50, imported 50, already there 0, refused 0, failed 0; more left for the next run",
            )
            self.assertIn("imported 10", self.pull())

    def test_orders_marked_sent_under_the_pull_never_hide_later_ones_from_its_run(self):
        self.omnitron_has(120, first=5700)
        catch_up_flow = type(self.env["omnitron.catch.up"])
        take = catch_up_flow._take

        def take_and_mark_sent_at_once(flow, account, client, settings, pk, tally, **kwargs):
            take(flow, account, client, settings, pk, tally, **kwargs)
            self.api.add_order(self.api.order(pk), is_send=True)  # as a fast is_send job would

        with patch.object(catch_up_flow, "_take", take_and_mark_sent_at_once):
            result = self.env["omnitron.catch.up"]._pull(self.account)
        # Page 2 of what is left skips the 50 that moved onto page 1, and page 3 is past
        # the list's new end: the run reads the list again from page 1 while it imports.
        self.assertEqual(result, "listed 120, imported 120, already there 0, refused 0, failed 0")
        self.assertFalse(self.account.catch_up_last_error)
        self.assertEqual(self.pull(), "listed 0, imported 0, already there 0, refused 0, failed 0")

    def test_the_upgrade_gives_the_new_default_statuses_to_accounts_at_the_old_one_only(self):
        chosen = self.account_of(self.env["res.company"].create({"name": "Chosen Ltd"}), catch_up_statuses="400, 500")
        self.account.catch_up_statuses = "400"
        self.env.flush_all()  # the upgrade reads the table
        load_migration("18.0.1.5.0", "post-catch_up_statuses.py").migrate(self.env.cr, "18.0.1.4.0")
        self.env.invalidate_all()
        self.assertEqual(self.account.catch_up_statuses, catch_up.DEFAULT_STATUSES)
        self.assertEqual(chosen.catch_up_statuses, "400, 500", "an administrator's choice is kept")

    def test_the_cron_queues_one_pull_per_due_account(self):
        with trap_jobs() as trap:
            self.env["omnitron.catch.up"]._cron_enqueue()
            self.env["omnitron.catch.up"]._cron_enqueue()
            trap.assert_jobs_count(1)  # its identity key: one waiting pull per account
        self.pull()
        with trap_jobs() as trap:
            self.env["omnitron.catch.up"]._cron_enqueue()
            trap.assert_jobs_count(0)  # its interval has not passed
            self.account.action_pull_now()
            trap.assert_jobs_count(1)

    def test_one_orders_detail_failing_for_now_does_not_stop_the_orders_behind_it(self):
        self.omnitron_has(4, first=6500)
        self.api.fail_next(10, status=503, path="/6500/detailed_integration/")
        self.assertEqual(self.pull(), "listed 4, imported 3, already there 0, refused 0, failed 1")
        self.assertFalse(self.account.catch_up_last_error)

    def test_details_failing_for_now_again_and_again_stop_the_run_and_say_so(self):
        self.omnitron_has(5, first=6600)
        self.api.fail_next(5, status=503, path="/detailed_integration/")
        self.assertTrue(self.pull().startswith("Failed: "))
        self.assertIn("503", self.account.catch_up_last_error)

    def test_refresh_never_makes_another_order_of_a_detail_naming_another_number(self):
        self.omnitron_has(1, first=6700)
        self.pull()
        order = self.env["sale.order"].search([("omnitron_pk", "=", 6700)])
        other = self.api.order(6700)
        other["number"] = "SOMEONE-ELSES"
        self.api.corrupt_detail(6700, other)
        order.action_omnitron_refresh()
        self.assertFalse(self.env["sale.order"].search([("omnitron_number", "=", "SOMEONE-ELSES")]))
        event = self.pulled_events().sorted("id")[-1]
        self.assertEqual(event.state, "rejected")
        self.assertIn("payload.number: names order 'SOMEONE-ELSES', not the refreshed 'P-6700'", event.detail)

    def test_refresh_from_omnitron_applies_a_missed_update(self):
        self.omnitron_has(1, first=5600)
        self.pull()
        order = self.env["sale.order"].search([("omnitron_pk", "=", 5600)])
        changed = self.api.order(5600)
        changed["status"] = "100"
        for line in changed["orderitem_set"]:
            line["status"] = "100"
        self.api.add_order(changed, is_send=True)
        notification = order.action_omnitron_refresh()
        self.assertEqual(notification["params"]["type"], "success", notification["params"]["message"])
        self.assertEqual(order.omnitron_status, "100")
        self.assertEqual(order.state, "cancel")
        self.assertEqual(self.pulled_events().sorted("id")[-1].state, "updated")

    def test_orders_unsent_at_any_status_from_approved_on_are_pulled_and_cancelled_ones_are_not(self):
        self.omnitron_has(1, first=5800)
        self.omnitron_has(1, first=5801, status="450")
        self.omnitron_has(1, first=5802, status="500")
        self.omnitron_has(1, first=5803, status="100")
        self.assertIn("imported 3", self.pull())
        self.assertEqual(
            sorted(self.env["sale.order"].search([("omnitron_pk", ">=", 5800)]).mapped("omnitron_pk")),
            [5800, 5801, 5802],
        )
        self.assertFalse(self.api.count_calls("GET", DETAIL + "5803/detailed_integration/"))

    def test_an_order_the_filters_refuse_by_its_summary_is_listed_but_never_fetched(self):
        self.omnitron_has(2, first=5900)
        self.set_params(min_order_omnitron_id="5901")
        self.assertEqual(self.pull(), "listed 2, imported 1, already there 0, refused 0, failed 0, not fetched 1")
        self.assertFalse(self.api.count_calls("GET", DETAIL + "5900/detailed_integration/"))
        self.assertFalse(self.pulled_events().filtered(lambda event: event.order_number == "P-5900"))

    def test_a_refusal_whose_cause_has_not_changed_is_not_fetched_again_every_run(self):
        self.omnitron_has(1, first=6000)
        self.api.corrupt_detail(6000, {"pk": 6000, "number": 17})
        self.assertIn("refused 1", self.pull())
        self.assertIn("not fetched 1", self.pull())
        self.assertIn("not fetched 1", self.pull())
        detail = DETAIL + "6000/detailed_integration/"
        self.assertEqual(self.api.count_calls("GET", detail), 1, "the same order is refused the same way")
        # Omnitron changes the order: a new state, fetched again and imported.
        changed = self.api.order(6000)
        changed["modified_date"] = "2026-12-07T09:00:00Z"
        self.api.add_order(changed)
        self.assertIn("imported 1", self.pull())

    def test_a_filter_refusal_is_fetched_again_once_the_settings_change(self):
        self.omnitron_has(1, first=6100)
        self.set_params(order_filtering='{"properties": {"delivery_type": "standard"}}')
        self.assertIn("refused 1", self.pull())
        self.assertIn("not fetched 1", self.pull())
        self.set_params(order_filtering='{"channels": []}')
        # The test runs in one transaction, whose write_date is its start: stamp the change as now.
        self.env["ir.config_parameter"].flush_model()
        self.env.cr.execute(
            "UPDATE ir_config_parameter SET write_date = clock_timestamp() at time zone 'UTC' "
            "WHERE key = 'omnitron_order_webhook.order_filtering'"
        )
        self.assertIn("imported 1", self.pull())

    def test_a_detail_naming_another_order_is_refused_naming_its_pk_and_never_marked_sent(self):
        self.omnitron_has(2, first=6200)
        self.api.corrupt_detail(6200, self.api.order(6201))
        self.assertEqual(self.pull(), "listed 2, imported 1, already there 0, refused 1, failed 0")
        rejected = self.pulled_events().filtered(lambda event: event.state == "rejected")
        self.assertIn("payload.pk: names order 6201, not the listed 6200", rejected.detail)
        self.assertFalse(self.api.count_calls("PATCH", r"/api/v1/orders/6200/"))
        self.assertEqual(len(self.env["sale.order"].search([("omnitron_pk", "=", 6201)])), 1)


@tagged("post_install", "-at_install")
class TestCatchUpPullAsAkinonDocumentsIt(TestCatchUpPull):
    """Every pull test again, against an Omnitron whose detail carries no items (they come from
    ``order_item/detailed_integration/?order=``) and whose ``next`` names a proxy's host:
    pages are counted on the account's URL, so that host is never called."""

    def setUp(self):
        super().setUp()
        self.api.items_apart = True
        self.api.next_host = "omnitron-behind-a-proxy.internal:8080"

    def test_the_items_are_read_page_by_page_before_the_order_is_validated(self):
        pk = 6300
        items = [item(pk * 100 + index, f"P-{pk}-{index}", "10.00") for index in range(60)]
        body = self.order(f"P-{pk}", items)
        body["payload"]["pk"] = pk
        self.api.add_order(body["payload"])
        self.assertIn("imported 1", self.pull())
        self.assertEqual(len(self.env["sale.order"].search([("omnitron_pk", "=", pk)]).order_line), 60 + 1)
        self.assertEqual(self.api.count_calls("GET", ITEMS), 2, "two pages of at most 50 items")


PASSWORD_WORDS = OmnitronApiCase.API_PASSWORD


def _envelope():
    return {"event": {"type": "order.created", "uuid": "0" * 32}}
