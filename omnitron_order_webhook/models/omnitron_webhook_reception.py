import dataclasses
import logging
import sys
import threading
from datetime import datetime

import psycopg2

from odoo import api, models
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY
from odoo.tools import config as odoo_config

from ..core import const, reporting, responses
from ..core import settings as omnitron_settings
from ..core.validation import CancellationPlanCall

_logger = logging.getLogger(__name__)

# Unique constraints whose violation means "another delivery created the same
# record a moment ago": the whole request is replayed, and the replay finds it.
RETRY_CONSTRAINTS = {
    "res_partner_omnitron_customer_uniq",
    "res_partner_omnitron_address_uniq",
    "product_template_omnitron_sku_uniq",
    "account_tax_omnitron_rate_uniq",
    "product_pricelist_omnitron_key_uniq",
    "omnitron_cancellation_plan_plan_pk_company_uniq",
    "omnitron_channel_channel_pk_account_uniq",
}
# The order's own guard: its violation means the order was imported a moment
# ago. With updates on, the request is replayed and applied as an update;
# with updates off, it is a duplicate.
DUPLICATE_ORDER_CONSTRAINT = "sale_order_omnitron_channel_number_uniq"
# How much of what Odoo said when it refused a flow the answer keeps, characters.
MAX_REFUSAL_WORDS = 1000
# Whether this thread is receiving a delivery (_ExpectedRaces reads it).
_receiving = threading.local()


class _ExpectedRaces(logging.Filter):
    """Keeps Odoo's "bad query" ERROR out of the log when it is a race this module resolves.

    The loser of two deliveries creating one record hits a unique constraint;
    ``odoo.sql_db`` logs every failed query at ERROR before the reception
    turns it into the documented replay (or a duplicate_order answer), which
    is logged at INFO. Only those constraints, only while a delivery is being
    received: every other failed query is logged as Odoo logs it.
    """

    def filter(self, record):
        if not getattr(_receiving, "active", False) or not isinstance(record.args, tuple) or not record.args:
            return True
        error = record.args[-1]
        if not isinstance(error, psycopg2.IntegrityError):
            return True
        return getattr(error.diag, "constraint_name", None) not in RETRY_CONSTRAINTS | {DUPLICATE_ORDER_CONSTRAINT}


logging.getLogger("odoo.sql_db").addFilter(_ExpectedRaces())


class Refusal(Exception):
    """Raised by a flow to answer without changing anything: a 202 or a 400."""

    def __init__(self, outcome, sale_order=None):
        super().__init__(outcome.detail)
        self.outcome = outcome
        # An order imported before, which a re-delivery names: the event links it.
        self.sale_order = sale_order


