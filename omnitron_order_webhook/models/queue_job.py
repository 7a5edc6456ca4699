from markupsafe import Markup

from odoo import fields, models


class QueueJob(models.Model):
    _inherit = "queue.job"

    omnitron_order_id = fields.Many2one("sale.order", readonly=True, index="btree_not_null", ondelete="set null")

    def _message_post_on_failure(self):
        """A job that failed for good says so on its order, once, to the Omnitron administrators."""
        result = super()._message_post_on_failure()
        group = self.env.ref("omnitron_order_webhook.group_omnitron_manager")
        for job in self.filtered("omnitron_order_id"):
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
        return result
