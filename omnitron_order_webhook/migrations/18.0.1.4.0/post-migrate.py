"""Before 18.0.1.4.0 one set of connection settings served the whole database,
and the channels and senders of every company shared it. Each Omnitron is now
an account of its company (``omnitron.account``).

Every company that has senders gets one account, with the connection copied
from the old settings (outbound switched on only where the old settings had
it and the connection is complete); its senders, channels, orders and events
are linked to it; a channel accepts orders as the old database-wide filter
said; the old connection keys are removed from ``ir.config_parameter``.
"""

import json
import logging

from odoo import SUPERUSER_ID, api
from odoo.exceptions import ValidationError

_logger = logging.getLogger(__name__)

PREFIX = "omnitron_order_webhook."
LEGACY_KEYS = (
    "outbound_enabled",
    "omnitron_api_url",
    "omnitron_api_username",
    "omnitron_api_password",
    "cancellation_reason_id",
    "outbound_timeout_seconds",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {"active_test": False})
    params = env["ir.config_parameter"].sudo()
    old = {name: params.get_param(PREFIX + name) or False for name in LEGACY_KEYS}
    sender_group = env.ref("omnitron_order_webhook.group_omnitron_sender")
    senders = sender_group.with_context(active_test=False).users
    companies = senders.company_id
    # Channels and orders of a company without a sender still need their account.
    cr.execute("SELECT DISTINCT company_id FROM omnitron_channel WHERE company_id IS NOT NULL")
    companies |= env["res.company"].browse([row[0] for row in cr.fetchall()])
    accounts = {}
    for company in companies:
        accounts[company.id] = _account_for(env, company, old)
        _logger.info("Omnitron account %s created for %s", accounts[company.id].name, company.name)
    for sender in senders:
        if sender.company_id.id in accounts:
            cr.execute(
                "UPDATE res_users SET omnitron_account_id = %s WHERE id = %s",
                [accounts[sender.company_id.id].id, sender.id],
            )
    for company_id, account in accounts.items():
        for table in ("omnitron_channel", "sale_order", "omnitron_webhook_event"):
            column = "omnitron_account_id" if table == "sale_order" else "account_id"
            cr.execute(
                f"UPDATE {table} SET {column} = %s WHERE company_id = %s AND {column} IS NULL",  # noqa: S608 - our tables
                [account.id, company_id],
            )
        cr.execute(
            "UPDATE sale_order SET omnitron_account_id = NULL WHERE omnitron_account_id = %s AND omnitron_pk IS NULL",
            [account.id],
        )
    _accept_as_the_old_filter(cr, params)
    cr.execute("ALTER TABLE omnitron_channel DROP CONSTRAINT IF EXISTS omnitron_channel_channel_pk_company_uniq")
    cr.execute("SELECT count(*) FROM omnitron_channel WHERE account_id IS NULL")
    if not cr.fetchone()[0]:
        cr.execute("ALTER TABLE omnitron_channel ALTER COLUMN account_id SET NOT NULL")
    params.search([("key", "in", [PREFIX + name for name in LEGACY_KEYS])]).unlink()
    env.invalidate_all()


def _account_for(env, company, old):
    values = {
        "name": f"Omnitron ({company.name})",
        "company_id": company.id,
        "api_url": old["omnitron_api_url"],
        "api_username": old["omnitron_api_username"],
        "cancellation_reason_id": _integer(old["cancellation_reason_id"], 0),
        "timeout_seconds": min(max(_integer(old["outbound_timeout_seconds"], 10), 1), 120),
        "api_password": old["omnitron_api_password"],
    }
    Account = env["omnitron.account"].sudo()
    outbound = str(old["outbound_enabled"]).lower() in ("1", "true", "yes")
    # The company's account made by this very update (the demo's, say): it takes the old connection.
    existing = Account.search([("company_id", "=", company.id)], limit=1)
    if existing and existing.api_url:
        return existing
    values = {key: value for key, value in values.items() if not existing or key not in ("name", "company_id")}
    for attempt in ({**values, "outbound_enabled": outbound}, {**values, "outbound_enabled": False}):
        try:
            with env.cr.savepoint():
                if existing:
                    existing.write(attempt)
                    return existing
                return Account.create(attempt)
        except ValidationError as error:
            # An old connection the account refuses (an invalid URL, say): kept off, the admin completes it.
            _logger.warning("Omnitron account of %s: %s", company.name, error)
    values.pop("api_url", None)
    if existing:
        existing.write(values)
        return existing
    return Account.create(values)


def _accept_as_the_old_filter(cr, params):
    """A channel the old database-wide channel filter left out shows as not accepting orders."""
    try:
        document = json.loads(params.get_param(PREFIX + "order_filtering") or "{}")
    except ValueError:
        return
    channels = document.get("channels") if isinstance(document, dict) else None
    if isinstance(channels, list) and channels:
        cr.execute(
            "UPDATE omnitron_channel SET accept_orders = (channel_pk = ANY(%s))",
            [[channel for channel in channels if isinstance(channel, int)]],
        )


def _integer(text, default):
    try:
        return int(str(text).strip())
    except (TypeError, ValueError):
        return default
