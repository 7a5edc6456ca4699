"""What staff read of the sync with Omnitron: what was sent and what Omnitron answered, in
words, and while a call is retried which try failed and when the next one is."""

from odoo.addons.queue_job.exception import FailedJobError, RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.tests import tagged
from odoo.tools import format_datetime

from .common import OmnitronApiCase, item


@tagged("post_install", "-at_install")
class TestSyncDisplay(OmnitronApiCase):
    def stored_job(self, order, kind):
        self.env["omnitron.outbound"]._enqueue(order, kind)
        record = order.sudo().omnitron_job_ids.filtered(lambda job: job.args and job.args[0] == kind)[-1:]
        return Job.load(self.env, record.uuid), record

    def test_a_refusal_says_what_was_sent_and_what_omnitron_answered_in_words(self):
        self.assertEqual(self.receive(self.order("S-REF", [item(1931, "S-1", "100.00")])).status, 204)
        order = self.omnitron_orders("S-REF")
        self.api.reject_next({"detail": "Geçersiz sipariş durumu."}, status=400)
        job, _record = self.stored_job(order, "cancel")
        with self.assertRaises(FailedJobError) as caught:
            job.perform()
        job.set_failed(exc_info="", exc_name="FailedJobError", exc_message=str(caught.exception))
        job.store()
        order.invalidate_recordset()
        self.assertEqual(order.omnitron_sync_state, "failed")
        detail = order.omnitron_sync_detail
        self.assertTrue(detail.startswith("Telling Omnitron about the cancellation of the order failed:"), detail)
        self.assertIn("(400): Geçersiz sipariş durumu.", detail)
        self.assertNotIn("\\u00e7", detail)
        self.assertNotIn('{"detail"', detail)

    def test_a_call_being_retried_shows_the_try_the_next_try_and_the_last_error(self):
        self.assertEqual(self.receive(self.order("S-RETRY", [item(1932, "S-2", "100.00")])).status, 204)
        order = self.omnitron_orders("S-RETRY")
        self.api.fail_next(1, status=503, body={"detail": "Bakımdayız."})
        job, record = self.stored_job(order, "mark_sent")
        with self.assertRaises(RetryableJobError) as caught:
            job.perform()
        # What queue_job's runner does with a RetryableJobError.
        job.postpone(result=str(caught.exception), seconds=600)
        job.set_pending(reset_retry=False)
        job.store()
        order.invalidate_recordset()
        self.assertEqual(order.omnitron_sync_state, "pending")
        detail = order.with_context(tz="Europe/Istanbul").omnitron_sync_detail
        self.assertIn("Telling Omnitron that Odoo took the order: try 1 of 5 failed", detail)
        self.assertIn("Bakımdayız.", detail)
        istanbul = order.with_context(tz="Europe/Istanbul").env
        self.assertIn(format_datetime(istanbul, record.eta, dt_format="short"), detail)
