import json
import logging

from odoo import fields, models

from ..core import omnitron_api
from ..core.settings import _lt

_logger = logging.getLogger(__name__)


class OmnitronApiSession(models.Model):
    """An Omnitron account's API key, shared by every worker and server of the database.

    One row per account (and its API URL and username: a changed connection
    logs in afresh). Each login is written through its own
    connection and committed at once, under a row lock, so concurrent jobs
    that find the key expired log in once between them, and the 3 logins per
    6 minutes Omnitron allows are counted across all of them.
    """

    _name = "omnitron.api.session"
    _description = "Omnitron API Session"
    _rec_name = "connection"

    connection = fields.Char(required=True, readonly=True, help="The API URL and username this key belongs to.")
    key = fields.Char(readonly=True, groups="base.group_system")
    login_times = fields.Text(readonly=True, help="When the recent logins happened (UTC, JSON).")

    _sql_constraints = [("connection_uniq", "unique(connection)", "One session per Omnitron connection.")]

    def _key_store(self, connection, session=None, account=None):
        """The key store of ``account``'s connection: its key and its login limit are its own."""
        return _KeyStore(self.env.registry, connection, session, account_id=account.id if account else None)


class _KeyStore:
    """The client's view of the shared key (core/omnitron_api.py's KeyStore)."""

    def __init__(self, registry, connection, session=None, account_id=None):
        self.registry = registry
        self.connection = connection
        self.session = session
        self.name = f"account {account_id}: {connection.url} {connection.username}"

    def current(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT key FROM omnitron_api_session WHERE connection = %s", [self.name])
            row = cr.fetchone()
        return row[0] if row and row[0] else None

    def replace(self, stale_key):
        """A key other than ``stale_key``: another worker's fresh one, or a new login.

        Raises TemporaryFailure when the login limit is reached (the job
        waits), and whatever the login raises.
        """
        with self.registry.cursor() as cr:
            cr.execute(
                "INSERT INTO omnitron_api_session (connection, create_date, write_date) "
                "VALUES (%s, now() at time zone 'UTC', now() at time zone 'UTC') ON CONFLICT (connection) DO NOTHING",
                [self.name],
            )
            # Its own connection, committed at once: the row must exist for every
            # worker to lock, whatever becomes of the job's transaction.
            cr.commit()  # pylint: disable=invalid-commit
            cr.execute(
                "SELECT id, key, login_times FROM omnitron_api_session WHERE connection = %s FOR UPDATE",
                [self.name],
            )
            session_id, key, login_times = cr.fetchone()
            if key and key != stale_key:
                return key  # another worker logged in meanwhile
            cr.execute("SELECT now() at time zone 'UTC'")
            now = cr.fetchone()[0]
            times = [fields.Datetime.to_datetime(at) for at in json.loads(login_times or "[]")]
            wait = omnitron_api.login_wait(times, now)
            if wait:
                raise omnitron_api.TemporaryFailure(
                    _lt("Omnitron allows %(logins)s logins per %(minutes)s minutes; the next one in %(wait)s seconds."),
                    {
                        "logins": omnitron_api.MAX_LOGINS,
                        "minutes": int(omnitron_api.LOGIN_WINDOW.total_seconds() // 60),
                        "wait": wait,
                    },
                    retry_after=wait,
                    waiting=True,
                )
            new_key = omnitron_api.log_in(self.connection, self.session)
            recent = [at for at in times if now - at < omnitron_api.LOGIN_WINDOW] + [now]
            cr.execute(
                "UPDATE omnitron_api_session SET key = %s, login_times = %s, write_date = %s WHERE id = %s",
                [new_key, json.dumps([fields.Datetime.to_string(at) for at in recent]), now, session_id],
            )
            # The new key is shared now, even if the job that logged in fails later.
            cr.commit()  # pylint: disable=invalid-commit
            _logger.info("Logged in to Omnitron at %s as %s", self.connection.url, self.connection.username)
            return new_key
