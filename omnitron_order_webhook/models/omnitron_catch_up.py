import dataclasses
import functools
import logging
import time
from datetime import timedelta

import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.service.model import PG_CONCURRENCY_ERRORS_TO_RETRY

from ..core import catch_up, const, omnitron_api, privacy, responses
from ..core.arrival import Arrival
from ..core.settings import ConfigError, _lt
from ..core.validation import FieldError, InvalidPayload
from .omnitron_outbound import KIND_MARK_SENT

_logger = logging.getLogger(__name__)

# The pulls' own job channel, beside root.omnitron: a long pull never holds up
# the calls that tell Omnitron what Odoo did (data/queue_job_data.xml).
CHANNEL_PULL = "root.omnitron_pull"
# How often one order's import is tried again when a concurrent delivery of
# the same order (the webhook, at the same moment) made it lose a race; the
# webhook's replay is Odoo's, the pull's is this loop.
MAX_REPLAYS = 5
# The cron runs every minute: an account whose interval ends within this much
# is pulled now rather than a minute late.
DUE_SLACK = timedelta(seconds=30)
# Orders whose detail may fail for now (5xx, timeout) in one run before the run stops.
MAX_TEMPORARY_FAILURES = 3
# A mark-sent call done this close before a page was read may not show in it yet.
LISTED_SLACK = timedelta(seconds=2)
# How much of a failure the account keeps, characters.
MAX_ERROR = 2000
# A run stops taking new pages after this long, seconds: it must end well
# within the worker's real-time limit (Odoo's default limit_time_real is 120 s)
# to record what it did; the rest is the next run's.
MAX_RUN_SECONDS = 75


