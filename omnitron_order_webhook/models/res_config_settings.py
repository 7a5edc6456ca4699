import json

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core import const
from ..core import settings as omnitron_settings
from ..core.settings import ConfigError

_FIELD_TYPES = {
    "integer": fields.Integer,
    "boolean": fields.Boolean,
    "key": fields.Char,
    "text": fields.Char,
    "dsn": fields.Char,
}


def _form_field(setting):
    """The settings form's field of one declared setting (core/settings.py SETTINGS).

    Integers and texts are stored by Odoo itself (``config_parameter``);
    booleans are written as "true"/"false" by ``set_values``, because Odoo's
    own boolean parameters store "True" or delete the key, which would read
    back as the default rather than as "off".
    """
    options = {"string": setting.label, "help": setting.help or None}
    if setting.kind != "boolean":
        options["config_parameter"] = setting.key
    return _FIELD_TYPES[setting.kind](**options)


def _translated(env, error):
    """A ConfigError in the reader's language: the pure core keeps English
    templates marked with ``_lt``, which Odoo exports and translates."""
    return env._(error.message, **error.params)


class ResConfigSettings(models.TransientModel):
    """Section "Omnitron" of the Sales settings.

    One field per setting declared in ``core/settings.py`` (SETTINGS), all
    stored in ir.config_parameter under its key; the order filtering is shown
    as two fields (allowed channels, property rules) written together as the
    ORDER_FILTERING JSON object. A value the webhook could not use is refused
    here with the same message the webhook would give, in the reader's language.
    """

    _inherit = "res.config.settings"

    # The fields of the declared settings (omnitron_<name>), derived from the table.
    for _setting in omnitron_settings.SETTINGS:
        if _setting.on_form:
            vars()[_setting.field_name] = _form_field(_setting)
    del _setting

    omnitron_warehouse_user_id = fields.Many2one(
        related="company_id.omnitron_warehouse_user_id",
        readonly=False,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    omnitron_accountant_user_id = fields.Many2one(
        related="company_id.omnitron_accountant_user_id",
        readonly=False,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    omnitron_administrator_user_id = fields.Many2one(
        related="company_id.omnitron_administrator_user_id",
        readonly=False,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    omnitron_allowed_channels = fields.Char(
        string="Allowed Channels",
        help="Omnitron channel ids, separated by commas (empty: every channel).",
    )
    omnitron_property_rules = fields.Text(
        string="Property Rules",
        help="A JSON object mapping a dotted path in the order to the allowed value or values, e.g. "
        '{"delivery_type": ["same_day", "standard"], "channel.channel_type": "n11"} (empty: no rule).',
    )
    omnitron_filter_summary = fields.Char(string="Omnitron Filters", compute="_compute_omnitron_filter_summary")
    omnitron_stored_error = fields.Char(
        string="Stored Settings Error",
        readonly=True,
        help="What the webhook says of the settings as stored now: it answers 500 config_error until they are "
        "corrected and saved.",
    )
    omnitron_known_channels = fields.Char(
        string="Known Channels",
        compute="_compute_omnitron_known_channels",
        help="The channels that have sent a delivery, by id and name (Sales > Omnitron > Channels).",
    )
    omnitron_account_count = fields.Integer(string="Omnitron Accounts", compute="_compute_omnitron_account_count")
    omnitron_webhook_url = fields.Char(string="Order Webhook", compute="_compute_omnitron_webhook_urls")
    omnitron_cancellation_plan_url = fields.Char(
        string="Cancellation-Plan Webhook", compute="_compute_omnitron_webhook_urls"
    )

    @api.model
    def default_get(self, fields_list):
        """Show the defaults the webhook applies when a key is not stored."""
        values = super().default_get(fields_list)
        for setting in omnitron_settings.SETTINGS:
            shown = setting.on_form and setting.kind == "integer" and setting.field_name in fields_list
            if shown and not values.get(setting.field_name):
                values[setting.field_name] = setting.default
        return values

    @api.model
    def get_values(self):
        values = super().get_values()
        params = self.env["ir.config_parameter"].sudo()
        filtering_key = omnitron_settings.key_of("order_filtering")
        try:
            filtering = omnitron_settings.parse_order_filtering(params.get_param(filtering_key) or None)
            values["omnitron_allowed_channels"] = omnitron_settings.format_channels(filtering.channels)
            values["omnitron_property_rules"] = omnitron_settings.format_properties(filtering.properties)
        except ConfigError:
            # Show what is stored, each part in its own field, so the admin can repair it.
            values.update(_stored_filtering_parts(params.get_param(filtering_key)))
        try:
            self.env["omnitron.webhook.reception"]._settings()
        except ConfigError as stored_error:
            values["omnitron_stored_error"] = _translated(self.env, stored_error)
        for setting in omnitron_settings.SETTINGS:
            if setting.kind == "boolean":
                stored = params.get_param(setting.key) or None
                try:
                    values[setting.field_name] = omnitron_settings.parse_value(setting, stored)
                except ConfigError:
                    values[setting.field_name] = setting.default
        return values

    def set_values(self):
        result = super().set_values()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(omnitron_settings.key_of("order_filtering"), self._omnitron_order_filtering().to_json())
        for setting in omnitron_settings.SETTINGS:
            if setting.kind == "boolean":
                params.set_param(setting.key, "true" if self[setting.field_name] else "false")
        return result

    @api.depends("omnitron_allowed_channels", "omnitron_property_rules", "omnitron_min_order_omnitron_id")
    @api.depends_context("lang")
    def _compute_omnitron_filter_summary(self):
        for record in self:
            try:
                record.omnitron_filter_summary = omnitron_settings.describe(
                    record._omnitron_settings(), translate=self.env._
                )
            except ConfigError as error:
                record.omnitron_filter_summary = _translated(self.env, error)

    @api.constrains(
        "omnitron_allowed_channels",
        "omnitron_property_rules",
        *(setting.field_name for setting in omnitron_settings.SETTINGS if setting.on_form),
    )
    def _check_omnitron_settings(self):
        for record in self:
            try:
                record._omnitron_settings()
            except ConfigError as error:
                raise ValidationError(_translated(self.env, error)) from None

    def _omnitron_order_filtering(self):
        channels = omnitron_settings.parse_channel_list(
            self.omnitron_allowed_channels, key=self.env._("Allowed Channels")
        )
        rules = (self.omnitron_property_rules or "").strip()
        properties = ()
        if rules:
            wrapped = f'{{"properties": {rules}}}'
            properties = omnitron_settings.parse_order_filtering(wrapped, key=self.env._("Property Rules")).properties
        return omnitron_settings.OrderFiltering(channels=channels, properties=properties)

    def _omnitron_settings(self):
        """The settings as the webhook would read them once saved (raises ConfigError)."""
        self.ensure_one()
        stored = {omnitron_settings.key_of("order_filtering"): self._omnitron_order_filtering().to_json()}
        for setting in omnitron_settings.SETTINGS:
            if setting.on_form:
                value = self[setting.field_name]
                if setting.kind == "boolean":
                    stored[setting.key] = "true" if value else "false"
                elif setting.kind == "integer":
                    stored[setting.key] = str(value)
                else:
                    stored[setting.key] = value or ""
        return omnitron_settings.parse_settings(stored)

    # The web client opens the settings with one onchange call: it recomputes only
    # the fields depending on a field of the form, and computed fields without any
    # dependency stay empty on screen. company_id is on every settings form (as
    # Odoo's own counters in base_setup depend on it).
    @api.depends("company_id")
    def _compute_omnitron_known_channels(self):
        # sudo: a settings admin need not be a salesman to see which channels exist.
        channels = self.env["omnitron.channel"].sudo().search([("company_id", "in", self.env.companies.ids)], limit=50)
        known = ", ".join(f"{channel.channel_pk} {channel.name}" for channel in channels.sorted("channel_pk"))
        for record in self:
            record.omnitron_known_channels = known or self.env._("none yet")

    @api.depends("company_id")  # see _compute_omnitron_known_channels
    def _compute_omnitron_webhook_urls(self):
        for record in self:
            record.omnitron_webhook_url, record.omnitron_cancellation_plan_url = self._omnitron_webhook_urls()

    @api.model
    def _omnitron_webhook_urls(self):
        """The two URLs Omnitron is given: the order webhook's and the cancellation-plan webhook's."""
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        return base + const.WEBHOOK_PATH, base + const.CANCELLATION_PLAN_PATH

    @api.depends("company_id")  # see _compute_omnitron_known_channels
    def _compute_omnitron_account_count(self):
        count = self.env["omnitron.account"].sudo().search_count([("company_id", "in", self.env.companies.ids)])
        for record in self:
            record.omnitron_account_count = count

    def action_omnitron_accounts(self):
        """The settings form's link to the accounts: each Omnitron's connection lives there."""
        return self.env["ir.actions.actions"]._for_xml_id("omnitron_order_webhook.omnitron_account_action")


def _stored_filtering_parts(raw):
    """The form's two filter fields from an ORDER_FILTERING stored invalid: its
    channels and its properties as written, each in its own field."""
    try:
        document = json.loads(raw or "")
    except ValueError:
        return {"omnitron_property_rules": raw}
    if not isinstance(document, dict):
        return {"omnitron_property_rules": raw}
    channels = document.get("channels")
    if isinstance(channels, list):
        channels = ", ".join(str(channel) for channel in channels)
    properties = document.get("properties")
    return {
        "omnitron_allowed_channels": "" if channels is None else str(channels),
        "omnitron_property_rules": "" if properties is None else json.dumps(properties, ensure_ascii=False),
    }
