from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError


def _installed_languages(model):
    return model.env["res.lang"].get_installed()


class OmnitronChannel(models.Model):
    """One Omnitron sales channel (Trendyol, n11, the web shop…) of one company.

    Created by the first delivery that names it, then kept by the admin:
    the defaults an imported order takes (sales team, salesperson, warehouse,
    UTM source, the customers' language) and whether its orders are accepted,
    which is the allowed-channels filter of the settings seen from here.
    """

    _name = "omnitron.channel"
    _description = "Omnitron Channel"
    _order = "company_id, name, channel_pk"
    _check_company_auto = True

    name = fields.Char(required=True, help="The channel's name as Omnitron first sent it; yours to change.")
    channel_pk = fields.Integer(string="Channel ID", required=True, readonly=True, aggregator=None)
    channel_type = fields.Char(readonly=True, help="Omnitron's channel type, e.g. web, trendyol, n11.")
    account_id = fields.Many2one(
        "omnitron.account",
        string="Omnitron Account",
        required=True,
        readonly=True,
        index=True,
        ondelete="restrict",
        help="The Omnitron this channel belongs to: a channel id means something only within its Omnitron.",
    )
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True, precompute=True)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    team_id = fields.Many2one(
        "crm.team", string="Sales Team", check_company=True, help="The sales team of the orders of this channel."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="The salesperson of the orders of this channel: they see them under My Quotations and My Orders, "
        "and, as an Omnitron user, get the activities of its deliveries that need a person.",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="The warehouse that ships this channel's orders (empty: the company's default).",
    )
    workflow_process_id = fields.Many2one(
        "sale.workflow.process",
        string="Default Workflow",
        help="The automatic workflow (invoice, post, pay) of this channel's orders that no payment rule covers.",
    )
    source_id = fields.Many2one("utm.source", help="The UTM source of this channel's orders, for Sales Analysis.")
    customer_lang = fields.Selection(
        _installed_languages,
        string="Customer Language",
        help="The language of the customers this channel creates (empty: the language of their country "
        "when it is installed, e.g. Turkish for Turkey).",
    )
    match_customers_across_channels = fields.Boolean(
        string="Recognise Buyers of Other Channels",
        help="A new customer of this channel with the tax number (TCKN/VKN) - or, without one, the e-mail - of a "
        "customer of another channel is that customer, instead of a new partner. Off by default: marketplaces "
        "often mask e-mails, and two people may share one.",
    )
    ships_elsewhere = fields.Boolean(
        string="Goods Leave From Elsewhere",
        help="This channel's goods are shipped from outside Odoo's warehouses (a marketplace's own fulfilment): "
        "items Omnitron reports shipped when the order is imported are marked delivered without a stock move. "
        "Off: they leave the channel's warehouse once, through a done delivery with Omnitron's tracking number.",
    )
    accept_orders = fields.Boolean(
        string="Orders Accepted",
        default=True,
        help="Off: this channel's orders are not imported (202 channel_not_allowed). Checked beside the "
        "database-wide Allowed Channels of the Omnitron settings: both must accept an order.",
    )
    sale_order_ids = fields.One2many("sale.order", "omnitron_channel_id", string="Orders")
    event_ids = fields.One2many("omnitron.webhook.event", "channel_id", string="Deliveries")
    order_count = fields.Integer(string="Orders", compute="_compute_dashboard")
    orders_today = fields.Integer(string="Imported Today", compute="_compute_dashboard")
    cancelled_today = fields.Integer(compute="_compute_dashboard")
    orders_this_week = fields.Integer(string="Imported in 7 Days", compute="_compute_dashboard")
    quotations_this_week = fields.Integer(
        string="Waiting in 7 Days",
        compute="_compute_dashboard",
        help="Quotations of the last 7 days: orders waiting in Omnitron (payment, approval), not imported yet.",
    )
    cancelled_this_week = fields.Integer(string="Cancelled in 7 Days", compute="_compute_dashboard")
    amount_this_week = fields.Monetary(
        string="Total in 7 Days", compute="_compute_dashboard", currency_field="currency_id"
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    attention_count = fields.Integer(string="Needs Attention", compute="_compute_dashboard")
    returns_expected = fields.Integer(
        compute="_compute_dashboard", help="Open return receipts of this channel's orders."
    )
    returns_received_this_week = fields.Integer(string="Returns Received in 7 Days", compute="_compute_dashboard")
    action_count = fields.Integer(
        string="Orders Needing Action",
        compute="_compute_dashboard",
        help="This channel's orders flagged for a person: Omnitron's changes, cancellations and refunds, a payment "
        "no rule covers, an automatic workflow that failed.",
    )
    last_delivery_at = fields.Datetime(string="Last Delivery", compute="_compute_dashboard")

    _sql_constraints = [
        # One channel per Omnitron channel and account; concurrent first
        # deliveries of a channel collide here and the loser is replayed.
        ("channel_pk_account_uniq", "unique(channel_pk, account_id)", "This Omnitron channel already exists."),
    ]

    @api.depends("name", "channel_pk")
    def _compute_display_name(self):
        for channel in self:
            named = channel.name and channel.name != str(channel.channel_pk)
            channel.display_name = f"{channel.name} ({channel.channel_pk})" if named else str(channel.channel_pk)

    def write(self, vals):
        # A channel id means something only within its Omnitron: a channel never moves to another account.
        if "account_id" in vals and any(channel.account_id.id != vals["account_id"] for channel in self):
            raise ValidationError(self.env._("A channel belongs to the Omnitron account it came from."))
        return super().write(vals)

    @api.constrains("user_id", "company_id")
    def _check_salesperson_company(self):
        """The channel's salesperson gets its orders and activities: a user of the channel's company."""
        for channel in self.filtered("user_id"):
            if channel.user_id.share or channel.user_id.has_group("omnitron_order_webhook.group_omnitron_sender"):
                raise ValidationError(
                    self.env._(
                        "Salesperson: %(user)s is a machine account (an Omnitron sender) or a portal user, not a "
                        "person: choose someone of %(company)s who works the orders.",
                        user=channel.user_id.name,
                        company=channel.company_id.name,
                    )
                )
            if channel.company_id not in channel.user_id.company_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot be the salesperson of channel %(channel)s: they are not a user of "
                        "%(company)s.",
                        user=channel.user_id.name,
                        channel=channel.display_name,
                        company=channel.company_id.name,
                    )
                )

    def _compute_dashboard(self):
        """The dashboard's figures, all from one rule (``_dashboard_groups``).

        An order counts as imported once confirmed; quotations waiting in
        Omnitron (payment, approval) and cancelled orders are counted apart,
        by the same periods, so *today* never exceeds *7 days*.
        """
        Order = self.env["sale.order"]
        Event = self.env["omnitron.webhook.event"]
        totals = dict(
            Order._read_group([("omnitron_channel_id", "in", self.ids)], ["omnitron_channel_id"], ["__count"])
        )
        today = self._dashboard_groups(self._start_of_today())
        week = self._dashboard_groups(fields.Datetime.now() - timedelta(days=7), with_amounts=True)
        attention = dict(
            Event._read_group(
                [("channel_id", "in", self.ids), ("needs_attention", "=", True)], ["channel_id"], ["__count"]
            )
        )
        last = dict(Event._read_group([("channel_id", "in", self.ids)], ["channel_id"], ["received_at:max"]))
        flagged = dict(
            Order._read_group(
                [("omnitron_channel_id", "in", self.ids), ("omnitron_needs_action", "=", True)],
                ["omnitron_channel_id"],
                ["__count"],
            )
        )
        expected, received = self._dashboard_returns(fields.Datetime.now() - timedelta(days=7))
        for channel in self:
            channel.returns_expected = expected.get(channel, 0)
            channel.returns_received_this_week = received.get(channel, 0)
            channel.order_count = totals.get(channel, 0)
            channel.orders_today = today["sale"].get(channel, 0)
            channel.cancelled_today = today["cancel"].get(channel, 0)
            channel.orders_this_week = week["sale"].get(channel, 0)
            channel.quotations_this_week = week["quotation"].get(channel, 0)
            channel.cancelled_this_week = week["cancel"].get(channel, 0)
            channel.amount_this_week = week["amount"].get(channel, 0.0)
            channel.attention_count = attention.get(channel, 0)
            channel.action_count = flagged.get(channel, 0)
            channel.last_delivery_at = last.get(channel, False)

    def _dashboard_returns(self, since):
        """Return receipts of these channels' orders: open ones, and those validated since ``since``, per channel."""
        expected, received = {}, {}
        receipts = self.env["stock.picking"].search(
            [
                ("sale_id.omnitron_channel_id", "in", self.ids),
                ("return_id", "!=", False),
                ("picking_type_code", "=", "incoming"),
                "|",
                ("state", "not in", ("done", "cancel")),
                "&",
                ("state", "=", "done"),
                ("date_done", ">=", since),
            ]
        )
        for receipt in receipts:
            counts = received if receipt.state == "done" else expected
            channel = receipt.sale_id.omnitron_channel_id
            counts[channel] = counts.get(channel, 0) + 1
        return expected, received

    def _dashboard_groups(self, since, with_amounts=False):
        """Orders of these channels created since ``since``, counted per channel and kind.

        Kinds: ``sale`` (imported: confirmed), ``quotation`` (waiting in
        Omnitron), ``cancel``; ``amount`` is the total of the ``sale`` ones,
        each converted to the company's currency at today's rate.
        """
        kinds = {"sale": "sale", "draft": "quotation", "sent": "quotation", "cancel": "cancel"}
        groups = {"sale": {}, "quotation": {}, "cancel": {}, "amount": {}}
        today = fields.Date.context_today(self)
        for channel, state, currency, count, amount in self.env["sale.order"]._read_group(
            [("omnitron_channel_id", "in", self.ids), ("create_date", ">=", since)],
            ["omnitron_channel_id", "state", "currency_id"],
            ["__count", "amount_total:sum"],
        ):
            kind = kinds.get(state, "sale")
            groups[kind][channel] = groups[kind].get(channel, 0) + count
            if kind == "sale" and with_amounts:
                converted = currency._convert(amount, channel.currency_id, channel.company_id, today)
                groups["amount"][channel] = groups["amount"].get(channel, 0.0) + converted
        return groups

    def _start_of_today(self):
        """Midnight of the reader's today, in UTC as the database stores dates."""
        tz = pytz.timezone(self.env.context.get("tz") or self.env.user.tz or "UTC")
        midnight = tz.localize(datetime.combine(fields.Date.context_today(self), time.min))
        return midnight.astimezone(pytz.UTC).replace(tzinfo=None)

    @api.model
    def _find(self, account, channel_pk):
        if not channel_pk or not account:
            return self.browse()
        return self.with_context(active_test=False).search(
            [("channel_pk", "=", channel_pk), ("account_id", "=", account.id)], limit=1
        )

    @api.model
    def _for_delivery(self, account, omnitron_channel):
        """The channel of a delivery of ``account``'s Omnitron, created at its first delivery."""
        channel = self._find(account, omnitron_channel.pk)
        if channel:
            return channel
        # A savepoint of its own, only for the first delivery: a concurrent
        # first delivery makes the unique constraint fail, and the reception
        # replays the request (RETRY_CONSTRAINTS), which then finds the channel.
        with self.env.cr.savepoint():
            return self.create(
                {
                    "channel_pk": omnitron_channel.pk,
                    "name": omnitron_channel.name or str(omnitron_channel.pk),
                    "channel_type": omnitron_channel.channel_type or False,
                    "account_id": account.id,
                }
            )

    def _accepted_siblings(self):
        """The ids of the channels of this channel's account that accept orders (for a refusal's words)."""
        self.ensure_one()
        return frozenset(
            self.sudo()
            .search([("account_id", "=", self.account_id.id), ("accept_orders", "=", True)])
            .mapped("channel_pk")
        )

    def _order_defaults(self):
        """What an order imported from this channel takes from it."""
        self.ensure_one()
        values = {"omnitron_channel_id": self.id, "omnitron_account_id": self.account_id.id}
        if self.user_id:
            values["user_id"] = self.user_id.id
        if self.team_id:
            values["team_id"] = self.team_id.id
        if self.warehouse_id:
            values["warehouse_id"] = self.warehouse_id.id
        if self.source_id:
            values["source_id"] = self.source_id.id
        return values

    def action_open_channel(self):
        """The dashboard card's link to the channel's form, to set its salesperson and other defaults."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("sale.action_orders")
        action.update(
            domain=[("omnitron_channel_id", "=", self.id)],
            context={"default_omnitron_channel_id": self.id, "create": False},
            name=self.env._("Orders of %(channel)s", channel=self.display_name),
        )
        return action

    def action_view_orders_needing_action(self):
        """The channel's orders a person must act on (the flags' banner says what)."""
        action = self.action_view_orders()
        action["context"] = {**action["context"], "search_default_omnitron_needs_action": 1}
        action["name"] = self.env._("Orders of %(channel)s needing action", channel=self.display_name)
        return action

    def action_view_attention(self):
        """The channel's deliveries a person must look at."""
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_webhook_event_action")
        action["domain"] = [("channel_id", "=", self.id)]
        action["context"] = {"search_default_attention": 1}
        action["name"] = self.env._("Deliveries of %(channel)s", channel=self.display_name)
        return action

    def action_view_events(self):
        action = self.action_view_attention()
        action["context"] = {}
        return action
