from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core import client_actions, payments


class OmnitronPaymentRule(models.Model):
    """How the orders an Omnitron account's customers paid one way are invoiced and paid in Odoo.

    A rule names a payment kind (or a raw slug of that installation), an
    OCA automatic workflow (``sale.workflow.process``) and the journal the
    payment is registered in. An imported order takes the first rule that
    matches it: its channel's rules before the account's, a raw slug before
    a kind, then by sequence (``_workflow_for``).
    """

    _name = "omnitron.payment.rule"
    _description = "Omnitron Payment Rule"
    _order = "account_id, sequence, id"

    sequence = fields.Integer(default=10)
    account_id = fields.Many2one("omnitron.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    channel_id = fields.Many2one(
        "omnitron.channel",
        domain="[('account_id', '=', account_id)]",
        ondelete="cascade",
        help="Only this channel's orders (empty: every channel of the account).",
    )
    payment_kind = fields.Selection(payments.KINDS, help="How the order was paid, as read from Omnitron's payload.")
    raw_slug = fields.Char(
        string="Payment Slug",
        help="This installation's own payment_option_slug or payment type, matched whatever its case and dashes "
        "(e.g. kapida-nakit). Set it or a payment kind.",
    )
    workflow_process_id = fields.Many2one(
        "sale.workflow.process", string="Automatic Workflow", required=True, ondelete="restrict"
    )
    journal_id = fields.Many2one(
        "account.journal",
        string="Payment Journal",
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
        help="Where the workflow registers the payment (a card gateway's, a marketplace's receivable journal).",
    )
    active = fields.Boolean(default=True)
    waiting_order_count = fields.Integer(
        string="Orders Waiting",
        compute="_compute_waiting_orders",
        help="Orders of the account flagged No Payment Rule that this rule covers now.",
    )

    @api.constrains("payment_kind", "raw_slug")
    def _check_matches_something(self):
        for rule in self.filtered(lambda rule: not rule.payment_kind and not (rule.raw_slug or "").strip()):
            raise ValidationError(
                self.env._("Payment rule %(rule)s: set a payment kind or a payment slug.", rule=rule.id)
            )

    @api.constrains("journal_id", "account_id", "workflow_process_id", "channel_id")
    def _check_journal_and_channel(self):
        for rule in self:
            company = rule.account_id.company_id
            if rule.journal_id and rule.journal_id.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Payment Journal: %(journal)s belongs to %(other)s, not to %(company)s, the company of "
                        "%(account)s.",
                        journal=rule.journal_id.display_name,
                        other=rule.journal_id.company_id.name,
                        company=company.name,
                        account=rule.account_id.name,
                    )
                )
            workflow = rule.workflow_process_id.with_company(company)
            if workflow.register_payment and not (rule.journal_id or workflow.property_payment_journal_id):
                raise ValidationError(
                    self.env._(
                        "Payment Journal: the workflow %(workflow)s registers payments; choose the journal they go to.",
                        workflow=workflow.name,
                    )
                )
            if rule.channel_id and rule.channel_id.account_id != rule.account_id:
                raise ValidationError(
                    self.env._(
                        "Channel: %(channel)s is a channel of %(other)s, not of %(account)s.",
                        channel=rule.channel_id.display_name,
                        other=rule.channel_id.account_id.name,
                        account=rule.account_id.name,
                    )
                )

    @api.model
    def _workflow_for(self, channel, payment):
        """(workflow, journal, unmatched) for an order of ``channel`` paid as ``payment``.

        The first matching rule; else the channel's default workflow; else
        none (as before rules existed). ``unmatched`` is true when the
        account has rules and none covers the order and the channel has no
        default: the order is flagged, never given a guessed workflow.
        """
        workflow, journal, unmatched, _rule = self._match(channel, payment)
        return workflow, journal, unmatched

    @api.model
    def _match(self, channel, payment):
        """``_workflow_for`` with the rule that matched (empty: the channel's default, or none)."""
        rules = self.sudo().search([("account_id", "=", channel.account_id.id)])
        raw = payments.normalise(payment.raw) if payment.raw else None

        def rank(rule):
            return (0 if rule.channel_id else 1, 0 if rule.raw_slug else 1, rule.sequence, rule.id)

        for rule in rules.sorted(rank):
            if rule.channel_id and rule.channel_id != channel:
                continue
            slug_matches = rule.raw_slug and raw and payments.normalise(rule.raw_slug) == raw
            if slug_matches or (not rule.raw_slug and rule.payment_kind == payment.kind):
                return rule.workflow_process_id, rule.journal_id, False, rule
        if channel.workflow_process_id:
            return channel.workflow_process_id, self.env["account.journal"], False, self.browse()
        return self.env["sale.workflow.process"], self.env["account.journal"], bool(rules), self.browse()

    def _waiting_orders(self):
        """The account's orders waiting for a payment rule that its rules, as they are now, cover."""
        self.ensure_one()
        # The rule was read as the user (its company's); the orders are found whatever their sales rights.
        self.check_access("read")
        waiting = (
            self.env["omnitron.matter"]
            .sudo()
            .search(
                [
                    ("kind", "=", "payment_unmatched"),
                    ("state", "=", "open"),
                    ("sale_order_id.omnitron_account_id", "=", self.account_id.id),
                ]
            )
            .sale_order_id
        )
        return waiting.filtered(lambda order: self.sudo()._rule_for(order) == self)

    def _rule_for(self, sale_order):
        """The rule of the account that now covers how ``sale_order`` was paid (its channel's first)."""
        payment = payments.Payment(sale_order.omnitron_payment_kind, sale_order.omnitron_payment_raw or None, "order")
        workflow, _journal, _unmatched, rule = self._match(sale_order.omnitron_channel_id, payment)
        return rule

    @api.depends("account_id", "payment_kind", "raw_slug", "channel_id", "workflow_process_id")
    def _compute_waiting_orders(self):
        for rule in self:
            rule.waiting_order_count = len(rule._waiting_orders()) if rule.id and rule.account_id else 0

    def action_apply_to_waiting_orders(self):
        """Give the orders waiting for a payment rule this rule's workflow and journal: their matter closes."""
        self.ensure_one()
        self.check_access("write")
        orders = self._waiting_orders()
        for sale_order in orders:
            sale_order.sudo().write(
                {
                    "workflow_process_id": self.workflow_process_id.id,
                    "omnitron_payment_journal_id": self.journal_id.id,
                }
            )
            sale_order.sudo()._message_log(
                body=self.env._(
                    "Payment rule %(rule)s applied by %(user)s: automatic workflow %(workflow)s.",
                    rule=self.display_name,
                    user=self.env.user.name,
                    workflow=self.workflow_process_id.name,
                )
            )
        return client_actions.notification(
            self.env._(
                "%(count)s orders now follow %(workflow)s.", count=len(orders), workflow=self.workflow_process_id.name
            ),
            then=client_actions.CLOSE_DIALOG,
        )

    @api.model
    def _install_demo_rules(self, account_ids):
        """Demo data: a card rule (prepaid, into the company's bank journal) and a pay-on-delivery rule."""
        for account in self.env["omnitron.account"].browse(account_ids):
            bank = self.env["account.journal"].search(
                [("company_id", "=", account.company_id.id), ("type", "=", "bank")], limit=1
            )
            if not bank:
                continue  # no chart yet: the admin sets the rules up
            self.create(
                [
                    {
                        "account_id": account.id,
                        "payment_kind": payments.CARD,
                        "workflow_process_id": self.env.ref("omnitron_order_webhook.workflow_prepaid").id,
                        "journal_id": bank.id,
                    },
                    {
                        "account_id": account.id,
                        "payment_kind": payments.PAY_ON_DELIVERY,
                        "workflow_process_id": self.env.ref("omnitron_order_webhook.workflow_pay_on_delivery").id,
                    },
                ]
            )
