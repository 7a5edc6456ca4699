import math

import odoo
from odoo import api, fields, models


class OmnitronRateCounter(models.Model):
    """Requests per key and minute, shared by every worker and server; and pauses Omnitron asked for
    (a 429's Retry-After: a row of the key whose window starts when the pause ends, ``_pause``).

    Odoo's own login cooldown lives in each worker's memory; a limit that
    holds across workers and servers lives in the database. Each request
    costs one UPSERT, run on its own connection in its own transaction, so the
    count survives the request's rollback and never waits on the import.
    """

    _name = "omnitron.rate.counter"
    _description = "Omnitron Webhook Rate Counter"
    _log_access = False

    key = fields.Char(required=True, readonly=True)
    window_start = fields.Datetime(required=True, readonly=True)
    hits = fields.Integer(required=True, readonly=True, default=0)

    _sql_constraints = [("key_window_uniq", "unique(key, window_start)", "One counter per key and window.")]

    WINDOW = 60  # seconds

    @api.model
    def _hit(self, key, limit, cursor=None):
        """Count one request for ``key``; return seconds to wait when over ``limit``, else None.

        ``cursor``: the cursor to count on (tests pass two to act as two
        workers); by default a new connection that commits at once.
        """
        query = """
            INSERT INTO omnitron_rate_counter AS counter (key, window_start, hits)
            VALUES (%s, date_trunc('minute', now() AT TIME ZONE 'UTC'), 1)
            ON CONFLICT (key, window_start) DO UPDATE SET hits = counter.hits + 1
            RETURNING hits, %s - EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - counter.window_start))::int
        """
        params = [key, self.WINDOW]
        if cursor is not None:
            cursor.execute(query, params)
            hits, seconds_left = cursor.fetchone()
        else:
            with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as own_cursor:
                own_cursor.execute(query, params)
                hits, seconds_left = own_cursor.fetchone()
        return max(int(seconds_left), 1) if hits > limit else None

    @api.model
    def _take(self, key, limit, wanted):
        """Count up to ``wanted`` requests for ``key`` at once: ``(granted, seconds to wait when none is)``.

        A stock push sends thousands of writes: one statement per block of
        them, not per write. What would go over ``limit`` is given back at
        once, so the count holds what was granted (a job that stops early
        leaves the rest of its block counted: the ceiling errs on the safe side).
        """
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as own_cursor:
            own_cursor.execute(
                """
                INSERT INTO omnitron_rate_counter AS counter (key, window_start, hits)
                VALUES (%s, date_trunc('minute', now() AT TIME ZONE 'UTC'), %s)
                ON CONFLICT (key, window_start) DO UPDATE SET hits = counter.hits + EXCLUDED.hits
                RETURNING hits, window_start,
                          %s - EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - counter.window_start))::int
                """,
                [key, wanted, self.WINDOW],
            )
            hits, window_start, seconds_left = own_cursor.fetchone()
            granted = max(0, wanted - max(0, hits - limit))
            if granted < wanted:
                own_cursor.execute(
                    "UPDATE omnitron_rate_counter SET hits = hits - %s WHERE key = %s AND window_start = %s",
                    [wanted - granted, key, window_start],
                )
        return granted, None if granted else max(int(seconds_left), 1)

    @api.model
    def _over(self, key, limit):
        """Seconds to wait when ``key`` has reached ``limit`` this minute, else None (counts nothing)."""
        # Read on a pooled connection of its own: the request's transaction may
        # hold an older snapshot than the counts _hit just committed.
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as own_cursor:
            own_cursor.execute(
                """
                SELECT hits, %s - EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC' - window_start))::int
                  FROM omnitron_rate_counter
                 WHERE key = %s AND window_start = date_trunc('minute', now() AT TIME ZONE 'UTC')
                """,
                [self.WINDOW, key],
            )
            row = own_cursor.fetchone()
        return max(int(row[1]), 1) if row and row[0] >= limit else None

    @api.model
    def _pause(self, key, seconds):
        """``key`` waits ``seconds`` from now (Omnitron's Retry-After), for every worker: committed at once,
        so the job that met the 429 and rolls back leaves it behind."""
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as own_cursor:
            own_cursor.execute(
                """
                INSERT INTO omnitron_rate_counter (key, window_start, hits)
                VALUES (%s, (now() AT TIME ZONE 'UTC') + make_interval(secs => %s), 0)
                ON CONFLICT (key, window_start) DO NOTHING
                """,
                [key, seconds],
            )

    @api.model
    def _paused(self, key):
        """Seconds ``key`` still waits after a ``_pause``, else None (a pause is a row ending in the future)."""
        with odoo.sql_db.db_connect(self.env.cr.dbname).cursor() as own_cursor:
            own_cursor.execute(
                """
                SELECT EXTRACT(EPOCH FROM max(window_start) - (now() AT TIME ZONE 'UTC'))
                  FROM omnitron_rate_counter
                 WHERE key = %s AND window_start > now() AT TIME ZONE 'UTC'
                """,
                [key],
            )
            left = own_cursor.fetchone()[0]
        return math.ceil(left) if left else None

    @api.model
    def _gc_counters(self):
        """Cron: drop counters of past windows."""
        self.env.cr.execute(
            "DELETE FROM omnitron_rate_counter WHERE window_start < (now() AT TIME ZONE 'UTC') - interval '1 hour'"
        )
        return True
