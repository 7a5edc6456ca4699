from markupsafe import Markup

from odoo import fields, models
from odoo.tools.translate import LazyGettext, LazyTranslate

from ..core import matters
from ..core.said import Said
from .omnitron_phrases import say

_lt = LazyTranslate(__name__)


class QueueJob(models.Model):
    _inherit = "queue.job"

    omnitron_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null", ondelete="set null")

    def init(self):
        # Why an Omnitron job failed, as a sentence and its values (omnitron.outbound._keep_failure):
        # written by the job outside its own transaction, which rolls back when it fails.
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS omnitron_job_failure (
                   uuid varchar PRIMARY KEY,
                   template text NOT NULL,
                   params jsonb
               )"""
        )

    def unlink(self):
        uuids = self.mapped("uuid")
        result = super().unlink()
        self.env.cr.execute("DELETE FROM omnitron_job_failure WHERE uuid = ANY(%s)", [uuids])
        return result

    def write(self, vals):
        """A job that fails for good says so on its order, once, after its reason is stored.

        queue_job posts its own failure message before it writes the reason
        (``exc_message``); the order's note is posted once the write is done,
        so it says what Omnitron answered.
        """
        failing = self.browse()
        if vals.get("state") == "failed":
            failing = self.filtered(lambda job: job.omnitron_order_id and job.state != "failed")
        result = super().write(vals)
        failing._omnitron_tell_failure()
        if vals.get("state") == "done":
            self.env.cr.execute("DELETE FROM omnitron_job_failure WHERE uuid = ANY(%s)", [self.mapped("uuid")])
        if vals.get("state") in ("done", "cancelled"):
            self._omnitron_close_failures(
                matters.CLOSED_BY_FIX if vals["state"] == "done" else matters.CLOSED_BY_PERSON
            )
        return result

    def _omnitron_close_failures(self, reason):
        """An order whose jobs no longer include a failed one has no sync failure left to handle."""
        orders = self.omnitron_order_id.sudo()
        recovered = orders.filtered(
            lambda order: not order.omnitron_job_ids.filtered(lambda job: job.state == "failed")
        )
        self.env["omnitron.matter"].sudo()._close_kinds(recovered, ["sync_failed"], reason)

    def _omnitron_tell_failure(self):
        """The order's chatter note, to the Omnitron administrators of its company."""
        group = self.env.ref("omnitron_order_webhook.group_omnitron_manager")
        for job in self:
            sale_order = job.omnitron_order_id.sudo()
            admins = group.sudo().users.filtered(
                lambda user, order=sale_order: user.active and not user.share and order.company_id in user.company_ids
            )
            sale_order.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._("Omnitron sync failed: %(job)s", job=job.name),
                    job.exc_message or job.exc_name or "",
                ),
                subtype_xmlid="mail.mt_note",
                partner_ids=admins.partner_id.ids,
            )
            # The administrator's matter: one per order, its sentence renewed by each failed job.
            self.env["omnitron.matter"].sudo()._open(
                sale_order,
                "sync_failed",
                say(
                    _lt(
                        "Omnitron did not take %(job)s: %(error)s Fix the cause and press Retry Omnitron Sync; "
                        "this closes when the job is done."
                    ),
                    job=job.name,
                    error=job._omnitron_failure_said(),
                ),
            )

    def _omnitron_failure_said(self):
        """Why this job failed, as a sentence each reader gets in their language (its kept template)."""
        self.ensure_one()
        self.env.cr.execute("SELECT template, params FROM omnitron_job_failure WHERE uuid = %s", [self.uuid])
        row = self.env.cr.fetchone()
        english = (self.exc_message or self.exc_name or "").strip()
        if not row:
            return english
        return Said(LazyGettext(row[0], _module="omnitron_order_webhook"), english, **(row[1] or {}))
