from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

from ..core import matters

_lt = LazyTranslate(__name__)

KIND_LABELS = [
    ("plan_request", "Request from Omnitron"),
    ("held", "Delivery Held by Omnitron"),
    ("changed", "Changed in Omnitron"),
    ("cancelled_late", "Cancelled After Delivery or Invoice"),
    ("refunded", "Refund to Settle"),
    ("return_to_receive", "Return to Receive"),
    ("credit_note", "Credit Note to Check"),
    ("payment_unmatched", "No Payment Rule"),
    ("workflow_failed", "Automatic Workflow Failed"),
    ("return_unsent", "Return Not Told to Omnitron"),
    ("over_return", "Over-return"),
    ("sync_failed", "Omnitron Sync Failed"),
]
assert {key for key, _label in KIND_LABELS} == set(matters.KINDS), "every kind of core/matters.py has a label"

CLOSE_REASON_LABELS = [
    (matters.CLOSED_BY_OMNITRON, "Omnitron decided"),
    (matters.CLOSED_BY_DOCUMENTS, "Its documents were completed"),
    (matters.CLOSED_BY_FIX, "What it lacked was set"),
    (matters.CLOSED_BY_PERSON, "Marked as handled"),
    (matters.CLOSED_BY_ORDER, "The order was cancelled"),
]
# The closing sentence an activity is marked done with, in its assignee's language.
CLOSE_FEEDBACK = {
    matters.CLOSED_BY_OMNITRON: _lt("Omnitron decided: nothing left to do."),
    matters.CLOSED_BY_DOCUMENTS: _lt("Done: its receipts are validated and its credit notes posted."),
    matters.CLOSED_BY_FIX: _lt("Done: what it lacked is set."),
    matters.CLOSED_BY_PERSON: _lt("Marked as handled by %(user)s."),
    matters.CLOSED_BY_ORDER: _lt("The order was cancelled: nothing left to do."),
}


