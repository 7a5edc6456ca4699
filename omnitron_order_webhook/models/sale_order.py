import contextlib
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.translate import LazyTranslate

from ..core import client_actions, const, matters, omnitron_api, payments

_lt = LazyTranslate(__name__)
# What says which Omnitron order an order is: set by the import only (``write``).
OMNITRON_IDENTITY = frozenset(
    ("omnitron_account_id", "omnitron_pk", "omnitron_number", "omnitron_channel_id", "omnitron_channel_pk")
)
# How often one order may be refreshed from Omnitron by hand.
REFRESH_INTERVAL = timedelta(seconds=30)


class SaleOrder(models.Model):
    _inherit = "sale.order"

    omnitron_pk = fields.Integer(string="Omnitron ID", readonly=True, copy=False, index="btree_not_null")
    omnitron_number = fields.Char(readonly=True, copy=False, index="btree_not_null")
    omnitron_channel_pk = fields.Integer(string="Omnitron Channel ID", readonly=True, copy=False)
    omnitron_channel_id = fields.Many2one("omnitron.channel", readonly=True, copy=False, index="btree_not_null")
    omnitron_account_id = fields.Many2one(
        "omnitron.account",
        readonly=True,
        copy=False,
        index="btree_not_null",
        check_company=True,
        ondelete="restrict",
        help="The Omnitron this order came from: what Odoo does with it is told to that Omnitron only.",
    )
    omnitron_channel_name = fields.Char(string="Omnitron Channel (as sent)", readonly=True, copy=False)
    omnitron_channel_type = fields.Char(readonly=True, copy=False)
    omnitron_status = fields.Char(string="Omnitron Status Code", readonly=True, copy=False)
    omnitron_status_name = fields.Char(readonly=True, copy=False)
    omnitron_status_label = fields.Selection(
        const.STATUS_LABELS, string="Omnitron Status", compute="_compute_omnitron_labels"
    )
    omnitron_delivery_type_label = fields.Selection(
        const.DELIVERY_TYPE_LABELS, string="Delivery Type", compute="_compute_omnitron_labels"
    )
    # Omnitron may send a template ("{domain_url}/…") instead of a link: a link only when absolute.
    omnitron_tracking_url_is_link = fields.Boolean(compute="_compute_omnitron_labels")
    omnitron_e_archive_url_is_link = fields.Boolean(compute="_compute_omnitron_labels")
    omnitron_date_placed = fields.Datetime(string="Placed in Omnitron", readonly=True, copy=False)
    omnitron_delivery_type = fields.Char(string="Delivery Type Code", readonly=True, copy=False)
    omnitron_has_gift_box = fields.Boolean(string="Gift Box", readonly=True, copy=False)
    omnitron_gift_box_note = fields.Text(string="Gift Box Note", readonly=True, copy=False)
    omnitron_cargo_company = fields.Char(string="Cargo Company", readonly=True, copy=False)
    omnitron_cargo_codes = fields.Char(
        string="Cargo Company Codes",
        readonly=True,
        copy=False,
        help="The shipping_company and erp_code Omnitron last sent, as shipping_company/erp_code.",
    )
    omnitron_tracking_number = fields.Char(string="Tracking Number", readonly=True, copy=False)
    omnitron_tracking_url = fields.Char(string="Tracking URL", readonly=True, copy=False)
    omnitron_invoice_number = fields.Char(readonly=True, copy=False)
    omnitron_invoice_date = fields.Datetime(readonly=True, copy=False)
    omnitron_e_archive_url = fields.Char(string="E-Archive URL", readonly=True, copy=False)
    omnitron_amount = fields.Monetary(
        string="Omnitron Total",
        readonly=True,
        copy=False,
        help="The total Omnitron sent for this order, taxes and shipping included.",
    )
    omnitron_amount_mismatch = fields.Boolean(
        string="Total Differs from Omnitron",
        readonly=True,
        copy=False,
        help="Odoo's total differs from the amount Omnitron sent by more than half the currency's rounding.",
    )
    omnitron_amount_mismatch_detail = fields.Char(
        string="Total Difference", compute="_compute_omnitron_amount_mismatch_detail"
    )

    omnitron_shipping_amount = fields.Monetary(
        string="Omnitron Shipping", readonly=True, copy=False, help="The shipping amount Omnitron sent."
    )
    omnitron_refund_amount = fields.Monetary(readonly=True, copy=False, help="Omnitron's refund_amount for this order.")
    omnitron_refund_asked = fields.Monetary(
        string="Refund Asked of Omnitron",
        compute="_compute_omnitron_refund_asked",
        store=True,
        help="What returns and cancellations made in Odoo asked Omnitron to refund for items it has not yet "
        "reported cancelled or refunded: its refund amount growing by that much then is no news.",
    )
    omnitron_modified_date = fields.Datetime(
        string="Modified in Omnitron",
        readonly=True,
        copy=False,
        help="When Omnitron last modified the order, as its latest applied delivery said.",
    )
    omnitron_prices_per_row = fields.Boolean(
        readonly=True,
        copy=False,
        help="Merged items' prices were read as the price of the whole row (the reading that matched the total).",
    )
    omnitron_reported_differences = fields.Text(
        string="Differences from Omnitron",
        readonly=True,
        copy=False,
        help="What Omnitron changed that is never applied silently (customer, addresses, prices, items, amount).",
    )
    # What needs a person (omnitron.matter, core/matters.py): the order's flags are read from its
    # open matters, so a flag, its sentence and its activity open and close together.
    omnitron_matter_ids = fields.One2many("omnitron.matter", "sale_order_id", string="Omnitron Matters", readonly=True)
    omnitron_open_matter_ids = fields.One2many(
        "omnitron.matter",
        "sale_order_id",
        string="Open Omnitron Matters",
        domain=[("state", "=", "open")],
        readonly=True,
    )
    omnitron_changed = fields.Boolean(
        string="Changed in Omnitron", compute="_compute_omnitron_flags", store=True, readonly=True
    )
    omnitron_cancelled_late = fields.Boolean(
        string="Cancelled in Omnitron after delivery/invoice", compute="_compute_omnitron_flags", store=True
    )
    omnitron_refunded = fields.Boolean(string="Refunded in Omnitron", compute="_compute_omnitron_flags", store=True)
    omnitron_plan_request = fields.Selection(
        [("cancel", "Cancellation requested in Omnitron"), ("refund", "Refund requested in Omnitron")],
        string="Omnitron Request",
        compute="_compute_omnitron_flags",
        store=True,
    )
    # Omnitron's word in force (its matter is no person's to close): while it is
    # set, the order's deliveries cannot be validated (stock.picking checks it).
    omnitron_hold = fields.Selection(
        [("cancel", "Cancellation requested in Omnitron"), ("refund", "Refund requested in Omnitron")],
        string="Shipping Held by Omnitron",
        compute="_compute_omnitron_flags",
        store=True,
        index="btree_not_null",
        help="Omnitron was asked to cancel or refund this order and has not decided yet: its deliveries cannot be "
        "validated. Lifted when Omnitron cancels the order or moves it on; Mark as Handled does not lift it.",
    )
    omnitron_action_note = fields.Text(
        string="What to Do",
        compute="_compute_omnitron_action_note",
        help="What the order's open matters ask of staff, newest first; each goes when its matter closes.",
    )
    omnitron_needs_action = fields.Boolean(
        string="Needs Action from Omnitron",
        compute="_compute_omnitron_flags",
        store=True,
        index="btree_not_null",
    )
    omnitron_cancellation_plan_ids = fields.One2many(
        "omnitron.cancellation.plan", "sale_order_id", string="Cancellation Plans", readonly=True
    )
    # What was sent back to Omnitron (models/omnitron_outbound.py), from the order's jobs.
    omnitron_payment_kind = fields.Selection(
        payments.KINDS,
        string="Omnitron Payment",
        readonly=True,
        copy=False,
        help="How the customer paid, as read from Omnitron's order: its payment type, slug or transactions.",
    )
    omnitron_payment_raw = fields.Char(
        string="Omnitron Payment Value",
        readonly=True,
        copy=False,
        help="The payment type or slug as Omnitron wrote it.",
    )
    omnitron_payment_journal_id = fields.Many2one(
        "account.journal",
        readonly=True,
        copy=False,
        check_company=True,
        help="Where the automatic workflow registers this order's payment (its payment rule's journal).",
    )
    omnitron_payment_unmatched = fields.Boolean(
        string="No Payment Rule",
        compute="_compute_omnitron_flags",
        store=True,
        help="The account has payment rules and none covers how this order was paid: no workflow was chosen.",
    )
    omnitron_workflow_failed = fields.Boolean(
        string="Automatic Workflow Failed", compute="_compute_omnitron_flags", store=True
    )
    omnitron_return_unsent = fields.Boolean(
        string="Return Not Told to Omnitron",
        compute="_compute_omnitron_flags",
        store=True,
        help="Part of a merged item came back: Omnitron refunds whole items only, so it was not told.",
    )
    omnitron_over_return = fields.Boolean(
        string="Over-return",
        compute="_compute_omnitron_flags",
        store=True,
        help="Items came back that Omnitron had refunded or cancelled already: more came back than the customer "
        "kept. Nothing is asked of Omnitron, and nothing is to be refunded.",
    )
    omnitron_workflow_error = fields.Text(string="Automatic Workflow Error", readonly=True, copy=False)
    omnitron_job_ids = fields.One2many("queue.job", "omnitron_order_id", string="Omnitron Jobs", readonly=True)
    omnitron_sync_state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("off", "Not Sent")],
        string="Omnitron Sync",
        compute="_compute_omnitron_sync_state",
        store=True,
        help="What became of sending this order's shipments, invoices and cancellations to Omnitron.",
    )
    omnitron_sync_error = fields.Text(compute="_compute_omnitron_sync_state", store=True)
    omnitron_sync_detail = fields.Text(
        compute="_compute_omnitron_sync_detail",
        help="What could not be sent to Omnitron and what Omnitron answered; while a call is retried, which try "
        "failed and when the next one is.",
    )

    omnitron_return_count = fields.Integer(string="Returns", compute="_compute_omnitron_return_count", aggregator=None)
    omnitron_event_count = fields.Integer(
        string="Omnitron Events", compute="_compute_omnitron_event_count", aggregator=None
    )

    # What Omnitron sent that staff may change in Odoo (the customer partner may be
    # renamed), kept as sent: a later delivery is compared with it, never with
    # what staff typed. Written by the import (core/mapping.order_values).
    omnitron_customer_name = fields.Char(readonly=True, copy=False, help="The customer's name as Omnitron sent it.")
    omnitron_customer_email = fields.Char(
        string="Omnitron Customer E-mail", readonly=True, copy=False, help="The customer's e-mail as Omnitron sent it."
    )

    omnitron_notes = fields.Text(
        string="Customer Note", readonly=True, copy=False, help="The customer's note to the order, as Omnitron sent it."
    )
    omnitron_delivery_start = fields.Datetime(string="Delivery Slot From", readonly=True, copy=False)
    omnitron_delivery_end = fields.Datetime(string="Delivery Slot To", readonly=True, copy=False)
    omnitron_discount_amount = fields.Monetary(
        string="Promotions", readonly=True, copy=False, help="What Omnitron's promotions took off the order."
    )
    omnitron_discounts = fields.Text(
        string="Promotion Lines", readonly=True, copy=False, help="Each promotion of the order and what it took off."
    )
    omnitron_refreshed_at = fields.Datetime(string="Last Refreshed From Omnitron", readonly=True, copy=False)
    omnitron_shipped_before_import = fields.Char(
        string="Shipped Before Import",
        readonly=True,
        copy=False,
        help="Items Omnitron reported as shipped or delivered when the order was imported. The warehouse does "
        "not ship them again: they left stock once, through a done delivery carrying Omnitron's tracking "
        "number (or, for a channel whose goods leave from elsewhere, are marked delivered), and are invoiced "
        "as delivered.",
    )

    _sql_constraints = [
        # The duplicate guard that holds across workers: a search-then-create
        # check alone cannot see an order another transaction is creating.
        # Per company: another company's order with the same number is none
        # of this sender's business (no existence oracle, no blocking).
        (
            "omnitron_channel_number_uniq",
            "unique(omnitron_channel_pk, omnitron_number, company_id)",
            "An order with this Omnitron number already exists in this channel and company.",
        ),
    ]

    @api.depends("omnitron_matter_ids.state", "omnitron_matter_ids.kind", "omnitron_matter_ids.value")
    def _compute_omnitron_flags(self):
        for sale_order in self:
            open_matters = sale_order.omnitron_matter_ids.filtered(lambda matter: matter.state == "open").sorted(
                lambda matter: (matter.opened_at, matter.id), reverse=True
            )
            values = matters.flag_values([(matter.kind, matter.value) for matter in open_matters])
            for flag, value in values.items():
                sale_order[flag] = value
            # The hold and a sync failure have banners (and filters) of their own.
            sale_order.omnitron_needs_action = any(not matters.KINDS[matter.kind].own_banner for matter in open_matters)

    def _compute_omnitron_event_count(self):
        # The button is shown to Omnitron users only; the count reads past record rules of other users.
        counts = dict(
            self.env["omnitron.webhook.event"]
            .sudo()
            ._read_group([("order_id", "in", self.ids)], ["order_id"], ["__count"])
        )
        for sale_order in self:
            sale_order.omnitron_event_count = counts.get(sale_order._origin, 0)

    @api.depends("order_line.omnitron_refund_asked")
    def _compute_omnitron_refund_asked(self):
        for sale_order in self:
            sale_order.omnitron_refund_asked = sum(sale_order.order_line.mapped("omnitron_refund_asked"))

    @api.depends("picking_ids.return_id")
    def _compute_omnitron_return_count(self):
        for order in self:
            order.omnitron_return_count = len(order._omnitron_returns())

    def _omnitron_returns(self):
        """The return receipts of this order's deliveries (Omnitron's refunds and those made in Odoo)."""
        return self.picking_ids.filtered(lambda picking: picking.return_id and picking.picking_type_code == "incoming")

    def action_view_omnitron_returns(self):
        """Smart button: what comes back, or came back, from this order's customer."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self._omnitron_returns().ids)]
        action["context"] = {"create": False}
        return action

    def action_view_omnitron_events(self):
        """Smart button: the deliveries that created or changed this order."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_webhook_event_action")
        action["domain"] = [("order_id", "=", self.id)]
        action["context"] = {}
        return action

    @api.depends(
        "omnitron_job_ids.state",
        "omnitron_job_ids.exc_message",
        "omnitron_job_ids.result",
    )
    def _compute_omnitron_sync_state(self):
        # Not on the account's settings: "Not Sent" is what happened to this order when it was
        # imported, and an account's change must not recompute every order it ever had.
        sending = {}  # per account, asked once: an account's change recomputes all its orders
        for sale_order in self:
            if not sale_order.omnitron_job_ids and sale_order.omnitron_pk:
                # Nothing was queued: its account sends nothing (the detail says why), or not yet.
                account = sale_order.sudo().omnitron_account_id
                if account.id not in sending:
                    sending[account.id] = bool(account) and not account._outbound_refusal()
                sale_order.omnitron_sync_state = False if sending[account.id] else "off"
                sale_order.omnitron_sync_error = False
                continue
            jobs = sale_order.omnitron_job_ids.sorted("id")
            failed = jobs.filtered(lambda job: job.state == "failed")
            pending = jobs.filtered(lambda job: job.state not in ("done", "failed", "cancelled"))
            if failed:
                sale_order.omnitron_sync_state = "failed"
                sale_order.omnitron_sync_error = failed[-1].exc_message or failed[-1].result or False
            elif pending:
                sale_order.omnitron_sync_state = "pending"
                # A job waiting for its next try keeps why the last one failed (in its result).
                last = pending[-1]
                sale_order.omnitron_sync_error = last.exc_message or (last.retry and last.result) or False
            else:
                sale_order.omnitron_sync_state = "done" if jobs else False
                sale_order.omnitron_sync_error = False

    @api.depends(
        "omnitron_sync_state",
        # Not stored: what the account does now is said as it is now.
        "omnitron_account_id.active",
        "omnitron_account_id.outbound_enabled",
        "omnitron_account_id.api_url",
        "omnitron_job_ids.state",
        "omnitron_job_ids.exc_message",
        "omnitron_job_ids.result",
        "omnitron_job_ids.retry",
        "omnitron_job_ids.eta",
    )
    @api.depends_context("lang", "tz")
    def _compute_omnitron_sync_detail(self):
        """The sync banner's sentence, in the reader's language and time zone (omnitron.outbound says it)."""
        outbound = self.env["omnitron.outbound"]
        for sale_order in self:
            if sale_order.omnitron_sync_state == "off":
                account = sale_order.sudo().omnitron_account_id
                sale_order.omnitron_sync_detail = (
                    (
                        account._outbound_refusal()
                        or self.env._(
                            "Nothing was sent to Omnitron for this order: its account sent nothing when it was "
                            "imported. Refresh from Omnitron, or act on the order, to send what changes now."
                        )
                    )
                    if account
                    else self.env._("This order has no Omnitron account: it is told to no Omnitron.")
                )
                continue
            sale_order.omnitron_sync_detail = outbound._sync_detail(sale_order.sudo().omnitron_job_ids)

    @api.depends("omnitron_amount_mismatch", "omnitron_amount", "amount_total", "currency_id")
    @api.depends_context("lang")
    def _compute_omnitron_amount_mismatch_detail(self):
        """The banner's sentence, in the reader's language (only the numbers are stored)."""
        for sale_order in self:
            if not sale_order.omnitron_amount_mismatch:
                sale_order.omnitron_amount_mismatch_detail = False
                continue
            currency = sale_order.currency_id
            sale_order.omnitron_amount_mismatch_detail = self.env._(
                "Odoo's total %(odoo_total)s differs from the amount Omnitron sent, %(omnitron_total)s, "
                "by %(difference)s.",
                odoo_total=currency.format(sale_order.amount_total),
                omnitron_total=currency.format(sale_order.omnitron_amount),
                difference=currency.format(sale_order.amount_total - sale_order.omnitron_amount),
            )

    def write(self, vals):
        """Which Omnitron order this is, and whose, is Omnitron's: only its flows (as superuser) set it.

        An order told to the wrong Omnitron cancels whatever order has that
        id there, with that Omnitron's credentials: no user may point an
        order at another account, id or channel, whatever rights they have.
        """
        changed = OMNITRON_IDENTITY.intersection(vals)
        if changed and not self.env.su:
            labels = sorted(self._fields[name].get_description(self.env)["string"] for name in changed)
            raise AccessError(
                self.env._("%(fields)s of an order are Omnitron's and cannot be changed.", fields=", ".join(labels))
            )
        result = super().write(vals)
        if vals.get("workflow_process_id"):
            # The banner asked for a workflow: set, the order is no longer waiting for a payment rule.
            self.env["omnitron.matter"]._close_kinds(self, ["payment_unmatched"], matters.CLOSED_BY_FIX)
        return result

    def _omnitron_lock(self):
        """Lock the order's row until the transaction ends: one update at a time.

        First the order's turn (``_omnitron_turn``): a job telling Omnitron
        to cancel or refund it may be waiting for Omnitron's answer. Then the
        row: a concurrent update that committed meanwhile (that job's, too)
        makes this raise a serialization failure, and Odoo replays the
        request, which then sees what the other one applied.
        """
        self._omnitron_turn()
        self.env.cr.execute(
            "SELECT id FROM sale_order WHERE id IN %s FOR UPDATE",
            [tuple(self.ids)],
            log_exceptions=False,  # a serialization failure here is an expected replay
        )

    def _omnitron_turn(self):
        """Wait for the orders' turn: a transaction-level advisory lock per order.

        Not the row lock: a job holding the row while it waits for Omnitron
        would hang queue_job, which records a failed or postponed try (and
        with it the order's sync state, a write of the row) on a second
        cursor before the first one rolls back.
        """
        for order_id in sorted(self.ids):
            self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [const.ADVISORY_LOCK_ORDER, order_id])

    @contextlib.contextmanager
    def _omnitron_unlocked(self):
        """Odoo refuses quantity changes on a locked order; Omnitron's word comes first, then it is locked again."""
        locked = self.filtered("locked")
        locked.locked = False
        try:
            yield
        finally:
            locked.locked = True

    @api.depends("omnitron_matter_ids.state", "omnitron_matter_ids.facts")
    @api.depends_context("lang")
    def _compute_omnitron_action_note(self):
        """The banner's notes: the open matters' sentences, newest first, in the reader's language."""
        for sale_order in self:
            open_matters = sale_order.omnitron_matter_ids.filtered(
                lambda matter: matter.state == "open" and not matters.KINDS[matter.kind].own_banner
            ).sorted(lambda matter: (matter.opened_at, matter.id), reverse=True)
            sale_order.omnitron_action_note = "\n".join(filter(None, open_matters.mapped("sentence"))) or False

    def _omnitron_company_lang(self):
        """The language the order's chatter is written in: its company's."""
        return self.company_id.partner_id.lang or "en_US"

    @api.depends("omnitron_status", "omnitron_delivery_type", "omnitron_tracking_url", "omnitron_e_archive_url")
    def _compute_omnitron_labels(self):
        statuses = dict(const.STATUS_LABELS)
        delivery_types = dict(const.DELIVERY_TYPE_LABELS)
        for sale_order in self:
            sale_order.omnitron_status_label = (
                sale_order.omnitron_status if sale_order.omnitron_status in statuses else False
            )
            sale_order.omnitron_delivery_type_label = (
                sale_order.omnitron_delivery_type if sale_order.omnitron_delivery_type in delivery_types else False
            )
            sale_order.omnitron_tracking_url_is_link = _is_link(sale_order.omnitron_tracking_url)
            sale_order.omnitron_e_archive_url_is_link = _is_link(sale_order.omnitron_e_archive_url)

    def _omnitron_responsible(self):
        """Who must act: the salesperson, else an Omnitron administrator of the company, else the admin."""
        if self.user_id:
            return self.user_id
        return self.company_id._omnitron_administrator() or self.create_uid

    def action_omnitron_mark_handled(self):
        """Staff dealt with what Omnitron asked: the flags and the notes are cleared (the update flow's)."""
        self._omnitron_check_user()
        return self.env["omnitron.order.update"]._mark_handled(self)

    def action_omnitron_refresh(self):
        """Fetch the order from its Omnitron and apply it as Omnitron's update: the repair for a missed one.

        Once per REFRESH_INTERVAL per order (a press calls Omnitron with the
        account's credentials); the pressing user is named on the event and
        in the chatter.
        """
        self.ensure_one()
        self._omnitron_check_user()
        last = self.sudo().omnitron_refreshed_at
        now = fields.Datetime.now()
        if last and now - last < REFRESH_INTERVAL:
            wait = int((last + REFRESH_INTERVAL - now).total_seconds()) + 1
            raise UserError(
                self.env._(
                    "%(order)s was refreshed from Omnitron a moment ago; try again in %(seconds)s seconds.",
                    order=self.name,
                    seconds=wait,
                )
            )
        self.sudo().omnitron_refreshed_at = now
        try:
            state, problem = self.env["omnitron.catch.up"]._refresh(self, user=self.env.user)
        except omnitron_api.ApiFailure as failure:
            state, problem = None, str(failure)
        if problem:
            message, kind = problem, "danger"
        elif state == const.STATE_UPDATED:
            message, kind = self.env._("Refreshed from Omnitron: what changed is in the chatter."), "success"
        elif state in (const.STATE_DONE, const.STATE_IGNORED) and not self.omnitron_needs_action:
            message, kind = self.env._("Refreshed from Omnitron: nothing had changed."), "info"
        else:
            message = self.env._("Omnitron's order could not be applied: see the order's webhook events.")
            kind = "warning"
        return client_actions.notification(
            message,
            kind,
            title=self.env._("Refresh from Omnitron"),
            sticky=kind in ("danger", "warning"),
            then=client_actions.SOFT_RELOAD,
        )

    def _omnitron_check_user(self):
        if self.env.su:
            return
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_user"):
            raise AccessError(self.env._("Only Omnitron users may do this on an Omnitron order."))
        # The orders as the user may read them, before anything runs as superuser: an order
        # of a company the user cannot reach is refused, as Odoo refuses to show it.
        self.check_access("read")

    # --- Telling Omnitron (omnitron.outbound) ---

    def _omnitron_send(self, kind, item_pks=None, receipt_id=None):
        """The queue_job job: send what Odoo did to Omnitron (see omnitron.outbound)."""
        self.ensure_one()
        return self.env["omnitron.outbound"]._send(self, kind, item_pks, receipt_id)

    @api.model
    def _job_store_values(self, job):
        """queue_job hook: an Omnitron job keeps its order, for the order's sync state and Retry.

        (queue_job also offers ``_job_store_values_for_<method>``, but calls
        this generic hook after it and keeps only the last answer.)
        """
        values = super()._job_store_values(job)
        if job.method_name == "_omnitron_send" and len(job.recordset) == 1:
            values["omnitron_order_id"] = job.recordset.id
        return values

    def _action_cancel(self):
        outbound = self.env["omnitron.outbound"]
        told = self.filtered(
            lambda order: (
                order.omnitron_pk and order.state != "cancel" and order.omnitron_status not in const.FINAL_STATUSES
            )
        )
        result = super()._action_cancel()
        outbound._enqueue(told, "cancel")
        # A cancelled order has nothing left to ship, to answer, to pay or to run.
        self.env["omnitron.matter"]._close_kinds(
            self.filtered(lambda order: order.state == "cancel"),
            ["plan_request", "held", "payment_unmatched", "workflow_failed"],
            matters.CLOSED_BY_ORDER,
        )
        return result

    def action_omnitron_retry_sync(self):
        """Retry the failed Omnitron jobs of these orders now (the outbound flow's)."""
        self._omnitron_check_user()
        return self.env["omnitron.outbound"]._retry(self)


def _is_link(url):
    return bool(url) and url.lower().startswith(("https://", "http://"))
