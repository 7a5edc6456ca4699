import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, formatLang
from odoo.tools.translate import LazyTranslate

from ..core import client_actions, omnitron_api
from ..core import settings as omnitron_settings
from ..core.settings import ConfigError, Secret

_logger = logging.getLogger(__name__)
_lt = LazyTranslate(__name__)

# Where the password lives: a column of its own, outside every field, as Odoo
# keeps res.users' password. No read, search or export can reach it; only the
# code that calls Omnitron reads it (``_api_password``).
_PASSWORD_COLUMN = "api_password_secret"
# What Odoo itself writes on an account (the pull's record, whether a password is stored): never
# written by a user, through the form or over RPC.
# What a pull's result counts (core/catch_up.PullTally), as its account shows them.
_TALLY_KEYS = ("listed", "imported", "already", "refused", "failed", "skipped")
_SYSTEM_FIELDS = (
    "api_password_set",
    "catch_up_last_run",
    "catch_up_last_result",
    "catch_up_last_counts",
    "catch_up_last_failure",
    "catch_up_last_error",
    "catch_up_failing",
)


# Stock changes or stock jobs waiting longer than this put a banner on the account and tell its administrator.
STALE_MINUTES = 15


class OmnitronAccount(models.Model):
    """One Omnitron installation the company works with: its connection, senders, channels and pull.

    A group running several brands as several companies in one database has
    one account per company's Omnitron (as Odoo's ``amazon.account`` is one
    seller account, OCA's ``magento.backend`` one shop). Everything that talks
    to an Omnitron goes through its account: the senders whose tokens post
    its orders, the channels its orders come from, the jobs that tell it what
    Odoo did and the catch-up pull (``omnitron.catch.up``) that lists what its
    webhook missed. The database-wide filters and limits stay in the settings.
    """

    _name = "omnitron.account"
    _description = "Omnitron Account"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id, name, id"

    name = fields.Char(required=True, tracking=True, help="How people call this Omnitron, e.g. the brand's name.")
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        tracking=True,
        help="The company whose orders this Omnitron sends: they are imported in it, and only its "
        "orders are told back to this Omnitron.",
    )
    active = fields.Boolean(default=True, tracking=True)
    api_url = fields.Char(
        string="API URL",
        tracking=True,
        help="The Omnitron's base URL, e.g. https://omnitron.example.com. Changing it forgets the stored password: "
        "type the password again in the same save.",
    )
    api_username = fields.Char(
        string="API Username",
        tracking=True,
        help="Changing it forgets the stored password: type the password again in the same save.",
    )
    api_password = fields.Char(
        string="API Password",
        compute="_compute_api_password",
        inverse="_inverse_api_password",
        copy=False,
        help="Never shown again once saved; type a new one to replace it.",
    )
    # Stored beside the password's column, so knowing whether one is set costs no query of its own.
    api_password_set = fields.Boolean(string="Password Stored", readonly=True, copy=False)
    cancellation_reason_id = fields.Integer(
        string="Cancellation Reason ID",
        aggregator=None,
        tracking=True,
        help="This Omnitron's reason id sent for cancellations made in Odoo (0: none set).",
    )
    timeout_seconds = fields.Integer(
        string="API Timeout (seconds)",
        default=10,
        aggregator=None,
        help="The most one call to Omnitron may take, from connecting to the last byte of its answer.",
    )
    outbound_enabled = fields.Boolean(
        string="Send Fulfilment",
        tracking=True,
        help="Imported orders, validated deliveries, posted invoices and cancellations made in Odoo are sent to "
        "this Omnitron as background jobs.",
    )
    stock_sync_enabled = fields.Boolean(
        string="Send Stock",
        tracking=True,
        help="What the stock lists' warehouses can sell is sent to this Omnitron as it changes (Stock tab).",
    )
    stock_list_ids = fields.One2many("omnitron.stock.list", "account_id", string="Stock Lists")
    stock_requests_per_minute = fields.Integer(
        string="Stock Writes per Minute",
        default=300,
        help="The most stock writes sent to this Omnitron in a minute, by all workers together (0: no ceiling).",
    )
    price_sync_enabled = fields.Boolean(
        string="Send Prices",
        tracking=True,
        help="Each product's price on the price lists' Odoo pricelists, taxes included, is sent to this Omnitron "
        "as it changes (Prices tab). Off when Omnitron or its Dynamic Price sets the prices.",
    )
    price_list_ids = fields.One2many("omnitron.price.list", "account_id", string="Price Lists")
    stock_stale_note = fields.Char(
        compute="_compute_stock_stale_note",
        help="Why Omnitron's stock may be behind Odoo's: changes waiting too long, or stock jobs no runner takes.",
    )
    return_is_cargo_refund = fields.Boolean(
        string="Refund Shipping on Returns",
        help="Returns made in Odoo ask Omnitron to refund the shipping too (is_cargo_refund).",
    )
    send_invoice_link = fields.Boolean(
        string="Send Invoice Links",
        help="With an invoice's number, send its customer-portal link (it opens the invoice's PDF without "
        "logging in) as the item's e_archive_url, which Omnitron and the marketplaces show the buyer. Off by "
        "default: whoever has the link can open the invoice.",
    )
    cancel_is_cargo_refund = fields.Boolean(
        string="Refund Shipping on Cancellations",
        default=True,
        help="Cancelling a whole order in Odoo asks Omnitron to refund its shipping too (is_cargo_refund). "
        "Off: Omnitron keeps the shipping (its default), and Odoo does not expect it refunded.",
    )
    return_credit_note = fields.Selection(
        [("draft", "Keep Draft"), ("post", "Post")],
        string="Credit Notes of Returns",
        default="draft",
        required=True,
        help="When a return receipt of a refund Omnitron made is validated, the invoice is reversed for what was "
        "received: the credit note is kept draft for the accountant to check, or posted at once.",
    )
    catch_up_enabled = fields.Boolean(
        string="Catch-up Pull",
        tracking=True,
        help="Every few minutes, list the orders this Omnitron has not yet handed to an ERP and import the ones "
        "the webhook missed (Odoo down, restarting or failing when Omnitron posted them).",
    )
    catch_up_interval_minutes = fields.Integer(string="Pull Every (minutes)", default=10, aggregator=None)
    catch_up_statuses = fields.Char(
        string="Order Statuses Pulled",
        default=lambda self: self._default_catch_up_statuses(),
        help="Omnitron order status codes the pull lists, separated by commas or spaces. The default, as Akinon's "
        "own ERP connector lists orders not yet sent: every status from approved (400) to delivered (550), none "
        "cancelled or refunded. Orders of channels that do not accept orders are listed but not fetched.",
    )
    catch_up_last_run = fields.Datetime(string="Last Pull", readonly=True, copy=False)
    # The run's tally in English, as its job's result and the server log say it (kept for the log).
    catch_up_last_result = fields.Char(string="Last Pull Result (English)", readonly=True, copy=False)
    # The run's counts, so the result reads in each reader's language (catch_up_result_shown).
    catch_up_last_counts = fields.Json(readonly=True, copy=False)
    catch_up_result_shown = fields.Char(string="Last Pull Result", compute="_compute_catch_up_result_shown")
    # What Omnitron answered may be anything its host chose to say: Omnitron administrators only.
    catch_up_last_error = fields.Text(
        string="Last Pull Error", readonly=True, copy=False, groups="omnitron_order_webhook.group_omnitron_manager"
    )
    # The same error as its sentence and values, so it reads in each reader's language.
    catch_up_last_failure = fields.Json(
        readonly=True, copy=False, groups="omnitron_order_webhook.group_omnitron_manager"
    )
    catch_up_error_shown = fields.Text(
        string="Last Pull Error",
        compute="_compute_catch_up_error_shown",
        groups="omnitron_order_webhook.group_omnitron_manager",
    )
    # A failure streak is told to the administrators once, not at every run.
    catch_up_failing = fields.Boolean(readonly=True, copy=False)
    sender_ids = fields.One2many(
        "res.users",
        "omnitron_account_id",
        string="Senders",
        context={"active_test": False},
        groups="omnitron_order_webhook.group_omnitron_manager",
        help="The machine users whose tokens post this Omnitron's orders.",
    )
    channel_ids = fields.One2many("omnitron.channel", "account_id", string="Channels")
    sender_count = fields.Integer(compute="_compute_counts", groups="omnitron_order_webhook.group_omnitron_manager")
    channel_count = fields.Integer(compute="_compute_counts")

    @api.constrains("catch_up_interval_minutes", "timeout_seconds", "cancellation_reason_id")
    def _check_ranges(self):
        for account in self:
            for name, low, high in (
                ("catch_up_interval_minutes", 1, 1440),
                ("timeout_seconds", 1, 120),
                ("cancellation_reason_id", 0, None),
            ):
                value = account[name]
                if value < low or (high is not None and value > high):
                    raise ValidationError(
                        self.env._(
                            "%(field)s: %(value)s is not between %(low)s and %(high)s.",
                            field=self._fields[name].get_description(self.env)["string"],
                            value=value,
                            low=low,
                            high=high if high is not None else "∞",
                        )
                    )

    def init(self):
        self.env.cr.execute(
            SQL("ALTER TABLE omnitron_account ADD COLUMN IF NOT EXISTS %s varchar", SQL.identifier(_PASSWORD_COLUMN))
        )
        # When each account's running pull started, written and committed outside the pull's own
        # transaction (omnitron.catch.up._mark_started): a pull the server kills leaves its mark.
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS omnitron_pull_mark (
                   account_id integer PRIMARY KEY REFERENCES omnitron_account(id) ON DELETE CASCADE,
                   started_at timestamp NOT NULL
               )"""
        )

    # --- the password: written, never read back ---------------------------

    def _compute_api_password(self):
        for account in self:
            account.api_password = False

    def _inverse_api_password(self):
        for account in self.filtered("api_password"):
            account._check_manager()
            self.env.cr.execute(
                SQL(
                    "UPDATE omnitron_account SET %s = %s, api_password_set = TRUE WHERE id = %s",
                    SQL.identifier(_PASSWORD_COLUMN),
                    account.api_password,
                    account.id,
                )
            )
            # Not kept in the record's cache either: a later read finds nothing.
            account.invalidate_recordset(["api_password", "api_password_set"])

    def _stored_passwords(self):
        ids = [account_id for account_id in self.ids if isinstance(account_id, int)]
        if not ids:
            return {}
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM omnitron_account WHERE id IN %s",
                SQL.identifier(_PASSWORD_COLUMN),
                tuple(ids),
            )
        )
        return dict(self.env.cr.fetchall())

    def _api_password(self):
        """The stored password (a ``Secret``: its repr is masked), for the calls to Omnitron only."""
        self.ensure_one()
        password = self._stored_passwords().get(self.id)
        return Secret(password) if password else None

    # --- validation --------------------------------------------------------

    @api.constrains("api_url")
    def _check_api_url(self):
        sandbox = self._sandbox_allowed()
        for account in self.filtered("api_url"):
            label = self._fields["api_url"].get_description(self.env)["string"]
            try:
                url = omnitron_settings.parse_url(account.api_url.strip(), label)
                omnitron_settings.check_destination(url, label, sandbox=sandbox)
            except ConfigError as error:
                raise ValidationError(self.env._(error.message, **error.params)) from None

    @api.model
    def _sandbox_allowed(self):
        """Whether the Settings administrator allows http:// and private API URLs (a test Omnitron)."""
        return self._setting("sandbox_api_urls", fallback=False)

    @api.model
    def _max_answer_bytes(self):
        """The largest answer read from Omnitron: the webhook's own body limit."""
        return self._setting("max_body_bytes")

    @api.model
    def _setting(self, name, fallback=None):
        """One of the admin's settings (core/settings.py); its default, or ``fallback``, when stored invalid."""
        setting = omnitron_settings.SETTINGS_BY_NAME[name]
        try:
            return omnitron_settings.parse_value(setting, self.env["ir.config_parameter"].sudo().get_param(setting.key))
        except ConfigError:
            return setting.default if fallback is None else fallback

    @api.model
    def _default_catch_up_statuses(self):
        from ..core import catch_up  # noqa: PLC0415 - written beside this model

        return catch_up.DEFAULT_STATUSES

    @api.constrains("catch_up_statuses")
    def _check_catch_up_statuses(self):
        from ..core import catch_up  # noqa: PLC0415 - written beside this model

        for account in self:
            try:
                catch_up.parse_statuses(account.catch_up_statuses or "")
            except ValueError as error:
                raise ValidationError(
                    self.env._("Order Statuses Pulled: %(error)s", error=str(error)),
                ) from None

    @api.constrains("outbound_enabled", "catch_up_enabled", "api_url", "api_username", "api_password")
    def _check_connection_complete(self):
        for account in self.filtered(lambda account: account.outbound_enabled or account.catch_up_enabled):
            missing = account._missing_connection()
            if missing:
                raise ValidationError(
                    self.env._(
                        "%(account)s: to send fulfilment or pull orders, fill in %(fields)s.",
                        account=account.name,
                        fields=", ".join(missing),
                    )
                )

    @api.constrains("outbound_enabled", "cancellation_reason_id")
    def _check_cancellation_reason(self):
        """Sending means cancellations and returns made in Odoo reach Omnitron: each needs Omnitron's reason."""
        for account in self.filtered(lambda account: account.outbound_enabled and not account.cancellation_reason_id):
            raise ValidationError(
                self.env._(
                    "%(field)s: set the id of this Omnitron's reason for cancellations and returns made in Odoo "
                    "before switching Send Fulfilment on (%(account)s); without it the first cancellation or "
                    "return would fail.",
                    field=self._fields["cancellation_reason_id"].get_description(self.env)["string"],
                    account=account.name,
                )
            )

    @api.constrains("catch_up_enabled", "outbound_enabled")
    def _check_pull_marks_sent(self):
        for account in self.filtered(lambda account: account.catch_up_enabled and not account.outbound_enabled):
            raise ValidationError(
                self.env._(
                    "%(account)s: the catch-up pull finds the orders no ERP has taken by Omnitron's is_send mark, "
                    "which Odoo sets only while Send Fulfilment is on: switch it on to pull.",
                    account=account.name,
                )
            )

    def _missing_connection(self):
        """The labels of the connection fields this account lacks (empty: it can call Omnitron)."""
        self.ensure_one()
        missing = []
        if not self.api_url:
            missing.append(self._fields["api_url"].get_description(self.env)["string"])
        if not self.api_username:
            missing.append(self._fields["api_username"].get_description(self.env)["string"])
        # A password being typed counts (the form saves it with the switches that need it).
        if not (self.api_password or self.api_password_set):
            missing.append(self._fields["api_password"].get_description(self.env)["string"])
        return missing

    def _check_manager(self):
        """Only an Omnitron administrator of the account's company changes its connection."""
        if self.env.su:
            return
        if not self.env.user.has_group("omnitron_order_webhook.group_omnitron_manager"):
            raise AccessError(self.env._("Only an Omnitron administrator can change an Omnitron account."))
        if any(account.company_id not in self.env.user.company_ids for account in self):
            raise AccessError(self.env._("You may not change the Omnitron account of a company you cannot access."))

    @api.model_create_multi
    def create(self, vals_list):
        # The password is stored by its inverse, which Odoo runs after the
        # stored fields' constraints at creation: the switches that need it
        # are written once it is stored (and checked then).
        switches = [
            {name: vals.pop(name) for name in ("outbound_enabled", "catch_up_enabled") if name in vals}
            for vals in vals_list
        ]
        for vals in vals_list:
            self._check_writable(vals)
        accounts = super().create(vals_list)
        accounts._check_manager()
        for account, values in zip(accounts, switches, strict=True):
            if values:
                account.write(values)
        return accounts

    def write(self, vals):
        self._check_manager()
        self._check_writable(vals)
        if "company_id" in vals:
            self._check_company_kept(vals["company_id"])
        if not vals.get("api_password"):
            # The stored password never follows a new destination: a changed URL or username
            # forgets it unless a new one comes in the same save (an account that sends or pulls
            # is then refused as incomplete, naming the password).
            self._moved_destination(vals)._forget_password()
        result = super().write(vals)
        if {"stock_sync_enabled", "price_sync_enabled", "active"} & set(vals):
            self.env.registry.clear_cache()  # omnitron.stock.list._marking, omnitron.price.list._marking
        if vals.get("stock_sync_enabled") or vals.get("active"):
            # Stock switched on: every list is counted and sent in full at once, then only what changes.
            for stock_list in self.filtered("stock_sync_enabled").stock_list_ids.filtered("active"):
                self.env["omnitron.stock.sync"]._enqueue_drain(stock_list, full=True)
        if vals.get("price_sync_enabled") or vals.get("active"):
            # Prices switched on: every product's price is sent once, then what changes.
            for price_list in self.filtered("price_sync_enabled").price_list_ids.filtered("active"):
                self.env["omnitron.price.sync"]._enqueue_drain(price_list, full=True)
        return result

    @api.model
    def _check_writable(self, vals):
        """Refuse what a user may not write: Odoo's own fields, and a company the user cannot reach."""
        if self.env.su:
            return
        for name in _SYSTEM_FIELDS:
            if name in vals:
                raise AccessError(
                    self.env._(
                        "%(field)s is written by Odoo only, not by a user.",
                        field=self._fields[name].get_description(self.env)["string"],
                    )
                )
        company = self.env["res.company"].browse(vals.get("company_id") or [])
        if company and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "Company: you cannot put an Omnitron account in %(company)s, a company you cannot access.",
                    company=company.sudo().name,
                )
            )

    def _moved_destination(self, vals):
        """The accounts among these whose API URL or username ``vals`` changes."""
        return self.filtered(
            lambda account: any(
                key in vals and (vals[key] or "").strip() != (account[key] or "").strip()
                for key in ("api_url", "api_username")
            )
        )

    def _forget_password(self):
        if not self:
            return
        self.env.cr.execute(
            SQL(
                "UPDATE omnitron_account SET %s = NULL, api_password_set = FALSE WHERE id IN %s",
                SQL.identifier(_PASSWORD_COLUMN),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["api_password", "api_password_set"])

    def _check_company_kept(self, company_id):
        """An account's senders, channels, payment rules and orders are its company's: once it has any, its
        company stays (archived ones count: unarchiving would bring them back in the other company)."""
        for account in self.filtered(lambda account: account.company_id.id != company_id):
            everything = account.sudo().with_context(active_test=False)
            used = (
                everything.sender_ids
                or everything.channel_ids
                or self.env["omnitron.payment.rule"]
                .sudo()
                .with_context(active_test=False)
                .search_count([("account_id", "=", account.id)], limit=1)
                or self.env["sale.order"].sudo().search_count([("omnitron_account_id", "=", account.id)], limit=1)
            )
            if used:
                raise ValidationError(
                    self.env._(
                        "Company: %(account)s already has senders, channels, payment rules or orders of %(company)s, "
                        "so its company cannot change. Create an account in the other company instead.",
                        account=account.name,
                        company=account.company_id.name,
                    )
                )

    @api.constrains("company_id", "active")
    def _check_one_account_per_company(self):
        """One Omnitron per company: its orders, channels and senders are found by the company."""
        for account in self.filtered("active"):
            others = self.search_count(
                [("company_id", "=", account.company_id.id), ("active", "=", True), ("id", "!=", account.id)], limit=1
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "%(company)s already has an active Omnitron account: a company works with one Omnitron "
                        "(a brand with its own Omnitron is a company of its own).",
                        company=account.company_id.name,
                    )
                )

    @api.depends("catch_up_last_counts", "catch_up_last_result")
    @api.depends_context("lang")
    def _compute_catch_up_result_shown(self):
        for account in self:
            counts = account.catch_up_last_counts
            if not isinstance(counts, dict):
                account.catch_up_result_shown = account.catch_up_last_result  # a run of an earlier version
                continue
            number = {key: formatLang(self.env, counts.get(key) or 0, digits=0) for key in _TALLY_KEYS}
            shown = self.env._(
                "listed %(listed)s, imported %(imported)s, already there %(already)s, refused %(refused)s, "
                "failed %(failed)s",
                **{key: number[key] for key in ("listed", "imported", "already", "refused", "failed")},
            )
            if counts.get("skipped"):
                shown += self.env._("; not fetched %(skipped)s", skipped=number["skipped"])
            if counts.get("more_left"):
                shown += self.env._("; more left for the next run")
            account.catch_up_result_shown = shown

    @api.depends("catch_up_last_failure", "catch_up_last_error")
    @api.depends_context("lang")
    def _compute_catch_up_error_shown(self):
        for account in self:
            failure = account.catch_up_last_failure
            if isinstance(failure, dict) and failure.get("template"):
                account.catch_up_error_shown = self._say(failure["template"], failure.get("params") or {})
            else:
                account.catch_up_error_shown = account.catch_up_last_error

    @api.model
    def _say(self, template, params):
        """A sentence of the core (an ``_lt`` template of core/, exported with the addon's terms) in the
        reader's language; English when it cannot be said (a translation missing a value)."""
        try:
            return self.env._(template, **params) if params else self.env._(template)
        except (KeyError, TypeError, ValueError):
            return template % params if params else template

    def _say_failure(self, failure):
        """What a failed call to Omnitron (or a setting it needs) says, in the reader's language."""
        if isinstance(failure, (omnitron_api.ApiFailure, ConfigError)):
            template = getattr(failure, "template", None) or getattr(failure, "message", None)
            params = getattr(failure, "params", None) or {}
            if template:
                return self._say(template, params)
        return str(failure)

    @api.depends_context("lang")
    def _compute_stock_stale_note(self):
        for account in self:
            account.stock_stale_note = account._stock_stale_note() if account.id else False

    def _stock_stale_note(self):
        """A sentence when Omnitron's stock or prices are behind: the oldest unsent change is older than
        STALE_MINUTES, or a stock job has waited that long for a runner (False: nothing is late)."""
        self.ensure_one()
        if not (self.stock_sync_enabled or self.price_sync_enabled):
            return False
        self.env["omnitron.stock.sync"]._write_marks()  # this transaction's changes too
        cr = self.env.cr
        cr.execute(
            """SELECT EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min(COALESCE(eta, date_created))) / 60
                 FROM queue_job WHERE channel = 'root.omnitron_stock' AND state = 'pending'"""
        )
        queued = cr.fetchone()[0]
        if queued is not None and queued > STALE_MINUTES:
            return self.env._(
                "Stock jobs have waited %(minutes)s minutes for a job runner: is Odoo running with "
                "server_wide_modules = base,web,queue_job and workers? Omnitron's stock is behind meanwhile.",
                minutes=int(queued),
            )
        if self.stock_sync_enabled:
            warehouses = self.sudo().stock_list_ids.filtered("active").warehouse_ids
            cr.execute(
                """SELECT EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min(changed_at)) / 60
                     FROM omnitron_stock_change WHERE warehouse_id = ANY(%s)""",
                [warehouses.ids],
            )
            waited = cr.fetchone()[0]
            if waited is not None and waited > STALE_MINUTES:
                return self.env._(
                    "Stock changes have waited %(minutes)s minutes to reach Omnitron: look at the stock lists' "
                    "errors and the stock jobs.",
                    minutes=int(waited),
                )
        if self.price_sync_enabled and self.sudo().price_list_ids.filtered("active"):
            cr.execute(
                """SELECT EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - min(changed_at)) / 60
                     FROM omnitron_price_change"""
            )
            waited = cr.fetchone()[0]
            if waited is not None and waited > STALE_MINUTES:
                return self.env._(
                    "Price changes have waited %(minutes)s minutes to reach Omnitron: look at the price lists' "
                    "errors and the stock jobs.",
                    minutes=int(waited),
                )
        return False

    def _watch_stock(self):
        """One activity for the account's administrator while its stock is behind; done once it is not."""
        self.ensure_one()
        person = self.company_id._omnitron_person("administrator")
        lang = person.lang or self.company_id.partner_id.lang or "en_US"
        note = self.with_context(lang=lang)._stock_stale_note()
        summary = _lt("Stock not reaching Omnitron")._translate(lang)
        open_one = self.activity_ids.filtered(lambda activity: activity.summary == summary)
        if note and not open_one and person:
            self.activity_schedule("mail.mail_activity_data_warning", summary=summary, note=note, user_id=person.id)
        elif note and open_one:
            open_one.note = note
        elif not note and open_one:
            open_one.action_feedback(feedback=_lt("Omnitron's stock caught up.")._translate(lang))

    def _compute_counts(self):
        for account in self:
            account.sender_count = len(account.sudo().with_context(active_test=False).sender_ids)
            account.channel_count = len(account.channel_ids)

    # --- talking to Omnitron ----------------------------------------------

    def _connection(self):
        """How to call this account's Omnitron, or None when its connection is incomplete."""
        self.ensure_one()
        account = self.sudo()
        password = account._api_password()
        if not (account.api_url and account.api_username and password):
            return None
        return account._connection_to(account.api_url.strip().rstrip("/"), account.api_username.strip(), password)

    def _connection_to(self, url, username, password):
        """How to call ``url`` as ``username`` with this account's timeout and the admin's limits."""
        self.ensure_one()
        return omnitron_api.Connection(
            url=url,
            username=username,
            password=password,
            timeout=self.timeout_seconds or 10,
            max_answer_bytes=self._max_answer_bytes(),
            sandbox=self._sandbox_allowed(),
        )

    def _client(self, session=None):
        """A client of this account's Omnitron with its own shared key and login limit (None: no connection);
        ``session``: a kept connection (``omnitron_api.kept_session``) for many calls in a row."""
        connection = self._connection()
        if connection is None:
            return None
        return omnitron_api.Client(
            connection, self.env["omnitron.api.session"]._key_store(connection, account=self), session=session
        )

    def _secrets(self):
        """What must never be stored or shown of this account: its password and its current key."""
        self.ensure_one()
        connection = self._connection()
        if connection is None:
            return ()
        name = self.env["omnitron.api.session"]._key_store(connection, account=self).name
        self.env.cr.execute("SELECT key FROM omnitron_api_session WHERE connection = %s", [name])
        row = self.env.cr.fetchone()
        return tuple(value for value in (connection.password, row and row[0]) if value)

    def _outbound_refusal(self):
        """Why this account sends nothing (False: it sends), in the reader's language."""
        self.ensure_one()
        if not self.active:
            return self.env._("The Omnitron account %(account)s is archived.", account=self.name)
        if not self.outbound_enabled:
            return self.env._("Sending to Omnitron is switched off on the account %(account)s.", account=self.name)
        missing = self._missing_connection()
        if missing:
            return self.env._(
                "The Omnitron account %(account)s lacks %(fields)s.", account=self.name, fields=", ".join(missing)
            )
        return False

    def action_test_connection(self):
        """*Test connection*: a dialog where the URL, username and password are typed, tested, then kept."""
        self.ensure_one()
        self.check_access("read")
        self._check_manager()
        wizard = self.env["omnitron.account.connection"].create(
            {"account_id": self.id, "api_url": self.api_url or "", "api_username": self.api_username or ""}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test connection"),
            "res_model": "omnitron.account.connection",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def _test_connection(self):
        """(success, what happened in words)."""
        missing = self._missing_connection()
        if missing:
            return False, self.env._("Fill in %(fields)s first.", fields=", ".join(missing))
        client = self._client()
        try:
            client.key_store.replace(client.key_store.current())
        except omnitron_api.ApiFailure as failure:
            return False, self._say_failure(failure)
        return True, self.env._("Logged in to %(url)s as %(user)s.", url=self.api_url, user=self.api_username)

    def action_pull_now(self):
        """Enqueue this account's catch-up pull at once (whatever its interval)."""
        self.ensure_one()
        self.check_access("read")
        self._check_manager()
        missing = self._missing_connection()
        if missing:
            raise UserError(self.env._("Fill in %(fields)s first.", fields=", ".join(missing)))
        self.env["omnitron.catch.up"]._enqueue(self)
        return client_actions.notification(
            self.env._("The pull of %(account)s is queued; its result shows on the account.", account=self.name),
            "info",
            title=self.env._("Omnitron pull"),
        )

    def _omnitron_pull(self):
        """The queue_job job of the catch-up pull (see omnitron.catch.up)."""
        self.ensure_one()
        return self.env["omnitron.catch.up"]._pull(self)

    def action_view_senders(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_sender_action")
        action["domain"] = [("omnitron_account_id", "=", self.id)]
        action["context"] = {
            "default_omnitron_account_id": self.id,
            "default_company_id": self.company_id.id,
            "omnitron_new_sender": True,
        }
        return action

    def action_view_channels(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_channel_action")
        action["domain"] = [("account_id", "=", self.id)]
        action["context"] = {"default_account_id": self.id}
        return action
