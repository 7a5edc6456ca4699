from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..core import settings as omnitron_settings
from ..core.settings import ConfigError


class ResConfigSettings(models.TransientModel):
    """Section "Omnitron" of the Sales settings.

    Every value is stored in ir.config_parameter under the keys of
    ``core/settings.py``; the two filter fields are written together as the
    ORDER_FILTERING JSON object. A value the webhook could not use is refused
    here with the same message the webhook would give.
    """

    _inherit = "res.config.settings"

    omnitron_min_order_omnitron_id = fields.Integer(
        string="Minimum Omnitron ID",
        config_parameter=omnitron_settings.KEY_MIN_ORDER_OMNITRON_ID,
        help="MIN_ORDER_OMNITRON_ID: orders whose Omnitron pk is below this are ignored (0: no minimum).",
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
    omnitron_create_missing_products = fields.Boolean(
        string="Create Missing Products",
        help="Create a product for an sku Odoo does not know. Off: such orders are ignored (product_not_found).",
    )
    omnitron_event_retention_days = fields.Integer(
        string="Keep Webhook Events (days)", config_parameter=omnitron_settings.KEY_EVENT_RETENTION_DAYS
    )
    omnitron_max_body_bytes = fields.Integer(
        string="Body Size Limit (bytes)", config_parameter=omnitron_settings.KEY_MAX_BODY_BYTES
    )
    omnitron_rate_limit_per_token = fields.Integer(
        string="Requests per Minute and Token", config_parameter=omnitron_settings.KEY_RATE_LIMIT_PER_TOKEN
    )
    omnitron_rate_limit_failed_auth = fields.Integer(
        string="Failed Logins per Minute and IP", config_parameter=omnitron_settings.KEY_RATE_LIMIT_FAILED_AUTH
    )
    omnitron_sentry_dsn = fields.Char(
        string="Sentry DSN",
        config_parameter=omnitron_settings.KEY_SENTRY_DSN,
        help="Where ignored and failed orders are reported. Unused when Odoo already runs a Sentry client.",
    )

    @api.model
    def default_get(self, fields_list):
        """Show the defaults the webhook applies when a key is not stored."""
        values = super().default_get(fields_list)
        defaults = omnitron_settings.Settings()
        for name, default in (
            ("omnitron_event_retention_days", defaults.event_retention_days),
            ("omnitron_max_body_bytes", defaults.max_body_bytes),
            ("omnitron_rate_limit_per_token", defaults.rate_limit_per_token),
            ("omnitron_rate_limit_failed_auth", defaults.rate_limit_failed_auth),
        ):
            if name in fields_list and not values.get(name):
                values[name] = default
        return values

    @api.model
    def get_values(self):
        values = super().get_values()
        params = self.env["ir.config_parameter"].sudo()
        try:
            filtering = omnitron_settings.parse_order_filtering(
                params.get_param(omnitron_settings.KEY_ORDER_FILTERING) or None
            )
            values["omnitron_allowed_channels"] = omnitron_settings.format_channels(filtering.channels)
            values["omnitron_property_rules"] = omnitron_settings.format_properties(filtering.properties)
        except ConfigError:
            # Show what is stored so the admin can repair it.
            values["omnitron_property_rules"] = params.get_param(omnitron_settings.KEY_ORDER_FILTERING)
        create = params.get_param(omnitron_settings.KEY_CREATE_MISSING_PRODUCTS) or None
        values["omnitron_create_missing_products"] = create is None or create.strip().lower() in ("1", "true", "yes")
        return values

    def set_values(self):
        result = super().set_values()
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(omnitron_settings.KEY_ORDER_FILTERING, self._omnitron_order_filtering().to_json())
        params.set_param(
            omnitron_settings.KEY_CREATE_MISSING_PRODUCTS, "true" if self.omnitron_create_missing_products else "false"
        )
        return result

    @api.depends("omnitron_allowed_channels", "omnitron_property_rules", "omnitron_min_order_omnitron_id")
    def _compute_omnitron_filter_summary(self):
        for record in self:
            try:
                record.omnitron_filter_summary = omnitron_settings.describe(record._omnitron_settings())
            except ConfigError as error:
                record.omnitron_filter_summary = str(error)

    @api.constrains(
        "omnitron_min_order_omnitron_id",
        "omnitron_allowed_channels",
        "omnitron_property_rules",
        "omnitron_event_retention_days",
        "omnitron_max_body_bytes",
        "omnitron_rate_limit_per_token",
        "omnitron_rate_limit_failed_auth",
        "omnitron_sentry_dsn",
    )
    def _check_omnitron_settings(self):
        for record in self:
            try:
                record._omnitron_settings()
            except ConfigError as error:
                raise ValidationError(str(error)) from None

    def _omnitron_order_filtering(self):
        channels = omnitron_settings.parse_channel_list(self.omnitron_allowed_channels, key="Allowed Channels")
        rules = (self.omnitron_property_rules or "").strip()
        properties = ()
        if rules:
            wrapped = f'{{"properties": {rules}}}'
            properties = omnitron_settings.parse_order_filtering(wrapped, key="Property Rules").properties
        return omnitron_settings.OrderFiltering(channels=channels, properties=properties)

    def _omnitron_settings(self):
        """The settings as the webhook would read them once saved (raises ConfigError)."""
        self.ensure_one()
        keys = omnitron_settings
        stored = {
            keys.KEY_MIN_ORDER_OMNITRON_ID: str(self.omnitron_min_order_omnitron_id),
            keys.KEY_ORDER_FILTERING: self._omnitron_order_filtering().to_json(),
            keys.KEY_EVENT_RETENTION_DAYS: str(self.omnitron_event_retention_days),
            keys.KEY_MAX_BODY_BYTES: str(self.omnitron_max_body_bytes),
            keys.KEY_RATE_LIMIT_PER_TOKEN: str(self.omnitron_rate_limit_per_token),
            keys.KEY_RATE_LIMIT_FAILED_AUTH: str(self.omnitron_rate_limit_failed_auth),
            keys.KEY_SENTRY_DSN: self.omnitron_sentry_dsn or "",
        }
        return omnitron_settings.parse_settings(stored)