class OmnitronWebhookReception(models.AbstractModel):
    """Where every delivery is received: transaction policy, event row, report.

    The controller (HTTP only) hands over an ``Arrival`` (core/arrival.py) and
    either a refusal it found (``_refuse``) or the parsed call (``_receive``).
    The work itself is a flow, a sibling model: ``omnitron.order.import``
    creates an order; ``omnitron.order.update`` applies a later delivery of
    an imported order, or a cancellation plan (``_run_flow`` chooses).

    Transaction contract of ``_receive``:

    - the flow runs inside one savepoint: any error rolls back everything it
      wrote, so nothing is half-written;
    - a ``Refusal`` (202/400) and an error are answered, never raised;
    - serialization failures, deadlocks and lock timeouts (Odoo's
      ``PG_CONCURRENCY_ERRORS_TO_RETRY``), and the unique constraints of
      ``RETRY_CONSTRAINTS``, are raised as a serialization failure so Odoo
      replays the whole request, which then sees the other transaction's row;
    - the event row is written in the request's transaction after the
      savepoint, so it commits with the answer; when the connection itself
      died, it is written through a new connection instead;
    - the Sentry report is sent when the transaction commits: a request Odoo
      replays rolls back first, which drops it, so one delivery gives one report.
    """

    _name = "omnitron.webhook.reception"
    _description = "Omnitron Webhook Reception"

    @api.model
    def _settings(self):
        """The admin's settings, parsed (raises core.settings.ConfigError)."""
        params = self.env["ir.config_parameter"].sudo()
        return omnitron_settings.parse_settings({key: params.get_param(key) for key in omnitron_settings.ALL_KEYS})

    @api.model
    def _filters_changed_at(self):
        """When the admin last changed an Omnitron setting (the filters among them); the epoch when never.

        A pulled order refused by a filter is fetched again once they change.
        """
        self.env["ir.config_parameter"].flush_model(["key", "write_date"])
        self.env.cr.execute(
            "SELECT max(write_date) FROM ir_config_parameter WHERE key = ANY(%s)", [list(omnitron_settings.ALL_KEYS)]
        )
        return self.env.cr.fetchone()[0] or datetime(1970, 1, 1)

    @api.model
    def _refuse(self, arrival, outcome, error=None):
        """Record a delivery refused before any flow ran (403, 413, 415, 429, 400, config_error)."""
        earlier = self.env["omnitron.webhook.event"]._earlier_pull_refusal(arrival, outcome)
        if earlier:
            return outcome
        if outcome.reason == const.ERROR_CONFIG:
            self._report_config_error(error)
        self.env["omnitron.webhook.event"]._record(arrival, outcome)
        return outcome

    @api.model
    def _receive(self, arrival, call):
        """Run the flow for ``call`` under the contract above; return (outcome, event).

        In English (``responses.ANSWER_LANG``), whoever asks (the route, an
        administrator's reprocess): what Odoo says during the flow ends up in
        Omnitron's answer. What people read is rendered in their language.
        """
        return self.with_context(lang=responses.ANSWER_LANG)._receive_in_english(arrival, call)

    @api.model
    def _receive_in_english(self, arrival, call):
        sale_order = self.env["sale.order"]
        channel = self.env["omnitron.channel"]
        linked = self.env["sale.order"]  # the order a refused re-delivery names
        failure = None
        try:
            _receiving.active = True
            # Outside the flow's savepoint: the channel outlives a refused delivery.
            channel = self._channel_of(arrival, call)
            with self.env.cr.savepoint():
                outcome, sale_order = self._run_flow(arrival, call, channel)
                # Flushed here, as the flow's superuser: the savepoint would
                # flush with the request's environment, whose sender may not
                # read what the written fields need (a currency, say).
                self.env.flush_all()
        except Refusal as refusal:
            outcome = refusal.outcome
            linked = refusal.sale_order or linked
        except psycopg2.IntegrityError as error:
            constraint = getattr(error.diag, "constraint_name", None)
            replay = constraint == DUPLICATE_ORDER_CONSTRAINT and arrival.settings.apply_updates
            if constraint in RETRY_CONSTRAINTS or replay:
                _raise_serialization_failure(self.env.cr, constraint)
            if constraint == DUPLICATE_ORDER_CONSTRAINT:
                outcome = self.env["omnitron.order.import"]._duplicate(call.order)
            else:
                outcome, failure = self._failed(call, error), sys.exc_info()
        except (AccessDenied, AccessError, MissingError) as error:
            outcome, failure = self._failed(call, error), sys.exc_info()  # our bug, not the company's set-up
        except UserError as error:
            outcome = self._refused_by_setup(call, error)
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
            if error.pgcode in PG_CONCURRENCY_ERRORS_TO_RETRY:
                raise  # Odoo replays the whole request on these
            if self.env.cr.closed:
                return self._connection_lost(arrival, call, error)
            outcome, failure = self._failed(call, error), sys.exc_info()
        except Exception as error:  # noqa: BLE001 - any failure must leave nothing behind
            outcome, failure = self._failed(call, error), sys.exc_info()
        finally:
            _receiving.active = False
        earlier = self.env["omnitron.webhook.event"]._earlier_pull_refusal(arrival, outcome)
        if earlier:
            return outcome, earlier  # the pull met the same refusal before: said once, reported once
        send_report = self._prepare_report(arrival, call, outcome, failure)
        if send_report:
            self.env.cr.precommit.add(send_report)
        if outcome.state not in (const.STATE_DONE, const.STATE_UPDATED):
            sale_order = linked
        event = self.env["omnitron.webhook.event"]._record(
            arrival, outcome, call=call, sale_order=sale_order, channel=channel
        )
        event._omnitron_tell_people(sale_order)
        return outcome, event

    def _channel_of(self, arrival, call):
        """The delivery's channel, created at its first delivery (a plan's order names only its id)."""
        Channel = self.env["omnitron.channel"]
        if isinstance(call, CancellationPlanCall):
            return Channel._find(arrival.account, call.order.channel.pk)
        return Channel._for_delivery(arrival.account, call.order.channel)

    def _run_flow(self, arrival, call, channel):
        """The flow ``call`` asks for: a plan, an update of an imported order, or an import."""
        update = self.env["omnitron.order.update"]
        if isinstance(call, CancellationPlanCall):
            return update._apply_plan(arrival, call)
        imported = update._find_imported(arrival.company, call.order.channel.pk, call.order.number)
        if not imported:
            return self.env["omnitron.order.import"]._import(arrival, call, channel)
        if not arrival.settings.apply_updates:
            raise Refusal(self.env["omnitron.order.import"]._duplicate(call.order), imported)
        return update._update(arrival, call, imported)

    def _connection_lost(self, arrival, call, error):
        """The database connection died mid-flow: nothing was committed.

        The request's cursor is unusable, so the event is written through a
        new connection and the report sent at once; the dead cursor is closed
        so Odoo does not try to commit on it, and the sender gets our 500.
        """
        outcome = self._failed(call, error)
        failure = sys.exc_info()
        with self.env.registry.cursor() as cursor:
            env = self.env(cr=cursor)
            account = arrival.account.with_env(env) if arrival.account else None
            revived = dataclasses.replace(
                arrival,
                user=arrival.user.with_env(env),
                token=arrival.token.with_env(env) if arrival.token else None,
                account=account,
                secrets=account._secrets if account else tuple,
            )
            event_id = env["omnitron.webhook.event"]._record(revived, outcome, call=call).id
            # Prepared while the new connection is open: the report reads the account's secrets through it.
            send_report = self._prepare_report(revived, call, outcome, failure)
        if send_report:
            send_report()
        self.env.cr.close()
        return outcome, self.env["omnitron.webhook.event"].browse(event_id)

    def _failed(self, call, error):
        _logger.exception(
            "Omnitron delivery for order %s (event %s) failed; nothing was saved", call.order.number, call.event_uuid
        )
        self.env.invalidate_all(flush=False)
        # The event keeps what went wrong for the back office; the answer does not.
        return responses.internal_error(call.event_uuid).with_detail(f"{type(error).__name__}: {error}")

    def _refused_by_setup(self, call, error):
        """Odoo refused the flow (a ``UserError``, a ``ValidationError``): the company's set-up, said in words.

        A 500 ``config_error`` like a missing chart: nothing was saved, the
        detail says what Odoo said, an administrator fixes it and reprocesses;
        reported as that problem (no exception), so Omnitron's retries are
        not unexpected errors.
        """
        said = " ".join(str(error.args[0] if error.args else error).split())
        if len(said) > MAX_REFUSAL_WORDS:
            said = said[: MAX_REFUSAL_WORDS - 1] + "…"
        elif not said.endswith((".", "!", "?", "…")):
            said += "."
        _logger.warning(
            "Omnitron delivery for order %s (event %s) refused by Odoo: %s", call.order.number, call.event_uuid, said
        )
        self.env.invalidate_all(flush=False)
        return responses.company_config_error(
            f"Odoo refused the order: {said} An administrator fixes the company's set-up, then reprocesses this event."
        )

    def _prepare_report(self, arrival, call, outcome, failure):
        """The Sentry report of a 202 or a 5xx, or None; preparing it never fails the answer."""
        try:
            return reporting.prepare(
                outcome,
                failure=failure,
                dsn=self._sentry_dsn(arrival.settings),
                channel_pk=call.order.channel.pk,
                order_number=call.order.number,
                event_uuid=call.event_uuid,
                sensitive_values=arrival.sensitive_values,
            )
        except Exception:  # noqa: BLE001
            _logger.warning("Could not prepare the Sentry report of an Omnitron delivery", exc_info=True)
            return None

    @api.model
    def _report_config_error(self, error):
        """Report settings the webhook cannot use (only the config file's DSN is trusted then)."""
        _logger.error("Omnitron webhook settings are not valid: %s", error)
        client = reporting.client_for(self._sentry_dsn(None))
        if client is not None and error is not None:
            tags = reporting.tags_for(const.ERROR_CONFIG, None, None, None)
            self.env.cr.precommit.add(
                lambda: reporting.report_failure(client, error, reason=const.ERROR_CONFIG, tags=tags)
            )

    @api.model
    def _sentry_dsn(self, settings):
        return (settings.sentry_dsn if settings else None) or odoo_config.get("omnitron_sentry_dsn") or None


def _raise_serialization_failure(cr, constraint):
    """Make Odoo replay the request: a concurrent delivery created this record.

    At REPEATABLE READ the current transaction cannot see the row the other
    one committed; a fresh transaction can. Odoo retries on SQLSTATE 40001.
    """
    _logger.info("Concurrent Omnitron import hit %s; the request will be replayed", constraint)
    cr.execute(
        "DO $$BEGIN RAISE EXCEPTION 'concurrent Omnitron import (%%)', %s "
        "USING ERRCODE = 'serialization_failure'; END$$",
        [constraint],
        log_exceptions=False,  # an expected replay, not a bad query
    )
