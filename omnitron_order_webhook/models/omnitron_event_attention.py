from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError

from ..core import client_actions, const


class OmnitronEventAttention(models.AbstractModel):
    """Who hears of a delivery that needs a person, and how it stops needing one: the attention room.

    One activity per order for the channel's salesperson (else an Omnitron
    administrator), written in the assignee's language; the order's chatter
    note in the company's; earlier failures resolved by a later delivery that
    went through; *Dismiss*; *Notify an administrator*. Mixed into
    ``omnitron.webhook.event``.
    """

    _name = "omnitron.event.attention"
    _description = "Omnitron Event: Attention and Activities"

    def _omnitron_tell_people(self, sale_order):
        """After a delivery: a chatter line on its order, an activity when a person must act."""
        self.ensure_one()
        if sale_order:
            self._log_on_order(sale_order.sudo())
        if self.state in (const.STATE_DONE, const.STATE_UPDATED):
            self._resolve_earlier()
        elif self.needs_attention:
            self._schedule_attention()

    def _same_order_needing_attention(self):
        """Other deliveries of this order (same webhook, channel and company) that need a person."""
        if not self.order_number:
            return self.browse()
        return self.sudo().search(
            [
                ("needs_attention", "=", True),
                ("order_number", "=", self.order_number),
                ("channel_pk", "=", self.channel_pk),
                ("company_id", "=", self.company_id.id),
                ("webhook", "=", self.webhook),
                ("id", "!=", self.id),
            ]
        )

    def _resolve_earlier(self):
        """Omnitron sent the order again and it went through: its earlier failures need nobody."""
        earlier = self._same_order_needing_attention()
        if earlier:
            earlier.write({"resolved_by_event_id": self.id})
            earlier._settle(self.env._("Resolved by a later delivery (event %(event)s).", event=self.event_uuid))

    def _log_on_order(self, sale_order):
        # The chatter is in the company's language, whoever's delivery it was.
        event = self.with_context(lang=sale_order._omnitron_company_lang())
        channel = event.channel_id.display_name or str(event.channel_pk or "")
        if event.state == const.STATE_DONE:
            body = event.env._(
                "Imported from Omnitron (channel %(channel)s, event %(event)s).",
                channel=channel,
                event=event.event_uuid,
            )
        elif event.state == const.STATE_IGNORED:
            body = event.env._(
                "Omnitron delivered this order again (event %(event)s): %(reason)s; nothing was changed.",
                event=event.event_uuid,
                reason=event._reason_label() or event.reason,
            )
        else:
            return  # an applied update or plan has its own note, with what it changed
        sale_order._message_log(body=Markup("<p>%s</p>") % body)

    def _schedule_attention(self):
        """An activity for the channel's salesperson, else an Omnitron administrator.

        The salesperson gets it only as an Omnitron user: others cannot open the event.
        """
        salesperson = self.channel_id.user_id.filtered(
            lambda user: user.active and user.has_group("omnitron_order_webhook.group_omnitron_user")
        )
        responsible = salesperson or self.company_id._omnitron_administrator()
        if not responsible:
            return
        # Written in the language of whoever must act.
        event = self.with_context(lang=responsible.lang or self.env.lang)
        # Omnitron retries a failed delivery: one open activity per order is enough.
        others = event._same_order_needing_attention()
        if others and event.env["mail.activity"].sudo().search_count(
            [("res_model", "=", event._name), ("res_id", "in", others.ids)], limit=1
        ):
            return
        event.sudo().activity_schedule(
            "mail.mail_activity_data_warning",
            summary=event.env._(
                "Omnitron: %(reason)s (%(order)s)",
                reason=event._reason_label() or event.state,
                order=event.order_number or event.event_uuid or event.id,
            ),
            note=event.explanation or "",
            user_id=responsible.id,
        )

    def _settle(self, feedback):
        """The event needs nobody any more: its activities are done, with why."""
        activities = self.sudo().activity_ids
        if activities:
            activities.action_feedback(feedback=feedback)

    def _check_pressing_user(self, group, refusal):
        """Every button of a delivery passes here: the user's group, then the deliveries read as the user.

        Before anything runs as superuser, a delivery of a company the user
        cannot reach is refused, as Odoo refuses to show it.
        """
        if self.env.su:
            return
        if not self.env.user.has_group(group):
            raise AccessError(refusal)
        self.check_access("read")

    def action_dismiss(self):
        """Open the dialog that dismisses deliveries nobody has to fix (with a note)."""
        self._check_pressing_user(
            "omnitron_order_webhook.group_omnitron_user", self.env._("Only Omnitron users can dismiss deliveries.")
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Dismiss"),
            "res_model": "omnitron.event.dismiss",
            "view_mode": "form",
            "target": "new",
            "context": {"default_event_ids": self.filtered("needs_attention").ids},
        }

    def _dismiss(self, note):
        self._check_pressing_user(
            "omnitron_order_webhook.group_omnitron_user", self.env._("Only Omnitron users can dismiss deliveries.")
        )
        events = self.filtered("needs_attention")
        if not events:
            raise UserError(self.env._("None of these deliveries needs attention."))
        events.sudo().write(
            {"dismissed_at": fields.Datetime.now(), "dismissed_by_id": self.env.uid, "dismiss_note": note}
        )
        for event in events:
            event._settle(self.env._("Dismissed by %(user)s: %(note)s", user=self.env.user.name, note=note))
        return events

    def action_notify_administrator(self):
        """For staff who cannot fix a delivery: an activity for an Omnitron administrator of its company."""
        self.ensure_one()
        self._check_pressing_user(
            "omnitron_order_webhook.group_omnitron_user",
            self.env._("Only Omnitron users can ask an administrator about a delivery."),
        )
        administrator = (self.company_id or self.env.company)._omnitron_administrator()
        if not administrator:
            raise UserError(self.env._("This company has no Omnitron administrator to notify."))
        summary = self.env._(
            "Omnitron: %(reason)s (%(order)s), asked by %(user)s",
            reason=self._reason_label() or self.state,
            order=self.order_number or self.event_uuid or self.id,
            user=self.env.user.name,
        )
        # One matter, one activity: the delivery's open activity passes to the administrator,
        # saying who asked; a new one only when it has none.
        open_activity = self.sudo().activity_ids[:1]
        if open_activity:
            open_activity.write({"user_id": administrator.id, "summary": summary})
        else:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo", summary=summary, note=self.explanation or "", user_id=administrator.id
            )
        return client_actions.notification(
            self.env._("%(user)s was asked to fix it.", user=administrator.name), then=client_actions.CLOSE_DIALOG
        )
