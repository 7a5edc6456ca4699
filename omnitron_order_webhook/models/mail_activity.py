from odoo import models

from ..core import matters


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """An activity of a matter marked done by its person closes the matter, if a person may close it.

        A hold's activity is Omnitron's word: marking it done leaves the hold (the
        guard), which stays on the order until Omnitron decides.
        """
        if self.env.context.get("omnitron_matter_closing"):
            return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        matter_model = self.env["omnitron.matter"].sudo()
        linked = matter_model.search([("activity_id", "in", self.ids), ("state", "=", "open")])
        user = self.env.user
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        linked.filtered("handleable").with_user(user)._close(matters.CLOSED_BY_PERSON)
        return result
