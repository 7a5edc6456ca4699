import logging

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.tools import split_every

from ..core import omnitron_api, stock

_logger = logging.getLogger(__name__)

CHANNEL = "root.omnitron_stock"
# A drain asked for right after a delivery waits this long, so a burst of validations makes one drain.
DEBOUNCE_SECONDS = 30
# Reservation releases per drain: the next drain takes the rest.
RELEASE_BATCH = 200
# Products counted, and last-sent rows kept, at a time: a 50,000-SKU push holds one chunk in the ORM's cache.
CHUNK = 1000
# Writes taken from the account's ceiling at once: one statement per block, not one per write.
RATE_BLOCK = 100
# Where a transaction keeps its marks until it commits (its precommit data).
MARKS_KEY = "omnitron_stock_marks"


class OmnitronStockSync(models.AbstractModel):
    """The flow that tells Omnitron what Odoo can sell: sibling of the import, the update and the outbound.

    Changes are logged where they happen (``stock.quant`` and ``stock.move``:
    one INSERT per call, in the change's own transaction, so a rolled-back
    change leaves nothing). A drain, on its own job channel, counts the
    changed products of a stock list in bulk, sends only the numbers that
    differ from the last sent (``omnitron.stock.state``) and deletes the
    changes it read, up to the last its snapshot saw: a change committed
    while it ran stays for the next drain.
    """

    _name = "omnitron.stock.sync"
    _description = "Omnitron Stock Sync"

    # --- Changes ---

    @api.model
    def _mark(self, pairs):
        """Mark (product id, warehouse id) pairs changed, in this transaction.

        Kept in the transaction's memory and written by one INSERT when it
        commits (or when something reads the changes first: ``_write_marks``):
        a 100-line delivery updates its quants some 300 times, and a statement
        each made validating it a third slower. A rollback drops them, as it
        drops the change they mark.
        """
        pairs = {(product, warehouse) for product, warehouse in pairs if product and warehouse}
        if not pairs or not self.env["omnitron.stock.list"]._marking():
            return
        precommit = self.env.cr.precommit
        pending = precommit.data.get(MARKS_KEY)
        if pending is None:
            pending = precommit.data[MARKS_KEY] = set()
            precommit.add(self._write_marks)
        pending.update(pairs)

    @api.model
    def _write_marks(self):
        """Write this transaction's marks now: at its commit, and before anything in it reads the log."""
        pending = self.env.cr.precommit.data.pop(MARKS_KEY, None)
        if not pending:
            return
        products, warehouses = zip(*pending, strict=True)
        self.env.cr.execute(
            "INSERT INTO omnitron_stock_change (product_id, warehouse_id) SELECT * FROM unnest(%s::int[], %s::int[])",
            [list(products), list(warehouses)],
        )

    # --- Drains ---

    @api.model
    def _enqueue_drain(self, stock_list=None, full=False, eta=None):
        """One pending drain (a later one merges), on the stock channel: of what changed, for every list
        (changes are logged per warehouse, and two lists may sell from one), or of all of one list."""
        if full:
            key, words = f"omnitron_stock_drain:{stock_list.id}:full", f"{stock_list.name} (all products)"
        else:
            key, words = "omnitron_stock_drain:marks", "what changed"
        return self.with_delay(
            channel=CHANNEL, eta=eta, identity_key=key, description=f"Omnitron stock: {words}"
        )._drain(stock_list.id if full else None, full)

    @api.model
    def _drain_after_delivery(self, warehouses):
        """A delivery was validated: when a list sells from its warehouses, what changed drains soon
        (debounced: one drain for a burst of validations)."""
        if not warehouses or not self.env["omnitron.stock.list"]._marking():
            return
        if self._sending_lists().filtered(lambda sl: sl.warehouse_ids & warehouses):
            self._enqueue_drain(eta=DEBOUNCE_SECONDS)

    @api.model
    def _cron_drain(self):
        """Every 2 minutes: changes waiting are drained (and the log of warehouses no list sells from)."""
        self._write_marks()
        self.env.cr.execute("SELECT 1 FROM omnitron_stock_change LIMIT 1")
        if self.env.cr.rowcount:
            self._enqueue_drain()
        for account in self._sending_lists().account_id:
            account._watch_stock()
        return True

    @api.model
    def _cron_recompute(self):
        """Every hour: every product is counted again, so a change no hook saw is sent too."""
        for stock_list in self._sending_lists():
            self._enqueue_drain(stock_list, full=True)
        return True

    def _sending_lists(self):
        return (
            self.env["omnitron.stock.list"]
            .sudo()
            .search([("account_id.stock_sync_enabled", "=", True), ("account_id.active", "=", True)])
        )

    def _drain(self, stock_list_id=None, full=False):
        """The job: send changed numbers (of every list, or all of one list); return what was done, in
        words (kept on the job)."""
        # Drains never interleave: they read and delete one log, and one list's full count may run
        # beside another's changes.
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [7307, 0])
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError("Another stock drain is running.", seconds=30, ignore_retry=True)
        # One connection for all of the drain's calls (keep-alive): a push makes thousands.
        with omnitron_api.kept_session() as session:
            return self._drain_on(session, stock_list_id, full)

    def _drain_on(self, session, stock_list_id, full):
        if full:
            stock_lists = self.env["omnitron.stock.list"].sudo().browse(stock_list_id).exists()
            stock_lists = stock_lists & self._sending_lists().filtered("active")
            if not stock_lists:
                return "The stock list is no longer sent; nothing was sent."
            said, wait = self._drain_list(stock_lists, None, full=True, session=session)
            if said is False:
                return stock_lists.account_id._outbound_refusal() or "The account has no connection; nothing was sent."
            if wait:
                self._enqueue_drain(stock_lists, full=True, eta=wait)
                return f"{said} The rest follows in {wait} s (Omnitron's Retry-After or the account's ceiling)."
            return said + self._release_said(stock_lists, session)
        marks, last_read = self._read_marks()
        stock_lists = self._sending_lists().filtered("active")
        done, unreachable, waits = [], False, []
        for stock_list in stock_lists:
            changed = {product for product, warehouse in marks if warehouse in stock_list.warehouse_ids.ids}
            said, wait = self._drain_list(stock_list, changed, session=session) if changed else (None, None)
            unreachable |= said is False
            if said:
                done.append(said)
            if wait:
                waits.append(wait)
        if waits:
            # Stopped by Omnitron's Retry-After or the account's ceiling: what was sent is kept (this job
            # commits), every change stays logged, and a drain after the wait sends what still differs.
            self._enqueue_drain(eta=max(waits))
            done.append(f"The rest follows in {max(waits)} s (Omnitron's Retry-After or the account's ceiling).")
            return " ".join(done)
        if not unreachable:  # an unreachable list's changes stay for the next drain
            self._clear_marks(last_read)
        # Released once the changes read are gone: Omnitron then holds Odoo's number for the products.
        done.extend(self._release_said(stock_list, session) for stock_list in stock_lists)
        return " ".join(said for said in done if said) or "Nothing changed in the stock lists' warehouses."

    def _drain_list(self, stock_list, changed, full=False, session=None):
        """Count ``changed`` products of one list (all when ``full``) and send what differs: ``(what was
        done, seconds to wait before the rest)``; what was done is False when the account has no connection."""
        client = stock_list.account_id.with_context(lang="en_US")._client(session)
        if client is None:
            return False, None
        paused = self.env["omnitron.rate.counter"]._paused(_pause_key(stock_list.account_id))
        if paused:
            return f"{stock_list.name}: Omnitron asked to wait {paused} s more (429).", paused + 1
        products = self._products(stock_list, None if full else changed)
        rows = self._rows(stock_list, products)
        changed_rows = stock.changed_rows(rows)
        if full:
            changed_rows += self._gone(stock_list, products)
        sent, unknown, wait = self._send(stock_list, client, changed_rows, stock_list.account_id)
        return f"{stock_list.name}: {len(rows)} products counted, {sent} sent, {unknown} not in Omnitron.", wait

    def _release_said(self, stock_list, session=None):
        client = stock_list.account_id.with_context(lang="en_US")._client(session)
        released = self._release(stock_list, client) if client is not None else 0
        return f" {stock_list.name}: {released} order lines released." if released else ""

    def _read_marks(self):
        """The (product, warehouse) pairs changed and the last change read: ``({(product, warehouse)}, id)``.

        Read in the drain's snapshot (REPEATABLE READ), as the quantities are
        after it: a change committed later is in neither, and keeps its row.
        """
        self.env.flush_all()  # changes are logged by SQL beside pending ORM writes: read after both
        self._write_marks()
        self.env.cr.execute(
            "SELECT product_id, warehouse_id, max(id) FROM omnitron_stock_change GROUP BY product_id, warehouse_id"
        )
        rows = self.env.cr.fetchall()
        return {(product, warehouse) for product, warehouse, _last in rows}, max(
            (last for _product, _warehouse, last in rows), default=0
        )

    def _clear_marks(self, last_read):
        """Remove the changes read (up to ``last_read``, visible in this snapshot): later ones stay."""
        if last_read:
            self.env.cr.execute("DELETE FROM omnitron_stock_change WHERE id <= %s", [last_read])

    def _products(self, stock_list, product_ids=None):
        """The list's products that are sent: storable, with a SKU, not excluded, of its company or shared."""
        domain = [
            *self._counted_kinds(stock_list),
            ("default_code", "!=", False),
            ("product_tmpl_id.omnitron_stock_excluded", "=", False),
            ("company_id", "in", [False, stock_list.company_id.id]),
        ]
        if product_ids is not None:
            if not product_ids:
                return self.env["product.product"]
            domain.append(("id", "in", list(product_ids)))
        return self.env["product.product"].sudo().search(domain, order="id")

    def _counted_kinds(self, stock_list):
        """The kinds of product a list counts, as a domain: storable ones (the kits bridge adds kits)."""
        return [("is_storable", "=", True)]

    def _gone(self, stock_list, products):
        """Products Omnitron was sent a number for that the list no longer sends (archived, excluded, no
        SKU, no longer storable): Omnitron is told 0 once, under the SKU it knows them by."""
        states = (
            self.env["omnitron.stock.state"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("stock_list_id", "=", stock_list.id),
                    ("state", "=", "synced"),
                    ("sent_qty", "!=", 0),
                    ("product_id", "not in", products.ids),
                ]
            )
        )
        return [stock.Row(state.product_id.id, state.sku, 0, state.sent_qty) for state in states if state.sku]

    def _rows(self, stock_list, products):
        """Each product's number now (in bulk, over the list's warehouses), beside what was last sent.

        Counted ``CHUNK`` products at a time, the ORM's cache emptied after
        each: the rows are small, the records behind them are not.
        """
        rows = []
        for ids in split_every(CHUNK, products.ids):
            rows += self._count(stock_list, products.browse(ids))
            self.env.invalidate_all()
        return rows

    def _count(self, stock_list, products):
        """``_rows`` of one chunk: three grouped reads of quants and moves, one of the last sent."""
        if not products:
            return []
        numbers = self._numbers(stock_list, products)
        states = {
            state.product_id.id: state
            for state in self.env["omnitron.stock.state"]
            .sudo()
            .search([("stock_list_id", "=", stock_list.id), ("product_id", "in", products.ids)])
        }
        rows = []
        for product_id in products.ids:
            if product_id not in numbers:
                continue
            sku, number = numbers[product_id]
            state = states.get(product_id)
            rows.append(
                stock.Row(
                    product_id=product_id,
                    sku=sku,
                    stock=number,
                    sent=state.sent_qty if state and state.state == "synced" else None,
                    not_in_omnitron_sku=state.sku if state and state.state == "not_in_omnitron" else None,
                )
            )
        return rows

    def _counting(self, stock_list, products):
        """``products`` as the list counts them: over its warehouses only, in its company only."""
        return products.with_company(stock_list.company_id).with_context(
            warehouse_id=stock_list.warehouse_ids.ids, allowed_company_ids=[stock_list.company_id.id]
        )

    def _numbers(self, stock_list, products):
        """``{product id: (SKU, number)}``, read in one go (the kits bridge counts kits from their components)."""
        fields_read = ["free_qty", "qty_available", "outgoing_qty", "default_code"]
        return {
            row["id"]: (row["default_code"], stock.sellable(row["free_qty"], row["qty_available"], row["outgoing_qty"]))
            for row in self._counting(stock_list, products).read(fields_read)
        }

    def _send(self, stock_list, client, rows, account):
        """Write each changed row, within the account's requests per minute; keep what was sent.

        Returns ``(sent, not in Omnitron, seconds to wait)``: at the account's
        ceiling, or at a 429 with Retry-After, the writes stop and what was
        sent is kept (the job commits it; the rest follows after the wait):
        raising would roll back the record of writes Omnitron has, and a push
        longer than a minute's ceiling would send its first rows for ever.
        The ceiling is taken ``RATE_BLOCK`` writes at a time and the outcomes
        are kept ``CHUNK`` rows at a time (``_keep``): a handful of statements
        per thousand writes, whatever their number.
        """
        limit = account.stock_requests_per_minute
        counter = self.env["omnitron.rate.counter"]
        sent = unknown = granted = 0
        outcomes, wait = [], None
        for index, row in enumerate(rows):
            if limit and not granted:
                granted, left = counter._take(f"omnitron_stock:{account.id}", limit, min(RATE_BLOCK, len(rows) - index))
                if not granted:
                    wait = int(left) + 1
                    break
            granted -= 1
            body = stock.stock_body(row.sku, row.stock, stock_list.stock_list_pk)
            try:
                client.call("POST", stock.PRODUCT_STOCK_PATH, body)
            except omnitron_api.TemporaryFailure as failure:
                if not failure.retry_after:
                    raise self._try_later(account, failure, 60) from None
                counter._pause(_pause_key(account), failure.retry_after)  # the account's other jobs wait too
                wait = failure.retry_after + 1
                break
            except omnitron_api.PermanentFailure as failure:
                answer = _json_or_none(failure.body)
                if stock.is_unknown_sku(failure.status, answer):
                    outcomes.append((row, "not_in_omnitron", str(failure)))
                    unknown += 1
                else:
                    outcomes.append((row, "error", str(failure)))
            else:
                outcomes.append((row, "synced", False))
                sent += 1
            if len(outcomes) >= CHUNK:
                self._keep(stock_list, outcomes)
                outcomes = []
        self._keep(stock_list, outcomes)
        return sent, unknown, wait

    # --- What Omnitron holds ---

    def _read_omnitron(self, stock_list, client):
        """``{sku: OmnitronStock}`` of the stock list, page by page (100 a page)."""
        held, page = {}, 1
        while True:
            answer = client.call(
                "GET", f"{stock.PRODUCT_STOCK_PATH}?stock_list={stock_list.stock_list_pk}&limit=100&page={page}"
            )
            rows, more = stock.read_stock_page(answer, stock_list.stock_list_pk)
            held.update((row.sku, row) for row in rows)
            if not more:
                return held
            page += 1

    @api.model
    def _cron_reconcile(self):
        """Once a day: each list is compared with what Omnitron holds, and what differs is sent again."""
        for stock_list in self._sending_lists():
            self.with_delay(
                channel=CHANNEL,
                identity_key=f"omnitron_stock_reconcile:{stock_list.id}",
                description=f"Omnitron stock: compare {stock_list.name} with Omnitron",
            )._reconcile(stock_list.id)
        return True

    def _reconcile(self, stock_list_id):
        """The job: what Omnitron holds becomes the last sent, then every product's differing number is sent.

        Catches writes lost, numbers typed in Omnitron and rows Omnitron
        dropped. An answer that is not a page is recorded on the account and
        fails the job: it is never taken as "nothing to change".
        """
        stock_list = self.env["omnitron.stock.list"].sudo().browse(stock_list_id).exists()
        if not stock_list or not stock_list.account_id.stock_sync_enabled:
            return "The stock list is no longer sent; nothing was compared."
        client = stock_list.account_id.with_context(lang="en_US")._client()
        if client is None:
            return "The account has no connection; nothing was compared."
        self._wait_if_paused(stock_list.account_id)
        try:
            held = self._read_omnitron(stock_list, client)
        except ValueError as error:
            # Recorded on the list (the job ends with it): never taken as "nothing to change".
            stock_list.comparison_error = str(error)
            return f"Not compared: {error}"
        except omnitron_api.TemporaryFailure as failure:
            raise self._try_later(stock_list.account_id, failure, 300) from None
        stock_list.comparison_error = False
        states = (
            self.env["omnitron.stock.state"]
            .sudo()
            .search([("stock_list_id", "=", stock_list.id), ("state", "=", "synced")])
        )
        missing = []
        differed = 0
        for state in states:  # the writes wait in the cache and go by the ORM's batched UPDATEs
            there = held.get(state.sku)
            if there is None:
                missing.append(state.id)  # Omnitron holds nothing of it: sent again as new
                differed += 1
            elif there.stock != state.sent_qty:
                state.sent_qty = there.stock  # what Omnitron holds: the drain sends Odoo's number again
                differed += 1
        states.browse(missing).unlink()
        self.env.invalidate_all()
        result = self._drain(stock_list.id, full=True)
        return f"Compared {len(held)} products held by Omnitron: {differed} differed. {result}"

    def _comparison(self, stock_list):
        """Odoo's number beside Omnitron's for every product of the list or of Omnitron's, nothing written."""
        client = stock_list.account_id.with_context(lang="en_US")._client()
        if client is None:
            raise omnitron_api.PermanentFailure(stock_list.account_id._outbound_refusal() or "No connection.")
        held = self._read_omnitron(stock_list, client)
        products = self._products(stock_list)
        rows = {row.sku: row for row in self._rows(stock_list, products)}
        by_sku = {product.default_code: product for product in products}
        lines = []
        for sku in sorted(set(rows) | set(held)):
            ours, theirs = rows.get(sku), held.get(sku)
            lines.append(
                {
                    "sku": sku,
                    "product_id": by_sku[sku].id if sku in by_sku else False,
                    "odoo_stock": ours.stock if ours else 0,
                    "in_odoo": bool(ours),
                    "omnitron_stock": theirs.stock if theirs else 0,
                    "in_omnitron": bool(theirs),
                    "sold_quantity_unreported": theirs.sold_quantity_unreported if theirs else 0,
                }
            )
        return lines

    # --- Reservations ---

    def _releasable(self, stock_list, limit=RELEASE_BATCH):
        """Order lines whose reservation Omnitron may drop now.

        Confirmed lines of the account's imported orders, shipped from the
        list's warehouses, never released, whose product Omnitron has Odoo's
        number for: sent (or found equal) with no change waiting. The order's
        demand is then inside the number Omnitron holds, so releasing its
        reservation never lets Omnitron sell what Odoo has promised (an
        undersell at worst, never an oversell).
        """
        self.env["sale.order.line"].flush_model(["omnitron_reservation_released", "omnitron_item_pk", "product_id"])
        self.env["sale.order"].flush_model(["state", "warehouse_id", "omnitron_account_id"])
        self.env["omnitron.stock.state"].flush_model()
        self._write_marks()
        self.env.cr.execute(
            """SELECT line.id
                 FROM sale_order_line line
                 JOIN sale_order so ON so.id = line.order_id
                 JOIN omnitron_stock_state st ON st.product_id = line.product_id AND st.stock_list_id = %(list)s
                WHERE so.omnitron_account_id = %(account)s AND so.state = 'sale'
                  AND so.warehouse_id = ANY(%(warehouses)s)
                  AND line.omnitron_item_pk IS NOT NULL AND NOT COALESCE(line.omnitron_reservation_released, false)
                  AND st.state = 'synced'
                  AND NOT EXISTS (SELECT 1 FROM omnitron_stock_change m
                                   WHERE m.product_id = line.product_id AND m.warehouse_id = ANY(%(warehouses)s))
                ORDER BY line.id LIMIT %(limit)s""",
            {
                "list": stock_list.id,
                "account": stock_list.account_id.id,
                "warehouses": stock_list.warehouse_ids.ids,
                "limit": limit,
            },
        )
        return self.env["sale.order.line"].sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _release(self, stock_list, client):
        """Release each releasable line once (``create_mapping``); an item mapped already counts as done."""
        released = 0
        for line in self._releasable(stock_list):
            path = stock.RELEASE_PATH.format(item_pk=line.omnitron_item_pk)
            try:
                client.call("POST", path, stock.release_body(line.id))
            except omnitron_api.TemporaryFailure as failure:
                raise self._try_later(stock_list.account_id, failure, 60) from None
            except omnitron_api.PermanentFailure as failure:
                if not stock.already_released(failure.status, _json_or_none(failure.body)):
                    _logger.warning("Omnitron refused to release item %s: %s", line.omnitron_item_pk, failure)
                    continue
            line.omnitron_reservation_released = True
            released += 1
        return released

    def _keep(self, stock_list, outcomes):
        """Keep what each write did, ``[(row, state, error)]``: one search, the ORM's batched UPDATEs, one
        create (a few statements per chunk, not three per product)."""
        if not outcomes:
            return
        states = self.env["omnitron.stock.state"].sudo()
        kept = {
            state.product_id.id: state
            for state in states.search(
                [("stock_list_id", "=", stock_list.id), ("product_id", "in", [row.product_id for row, *_ in outcomes])]
            )
        }
        now = fields.Datetime.now()
        new = []
        for row, state, error in outcomes:
            values = {"sku": row.sku, "state": state, "error": error or False}
            if state == "synced":
                values.update(sent_qty=row.stock, sent_at=now)
            if row.product_id in kept:
                kept[row.product_id].write(values)
            else:
                new.append({"stock_list_id": stock_list.id, "product_id": row.product_id, **values})
        states.create(new)
        states.flush_model()
        states.invalidate_model()  # a 50,000-SKU push keeps no more than a chunk in the cache

    # --- Omnitron's Retry-After ---

    def _try_later(self, account, failure, seconds):
        """The job tried again after Omnitron's Retry-After when it gave one, else after ``seconds``.

        A 429 with Retry-After is Omnitron saying when, not a failed try: it
        does not count toward the job's tries, so a throttle longer than five
        Retry-Afters reschedules the drain again and never fails it. The pause
        is noted for the account (``_wait_if_paused``), so the account's other
        stock jobs wait for it too. queue_job keeps the next try's time to the
        second, cut: one second more keeps it after the Retry-After. Other
        temporary failures (5xx, timeouts) count as tries.
        """
        if failure.retry_after:
            self.env["omnitron.rate.counter"]._pause(_pause_key(account), failure.retry_after)
            return RetryableJobError(str(failure), seconds=failure.retry_after + 1, ignore_retry=True)
        return RetryableJobError(str(failure), seconds=seconds)

    def _wait_if_paused(self, account):
        """A stock job of an account Omnitron asked to wait (a 429 another job met) waits out the rest.

        Checked as a job starts: the stock channel runs one job at a time, so
        no other stock job of the account meets a 429 while this one sends.
        """
        left = self.env["omnitron.rate.counter"]._paused(_pause_key(account))
        if left:
            raise RetryableJobError(
                f"Omnitron asked to wait (429 with Retry-After): {left} s left.", seconds=left + 1, ignore_retry=True
            )


def _pause_key(account):
    return f"omnitron_stock_pause:{account.id}"


def _json_or_none(text):
    import json

    try:
        return json.loads(text or "")
    except ValueError:
        return None
