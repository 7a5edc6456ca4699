"""Rate limits: per token, per IP for failed authentications, counted across workers."""

import time

import odoo
from odoo.tests import TransactionCase, tagged

from .common import OmnitronHttpCase, reset_rate_counters


@tagged("post_install", "-at_install")
class TestRateLimitAnswers(OmnitronHttpCase):
    def setUp(self):
        super().setUp()
        # The limits count per minute of the database's clock (the counter's own connection's now()):
        # requests that straddle a minute's end would see the count start again. Begin early enough in a
        # minute for all of them.
        self.env.cr.execute("SELECT EXTRACT(SECOND FROM clock_timestamp() AT TIME ZONE 'UTC')")
        second = float(self.env.cr.fetchone()[0])
        if second > 40:
            time.sleep(61 - second)

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

    def test_an_ip_over_the_failed_login_limit_gets_429_for_every_token_until_its_minute_ends(self):
        self.set_params(rate_limit_failed_auth_per_ip="2")
        bad = {"Authorization": "Token " + "C" * 43}
        self.assertEqual([self.post(self.sample(), headers=bad).status_code for _ in range(3)], [401, 401, 429])
        self.assertIn("Retry-After", self.post(self.sample(), headers=bad).headers)
        # Over the limit, no token from that IP is checked until its minute
        # ends, a valid one included: guessing is stopped, not only slowed.
        blocked = self.post(self.sample())
        self.assertEqual(blocked.status_code, 429)
        self.assertFalse(self.omnitron_orders())
        reset_rate_counters(self.env.cr.dbname)  # the next minute
        self.assertEqual(self.post(self.sample()).status_code, 204)


@tagged("post_install", "-at_install")
class TestRateCounter(TransactionCase):
    def setUp(self):
        super().setUp()
        reset_rate_counters(self.env.cr.dbname)
        self.addCleanup(reset_rate_counters, self.env.cr.dbname)

    def test_the_counter_is_shared_by_two_workers_and_survives_rollback(self):
        counter = self.env["omnitron.rate.counter"]
        registry_db = odoo.sql_db.db_connect(self.env.cr.dbname)
        with registry_db.cursor() as worker_a, registry_db.cursor() as worker_b:
            self.assertIsNone(counter._hit("token:shared", 2, cursor=worker_a))
            worker_a.commit()
            self.assertIsNone(counter._hit("token:shared", 2, cursor=worker_b))
            worker_b.commit()
            self.assertIsNotNone(counter._hit("token:shared", 2, cursor=worker_a))
            worker_a.rollback()  # the request failed, but ...
        self.assertIsNotNone(counter._hit("token:shared", 2), "... a counter on its own connection still counts")

    def test_a_block_of_requests_is_granted_up_to_the_limit_and_the_rest_given_back(self):
        counter = self.env["omnitron.rate.counter"]
        self.assertEqual(counter._take("stock:block", 250, 100), (100, None))
        self.assertEqual(counter._take("stock:block", 250, 100), (100, None))
        # 200 counted: 50 of the next 100 fit this minute, the other 50 are not counted.
        self.assertEqual(counter._take("stock:block", 250, 100), (50, None))
        granted, wait = counter._take("stock:block", 250, 100)
        self.assertEqual(granted, 0)
        self.assertTrue(1 <= wait <= 60, wait)
        self.assertIsNotNone(counter._over("stock:block", 250), "the minute's count is the limit, no more")
        self.assertIsNotNone(counter._hit("stock:block", 250), "one request more is over, as the limit says")