class OmnitronCatchUp(models.AbstractModel):
    """The catch-up pull: the flow that imports what an Omnitron's webhook missed.

    Sibling of the import, the update and the outbound flows. A cron
    (``_cron_enqueue``, every minute) queues one pull job per account whose
    interval has passed; the job (``omnitron.account._omnitron_pull``) lists
    the orders the account's Omnitron has not yet seen taken by an ERP
    (``is_send`` false, the account's statuses), fetches each one Odoo has not
    imported and hands it to the very reception a webhook delivery goes
    through: same validation, filters, answers, duplicate guard and event
    log, the event's source being *Pull*. An imported order is marked sent by
    the usual job, so it leaves the list; a refused one stays listed until
    its cause is fixed, its event written once per cause.

    Each order is received in a transaction of its own, outside any HTTP
    call, so a restart loses at most the order in hand, and a race with the
    webhook is replayed as Odoo replays a request.
    """

    _name = "omnitron.catch.up"
    _description = "Omnitron Catch-up Pull"

    @api.model
    def _cron_enqueue(self):
        """Cron: queue the pull of every account whose interval has passed."""
        now = fields.Datetime.now()
        accounts = self.env["omnitron.account"].sudo().search([("catch_up_enabled", "=", True)])
        for account in accounts:
            last = account.catch_up_last_run
            if not last or last + timedelta(minutes=account.catch_up_interval_minutes) <= now + DUE_SLACK:
                self._enqueue(account)
        return True

    @api.model
    def _enqueue(self, account):
        """Queue ``account``'s pull; one waiting pull per account (its identity key)."""
        account.sudo().with_delay(
            channel=CHANNEL_PULL,
            identity_key=f"omnitron:pull:{account.id}",
            description=f"Omnitron {account.name}: catch-up pull",
            # A failed pull is recorded on the account; the next run is the retry.
            max_retries=1,
        )._omnitron_pull()

    @api.model
    def _pull(self, account):
        """The job: list, fetch and receive; return the tally in words (kept on the job)."""
        account = account.sudo()
        if not self._lock(account):
            return f"Another pull of {account.name} is running; this one did nothing."
        tally = catch_up.PullTally()
        started = fields.Datetime.now()
        self._record_dead_pull(account, self._mark_started(account, started))
        try:
            self._run(account, tally)
        except psycopg2.Error:
            raise  # this transaction is lost: the job fails as such, and the next run tries again
        except Exception as failure:  # noqa: BLE001 - whatever stopped the run is said on the account
            if not isinstance(failure, (omnitron_api.ApiFailure, ValueError, ConfigError)):
                _logger.exception("Omnitron pull of %s stopped by an unexpected error", account.name)
            secrets = account._secrets()
            said = privacy.without_secrets(str(failure) or type(failure).__name__, secrets)[:MAX_ERROR]
            _logger.warning("Omnitron pull of %s failed: %s", account.name, said)
            self._record(account, started, tally, error=said, failure=_sentence_of(failure, secrets))
            self._unmark(account, started)
            return f"Failed: {said} ({tally.summary()})"
        self._record(account, started, tally)
        self._unmark(account, started)
        return tally.summary()

    def _mark_started(self, account, started):
        """Mark that a pull of ``account`` started; return the mark a previous pull left (None: it ended).

        The mark is written in a transaction of its own, committed at once,
        in a table the pull's own transaction never writes (a row written by
        both would fail the pull's commit under Odoo's isolation): whatever
        becomes of this pull (the server kills the worker at its time limit,
        a restart), the mark stays until the pull records its end.
        """
        with self.env.registry.cursor() as cr:
            cr.execute("SELECT started_at FROM omnitron_pull_mark WHERE account_id = %s FOR UPDATE", [account.id])
            row = cr.fetchone()
            cr.execute(
                "INSERT INTO omnitron_pull_mark (account_id, started_at) VALUES (%s, %s) "
                "ON CONFLICT (account_id) DO UPDATE SET started_at = EXCLUDED.started_at",
                [account.id, started],
            )
        return row[0] if row else None

    def _unmark(self, account, started):
        with self.env.registry.cursor() as cr:
            cr.execute(
                "DELETE FROM omnitron_pull_mark WHERE account_id = %s AND started_at = %s", [account.id, started]
            )

    def _record_dead_pull(self, account, started):
        """A pull that started and never recorded its end died: said on the account and to its administrators."""
        if not started:
            return
        template = _lt(
            "The pull started at %(started)s UTC stopped before it could record anything: the server ended it (its "
            "time limit or a restart). Its orders are listed again by the next runs."
        )
        params = {"started": fields.Datetime.to_string(started)}
        said = template % params
        _logger.warning("Omnitron pull of %s: %s", account.name, said)
        self._record(
            account, started, catch_up.PullTally(), error=said, failure={"template": template, "params": params}
        )

    def _lock(self, account):
        """This pull holds ``account``'s lock until its transaction ends: never two pulls of one account at once.

        An advisory lock, not the account's row: an administrator editing the
        account meanwhile is not kept waiting, and the orders the pull creates
        in their own transactions reference the account freely.
        """
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [const.ADVISORY_LOCK_PULL, account.id])
        return self.env.cr.fetchone()[0]

    def _run(self, account, tally):
        client = account._client()
        if client is None:
            raise ConfigError(
                _lt("The account lacks %(fields)s: the pull cannot call Omnitron."),
                fields=", ".join(account.with_context(lang="en_US")._missing_connection()),
            )
        settings = self.env["omnitron.webhook.reception"]._settings()  # raises ConfigError, said on the account
        # Each order is received through a cursor of its own: what this one has pending is written first.
        self.env.flush_all()
        pages_left = catch_up.MAX_PAGES
        deadline = time.monotonic() + MAX_RUN_SECONDS
        seen = set()  # orders taken this run: a list read again counts each once
        statuses = catch_up.parse_statuses(account.catch_up_statuses or catch_up.DEFAULT_STATUSES)
        skip = functools.partial(
            catch_up.skip_reason,
            statuses=statuses,
            allowed_channels=settings.order_filtering.channels,
            refused_channels=frozenset(
                account.with_context(active_test=False)
                .channel_ids.filtered(lambda c: not c.accept_orders)
                .mapped("channel_pk")
            ),
            min_pk=settings.min_order_omnitron_id,
        )
        refused_unchanged = self._refused_unchanged(account)
        for status in statuses:
            # Pages are counted on the account's own URL (page=N), as Akinon's client counts
            # them: ``next`` only says whether there is more, its URL is never called.
            number = 1
            again = False
            imported_before_pass = tally.imported
            while pages_left and time.monotonic() < deadline:
                if not number:
                    # The list was read to its end. The orders this pass imported are marked sent
                    # meanwhile and leave the list, moving later ones onto pages already read:
                    # read it again from its first page while a pass imports something.
                    if tally.imported == imported_before_pass:
                        break
                    imported_before_pass = tally.imported
                    number, again = 1, True
                listed_at = fields.Datetime.now()
                try:
                    page = catch_up.read_page(client.call("GET", catch_up.list_path(status, number), None))
                except omnitron_api.PermanentFailure as failure:
                    # Orders marked sent meanwhile shrink the list: a page past its new end is its end.
                    if failure.status == 404 and number > 1:
                        number = None
                        continue
                    raise
                pages_left -= 1
                tally.pages += 1
                unseen = [listed for listed in page.orders if listed.pk not in seen]
                for listed in unseen:
                    if time.monotonic() >= deadline:
                        break  # the rest of the page is listed again next run
                    seen.add(listed.pk)
                    tally.listed += 1
                    uuid = catch_up.event_uuid(str(account.id), listed.pk, listed.modified_date)
                    if skip(listed) or uuid in refused_unchanged:
                        tally.skipped += 1  # the summary settles it, or nothing changed since it was refused
                        continue
                    self._take(account, client, settings, listed.pk, tally, listed_at=listed_at)
                if again and not unseen:
                    number = None  # read again, the list starts with what this run took: nothing moved
                    break
                number = number + 1 if page.has_next else None
            if number or time.monotonic() >= deadline:
                tally.more_left = True  # the page or time budget is spent: the rest next run

    def _take(self, account, client, settings, pk, tally, listed_at=None):
        """One listed order: already imported (told again it was taken), or fetched and received.

        ``listed_at``: when the page naming it was read.
        """
        imported = self._imported(account, pk)
        if imported:
            tally.already += 1
            self._mark_sent_again(imported, listed_at)
            return
        try:
            payload, errors = self._fetch(client, pk)
        except omnitron_api.PermanentFailure as failure:
            # This order cannot be fetched (gone, refused): the others still can.
            tally.failed += 1
            _logger.warning("Omnitron pull of %s: order %s could not be fetched: %s", account.name, pk, failure)
            return
        except omnitron_api.TemporaryFailure as failure:
            # One order's detail failing (a 5xx of its own) must not stop the others behind
            # it at every run; several in one run say Omnitron itself is unwell: the run stops.
            tally.failed += 1
            tally.temporary_failures += 1
            if tally.temporary_failures >= MAX_TEMPORARY_FAILURES:
                raise
            _logger.warning("Omnitron pull of %s: order %s failed for now: %s", account.name, pk, failure)
            return
        document = catch_up.detail_call(payload, account_key=str(account.id), pk=pk)
        state, reason = self._receive(account, settings, document, errors=errors)
        if state == const.STATE_DONE:
            tally.imported += 1
        elif state == const.STATE_UPDATED or reason in (const.REASON_DUPLICATE_ORDER, const.REASON_OUTDATED_UPDATE):
            tally.already += 1  # the webhook brought it meanwhile
        elif state == const.STATE_FAILED:
            tally.failed += 1
        else:
            tally.refused += 1

    @api.model
    def _fetch(self, client, pk):
        """Order ``pk`` as Omnitron answers it: ``(payload, errors)``.

        Akinon's detail may leave the items to the items endpoint
        (``?order={pk}``, paginated): they are read, page by page counted on
        the API URL, before anything is validated. ``errors`` (FieldErrors)
        say why the answers are no order to import: a detail naming another
        order, an items answer that is not this order's, more items than its
        count; the order is then refused as such a body would be, never half-imported.
        """
        payload = client.call("GET", omnitron_api.DETAIL_PATH.format(pk=pk), None)
        errors = catch_up.identity_errors(payload, pk)
        if errors or not catch_up.needs_items(payload):
            return payload, errors
        items, count = [], None
        try:
            for number in range(1, catch_up.MAX_ITEM_PAGES + 1):
                found, has_next, said = catch_up.read_items_page(
                    client.call("GET", catch_up.items_path(pk, number), None), pk
                )
                items.extend(found)
                count = said if count is None else count
                if not has_next or not found:
                    break
            else:
                raise InvalidPayload(
                    [FieldError("payload.orderitem_set", "Omnitron's items endpoint had more pages than an order has")]
                )
            return catch_up.with_items(payload, items, count), []
        except InvalidPayload as error:
            return payload, list(error.errors)

    def _refused_unchanged(self, account):
        """The event uuids of ``account``'s pulled orders refused for what only a change can undo.

        A pulled delivery's uuid names the account, the order and its
        ``modified_date`` (``catch_up.event_uuid``). A body that is no valid
        order (rejected) is refused again until Omnitron changes the order; a
        filter's refusal (channel, minimum id, property) until Omnitron changes
        it or the filters change. Such orders are not fetched again every run.
        """
        since = self.env["omnitron.webhook.reception"]._filters_changed_at()
        domain = [
            ("account_id", "=", account.id),
            ("source", "=", const.SOURCE_PULL),
            ("webhook", "=", const.WEBHOOK_ORDER),
            "|",
            ("state", "=", const.STATE_REJECTED),
            "&",
            ("reason", "in", sorted(const.FILTER_REASONS)),
            "|",
            ("received_at", ">", since),
            ("pulled_again_at", ">", since),
        ]
        return set(self.env["omnitron.webhook.event"].sudo().search(domain).mapped("event_uuid"))

    def _imported(self, account, pk):
        return (
            self.env["sale.order"]
            .sudo()
            .with_context(active_test=False)
            .search([("omnitron_pk", "=", pk), ("company_id", "=", account.company_id.id)], limit=1)
        )

    def _mark_sent_again(self, sale_order, listed_at=None):
        """An imported order Omnitron still lists: tell it again, unless a call is on its way, failed or
        was made since the list was read.

        A failed call already shows on the order with its Retry; queuing
        another at every pull would only repeat it. A call done after the
        page was read (its job ran while this pull went down the page, as
        after a restart) is the answer the list had not seen yet.
        """
        jobs = sale_order.sudo().omnitron_job_ids.filtered(lambda job: (job.args or [None])[0] == KIND_MARK_SENT)
        if jobs.filtered(lambda job: job.state != "done"):
            return
        if listed_at and jobs.filtered(lambda job: job.date_done and job.date_done >= listed_at - LISTED_SLACK):
            return
        self.env["omnitron.outbound"]._enqueue(sale_order, KIND_MARK_SENT)

    def _receive(self, account, settings, document, *, source=const.SOURCE_PULL, errors=()):
        """Receive ``document`` in a transaction of its own, replayed on a lost race; return (state, reason).

        ``errors`` (FieldErrors found while fetching it) refuse it as an invalid body.
        """
        for attempt in range(MAX_REPLAYS):
            try:
                with self.env.registry.cursor() as cr:
                    env = self.env(cr=cr)
                    return env[self._name]._receive_here(account.with_env(env), settings, document, source, errors)
            except psycopg2.OperationalError as error:
                if error.pgcode not in PG_CONCURRENCY_ERRORS_TO_RETRY or attempt == MAX_REPLAYS - 1:
                    raise
                time.sleep(0.1 * (attempt + 1))
        return const.STATE_FAILED, None

    def _receive_here(self, account, settings, document, source, errors=(), user=None):
        """The reception of a pulled delivery, as the controller does once a webhook is authenticated.

        ``user``: who asked for it (a Refresh's presser), named on the event and in the chatter;
        else OdooBot (the pull, a job).
        """
        reception = self.env["omnitron.webhook.reception"].sudo()
        arrival = Arrival.now(
            user or self.env.ref("base.user_root"),
            account=account,
            settings=settings,
            webhook=const.WEBHOOK_ORDER,
            source=source,
            secrets=account._secrets,
        ).with_body(document)
        try:
            if errors:
                raise InvalidPayload(list(errors))
            call = arrival.parse()
        except InvalidPayload as error:
            outcome = reception._refuse(arrival, responses.invalid_payload(error.errors))
            return outcome.state, outcome.reason
        outcome, _event = reception._receive(arrival, call)
        return outcome.state, outcome.reason

    def _record(self, account, started, tally, error=None, failure=None):
        """What the run did, on the account; the administrators hear of a failure streak once."""
        values = {
            "catch_up_last_run": started,
            "catch_up_last_result": tally.summary(),
            "catch_up_last_counts": dataclasses.asdict(tally),
        }
        if error is None:
            values.update(catch_up_last_error=False, catch_up_last_failure=False, catch_up_failing=False)
            account.write(values)
            return
        first = not account.catch_up_failing
        values.update(catch_up_last_error=error, catch_up_last_failure=failure or False, catch_up_failing=True)
        account.write(values)
        if first:
            group = self.env.ref("omnitron_order_webhook.group_omnitron_manager")
            admins = group.sudo().users.filtered(
                lambda user: user.active and not user.share and account.company_id in user.company_ids
            )
            account.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "The catch-up pull of %(account)s failed; it tries again at every run, and this is said once "
                        "until a run succeeds.",
                        account=account.name,
                    ),
                    error,
                ),
                subtype_xmlid="mail.mt_note",
                partner_ids=admins.partner_id.ids,
            )

    @api.model
    def _refresh(self, sale_order, user=None):
        """Fetch ``sale_order`` from its Omnitron and apply it as an update; return the event's state."""
        account = sale_order.sudo().omnitron_account_id
        client = account._client() if account else None
        if client is None:
            return None, self.env._("The order's Omnitron account has no connection: nothing can be fetched.")
        payload, errors = self._fetch(client, sale_order.omnitron_pk)
        return self._apply_refresh(sale_order, payload, errors, user=user), None

    @api.model
    def _apply_refresh(self, sale_order, payload, errors=(), user=None):
        """Apply ``payload`` (order ``sale_order`` as its Omnitron answers now) as an update; return the event's state.

        In this transaction: the refresh of a button and the check before a
        push of item statuses both go through the reception, so the update
        rules and the event log are the webhook's own.
        """
        account = sale_order.sudo().omnitron_account_id
        errors = list(errors) + catch_up.number_errors(payload, sale_order.omnitron_number)
        document = catch_up.detail_call(payload, account_key=str(account.id), pk=sale_order.omnitron_pk)
        document["event"]["type"] = "order.updated"
        settings = self.env["omnitron.webhook.reception"]._settings()
        return self._receive_here(account, settings, document, const.SOURCE_PULL, errors, user=user)[0]


def _sentence_of(failure, secrets):
    """``{"template", "params"}`` of what stopped a pull, its values without the account's secrets (None: no
    sentence of the core, only its English words)."""
    template = getattr(failure, "template", None) or getattr(failure, "message", None)
    params = getattr(failure, "params", None)
    if not isinstance(template, str) or not isinstance(params, dict):
        return None
    return {
        "template": template,
        "params": {
            name: privacy.without_secrets(value, secrets)[:MAX_ERROR] if isinstance(value, str) else value
            for name, value in params.items()
        },
    }