class OmnitronMatter(models.Model):
    """One thing an Omnitron order needs a person for, from the moment it arises until it is over.

    Flows open matters (``_open``); what settles one closes it (``_close``):
    Omnitron's decision, its documents completed, the missing rule set, or a
    person's *Mark as Handled*. The order's flags, its banner's sentences,
    the delivery's hold and the activities are read from the open matters,
    so they come and go together. Kinds, roles and closing rules:
    ``core/matters.py``.
    """

    _name = "omnitron.matter"
    _description = "Omnitron Matter"
    _order = "state, opened_at desc, id desc"
    _rec_name = "kind"

    kind = fields.Selection(KIND_LABELS, required=True, readonly=True, index=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")], required=True, default="open", readonly=True, index=True
    )
    sale_order_id = fields.Many2one(
        "sale.order", string="Order", required=True, readonly=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="sale_order_id.company_id", store=True, index=True)
    value = fields.Char(readonly=True, help="What the request or hold is for: cancel or refund.")
    facts = fields.Json(readonly=True, help="The matter's sentences, newest first, kept to be read in any language.")
    sentence = fields.Text(compute="_compute_sentence", string="What to Do")
    picking_ids = fields.Many2many(
        "stock.picking",
        "omnitron_matter_picking_rel",
        "matter_id",
        "picking_id",
        string="Transfers",
        readonly=True,
        help="The receipts or deliveries the matter is about: a return closes when they are done.",
    )
    move_ids = fields.Many2many(
        "account.move",
        "omnitron_matter_move_rel",
        "matter_id",
        "move_id",
        string="Credit Notes",
        readonly=True,
        help="The credit notes the matter waits for: it closes when they are posted.",
    )
    waits_for_person = fields.Boolean(
        readonly=True,
        help="Its documents alone do not settle it (a paid invoice credited: the customer is to be paid back): "
        "a person closes it.",
    )
    user_id = fields.Many2one("res.users", string="Assigned To", readonly=True, index=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    role = fields.Selection(
        [
            (matters.WAREHOUSE, "Warehouse"),
            (matters.ACCOUNTANT, "Accountant"),
            (matters.SALESPERSON, "Salesperson"),
            (matters.ADMINISTRATOR, "Omnitron Administrator"),
        ],
        compute="_compute_rules",
    )
    handleable = fields.Boolean(compute="_compute_rules", help="Whether a person may close it (Mark as Handled).")
    opened_at = fields.Datetime(string="Since", required=True, readonly=True, default=fields.Datetime.now)
    closed_at = fields.Datetime(readonly=True)
    closed_reason = fields.Selection(CLOSE_REASON_LABELS, readonly=True)
    closed_by_id = fields.Many2one("res.users", readonly=True)

    @api.depends("facts")
    @api.depends_context("lang")
    def _compute_sentence(self):
        phrases = self.env["omnitron.phrases"]
        lang = self.env.lang or "en_US"
        for matter in self:
            matter.sentence = (
                "\n".join(phrases._render(phrases._load(fact), lang) for fact in matter.facts or []) or False
            )

    @api.depends("kind")
    def _compute_rules(self):
        for matter in self:
            kind = matters.KINDS.get(matter.kind)
            matter.role = kind.role if kind else False
            matter.handleable = bool(kind and kind.handleable)

    @api.depends("kind", "sale_order_id")
    def _compute_display_name(self):
        labels = dict(self._fields["kind"]._description_selection(self.env))
        for matter in self:
            matter.display_name = f"{matter.sale_order_id.name}: {labels.get(matter.kind, matter.kind)}"

    # --- Opened by the flows ---

    @api.model
    def _open(self, sale_order, kind, note, value=False, documents=None, summary=None, waits_for_person=False):
        """Open a matter of ``kind`` on ``sale_order`` saying ``note`` (a Said), or add ``note`` to the open one.

        One open matter per kind and order, except those settled by their
        documents (a return receipt, a credit note): each has its own.
        ``documents`` are the receipts and credit notes it waits for;
        ``summary`` (a Said) names its activity, else the kind's label;
        ``waits_for_person``: from now on its documents do not settle it.
        """
        rules = matters.KINDS[kind]
        phrases = self.env["omnitron.phrases"]
        documents = documents or []
        pickings = self.env["stock.picking"].browse(d.id for d in documents if d._name == "stock.picking")
        moves = self.env["account.move"].browse(d.id for d in documents if d._name == "account.move")
        existing = self.sudo().search(
            [("sale_order_id", "=", sale_order.id), ("kind", "=", kind), ("state", "=", "open")], limit=1
        )
        if rules.settles_by_documents and kind != "refunded":
            existing = self.sudo().browse()
        fact = phrases._store(note)
        if existing:
            existing.write(
                {
                    "facts": [fact] + [old for old in existing.facts or [] if old != fact],
                    "value": value or existing.value,
                    "waits_for_person": waits_for_person or existing.waits_for_person,
                    "picking_ids": [(4, picking.id) for picking in pickings],
                    "move_ids": [(4, move.id) for move in moves],
                }
            )
            matter = existing
        else:
            matter = self.sudo().create(
                {
                    "kind": kind,
                    "sale_order_id": sale_order.id,
                    "value": value or False,
                    "waits_for_person": waits_for_person,
                    "facts": [fact],
                    "picking_ids": [(6, 0, pickings.ids)],
                    "move_ids": [(6, 0, moves.ids)],
                }
            )
            matter.user_id = matter._assignee()
        matter._tell(summary)
        return matter

    def _assignee(self):
        """Who acts on this matter: its kind's role's person in the order's company (``res.company``)."""
        self.ensure_one()
        return self.sale_order_id.company_id._omnitron_person(matters.KINDS[self.kind].role, self.sale_order_id)

    def _target(self):
        """The record the activity is on: the one the person opens to act."""
        self.ensure_one()
        rules = matters.KINDS[self.kind]
        if rules.on_delivery:
            pending = self.sale_order_id.picking_ids.filtered(
                lambda picking: picking.picking_type_code == "outgoing" and picking.state not in ("done", "cancel")
            )
            return pending[:1] or self.sale_order_id
        if rules.role == matters.WAREHOUSE and self.picking_ids:
            return self.picking_ids[:1]
        if self.kind == "credit_note" and self.move_ids:
            return self.move_ids[:1]
        return self.sale_order_id

    def _tell(self, summary=None):
        """The matter's one activity for its assignee, in their language: created, or its note renewed."""
        self.ensure_one()
        if not self.user_id:
            return
        phrases = self.env["omnitron.phrases"]
        lang = self.user_id.lang or self.sale_order_id._omnitron_company_lang()
        note = Markup("<p>%s</p>") % self.with_context(lang=lang).sentence
        if self.activity_id:
            self.activity_id.sudo().note = note
            return
        title = (
            phrases._render(summary, lang)
            if summary
            else dict(self._fields["kind"]._description_selection(self.with_context(lang=lang).env))[self.kind]
        )
        target = self._target().sudo()
        self.activity_id = target.activity_schedule(
            "mail.mail_activity_data_warning", summary=title, note=note, user_id=self.user_id.id
        )

    # --- Closed by what settles them ---

    def _close(self, reason, feedback_user=None):
        """Close these open matters for ``reason``: their activities are marked done with why."""
        open_matters = self.filtered(lambda matter: matter.state == "open")
        if not open_matters:
            return open_matters
        open_matters.sudo().write(
            {
                "state": "closed",
                "closed_at": fields.Datetime.now(),
                "closed_reason": reason,
                "closed_by_id": self.env.uid,
            }
        )
        for matter in open_matters.filtered("activity_id"):
            lang = matter.user_id.lang or matter.sale_order_id._omnitron_company_lang()
            feedback = CLOSE_FEEDBACK[reason]._translate(lang)
            if reason == matters.CLOSED_BY_PERSON:
                feedback %= {"user": (feedback_user or self.env.user).name}
            activity = matter.activity_id.sudo()
            matter.sudo().activity_id = False
            activity.with_context(omnitron_matter_closing=True).action_feedback(feedback=feedback)
        return open_matters

    @api.model
    def _close_kinds(self, sale_orders, kinds, reason):
        """Close the open matters of ``kinds`` on ``sale_orders``."""
        found = self.sudo().search(
            [("sale_order_id", "in", sale_orders.ids), ("kind", "in", list(kinds)), ("state", "=", "open")]
        )
        return found._close(reason)

    @api.model
    def _settle(self, documents):
        """Receipts done or credit notes posted: the open matters that waited only for them close."""
        domain_field = "picking_ids" if documents._name == "stock.picking" else "move_ids"
        waiting = self.sudo().search([(domain_field, "in", documents.ids), ("state", "=", "open")])
        settled = waiting.filtered(
            lambda matter: (
                matters.KINDS[matter.kind].settles_by_documents
                and not matter.waits_for_person
                and matters.settled(
                    [("stock.picking", picking.state) for picking in matter.picking_ids]
                    + [("account.move", move.state) for move in matter.move_ids]
                )
            )
        )
        return settled._close(matters.CLOSED_BY_DOCUMENTS)

    # --- Closed by a person ---

    def _check_may_close(self):
        """Its assignee, an Omnitron user, or whoever may change its order closes a matter; nobody else."""
        user = self.env.user
        if user.has_group("omnitron_order_webhook.group_omnitron_user"):
            return
        for matter in self:
            if matter.user_id == user:
                continue
            if not matter.sale_order_id.has_access("write"):
                raise AccessError(
                    self.env._(
                        "%(matter)s is %(assignee)s's to handle: you may not mark it as handled.",
                        matter=matter.display_name,
                        assignee=matter.user_id.name or self.env._("an Omnitron user"),
                    )
                )

    def action_mark_handled(self):
        """Close the chosen matters: what they asked is done. A held delivery is Omnitron's to lift."""
        # Read as the user first: another company's matter is refused before anything is written.
        self.check_access("read")
        self._check_may_close()
        not_theirs = self.filtered(lambda matter: not matter.handleable)
        if not_theirs:
            raise UserError(
                self.env._(
                    "%(matters)s cannot be marked as handled: only Omnitron lifts a hold (by cancelling, refunding or "
                    "moving the order on). To ship regardless, an Inventory administrator uses Ship Anyway on the "
                    "delivery.",
                    matters=", ".join(not_theirs.mapped("display_name")),
                )
            )
        closing = self.filtered(lambda matter: matter.state == "open")
        # A matter with an activity is logged by the activity's own "done" message (its summary, its note
        # and who handled it); the others get one note per order.
        unlogged = closing.filtered(lambda matter: not matter.activity_id)
        for sale_order in unlogged.sale_order_id:
            own = unlogged.filtered(lambda matter, sale_order=sale_order: matter.sale_order_id == sale_order)
            lang = sale_order._omnitron_company_lang()
            sentences = own.with_context(lang=lang).mapped(lambda matter: matter.sentence or matter.display_name)
            sale_order.sudo()._message_log(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    _lt("Omnitron flags cleared by %(user)s:")._translate(lang) % {"user": self.env.user.name},
                    escape("\n".join(sentences)),
                ),
            )
        closing._close(matters.CLOSED_BY_PERSON)
        return True
