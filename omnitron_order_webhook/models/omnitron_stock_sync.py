import logging

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError

from ..core import omnitron_api, stock

_logger = logging.getLogger(__name__)

CHANNEL = "root.omnitron_stock"
# A drain asked for right after a delivery waits this long, so a burst of validations makes one drain.
DEBOUNCE_SECONDS = 30
# Reservation releases per drain: the next drain takes the rest.
RELEASE_BATCH = 200


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
        """Mark (product id, warehouse id) pairs changed: one statement, whatever their number."""
        pairs = {(product, warehouse) for product, warehouse in pairs if product and warehouse}
        if not pairs or not self.env["omnitron.stock.list"]._marking():
            return
        products, warehouses = zip(*pairs, strict=True)
        self.env.cr.execute(
            "INSERT INTO omnitron_stock_change (product_id, warehouse_id) SELECT * FROM unnest(%s::int[], %s::int[])",
            [list(products), list(warehouses)],
        )

    # --- Drains ---

    @api.model
    def _enqueue_drain(self, stock_list, full=False, eta=None):
        """One pending drain per stock list (a later one merges), on the stock channel."""
        return self.with_delay(
            channel=CHANNEL,
            eta=eta,
            identity_key=f"omnitron_stock_drain:{stock_list.id}:{'full' if full else 'marks'}",
            description=f"Omnitron stock: {stock_list.name} ({'all products' if full else 'what changed'})",
        )._drain(stock_list.id, full)

    @api.model
    def _drain_after_delivery(self, warehouses):
        """A delivery was validated: the lists selling from its warehouses drain soon (debounced)."""
        if not warehouses or not self.env["omnitron.stock.list"]._marking():
            return
        stock_lists = self._sending_lists().filtered(lambda sl: sl.warehouse_ids & warehouses)
        for stock_list in stock_lists:
            self._enqueue_drain(stock_list, eta=DEBOUNCE_SECONDS)

    @api.model
    def _cron_drain(self):
        """Every 2 minutes: each list with changes waiting drains."""
        for stock_list in self._sending_lists():
            self.env.cr.execute(
                "SELECT 1 FROM omnitron_stock_change WHERE warehouse_id = ANY(%s) LIMIT 1",
                [stock_list.warehouse_ids.ids],
            )
            if self.env.cr.rowcount:
                self._enqueue_drain(stock_list)
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

    def _drain(self, stock_list_id, full=False):
        """The job: send a stock list's changed numbers; return what was done, in words (kept on the job)."""
        stock_list = self.env["omnitron.stock.list"].sudo().browse(stock_list_id).exists()
        if not stock_list or not stock_list.active or not stock_list.account_id.stock_sync_enabled:
            return "The stock list is no longer sent; nothing was sent."
        account = stock_list.account_id.with_context(lang="en_US")
        # Two drains of one list never interleave (a merged job and a cron's).
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [7307, stock_list.id])
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError("Another drain of this stock list is running.", seconds=30, ignore_retry=True)
        client = account._client()
        if client is None:
            return account._outbound_refusal() or "The account has no connection; nothing was sent."
        self._wait_if_paused(account)
        warehouses = stock_list.warehouse_ids
        changed, last_read = self._read_marks(warehouses)
        products = self._products(stock_list, None if full else changed)
        rows = self._rows(stock_list, products)
        changed = stock.changed_rows(rows)
        if full:
            changed += self._gone(stock_list, products)
        sent, unknown = self._send(stock_list, client, changed, account)
        self._clear_marks(warehouses, last_read)
        released = self._release(stock_list, client)
        return f"{len(rows)} products counted, {sent} sent, {unknown} not in Omnitron, {released} order lines released."

    def _read_marks(self, warehouses):
        """The products changed in ``warehouses`` and the last change read: ``({product ids}, last id)``.

        Read in the drain's snapshot (REPEATABLE READ), as the quantities are
        after it: a change committed later is in neither, and keeps its row.
        """
        self.env.flush_all()  # changes are logged by SQL beside pending ORM writes: read after both
        self.env.cr.execute(
            "SELECT product_id, max(id) FROM omnitron_stock_change WHERE warehouse_id = ANY(%s) GROUP BY product_id",
            [warehouses.ids],
        )
        rows = self.env.cr.fetchall()
        return {product for product, _last in rows}, max((last for _product, last in rows), default=0)

    def _clear_marks(self, warehouses, last_read):
        """Remove the changes read (up to ``last_read``, visible in this snapshot): later ones stay."""
        if last_read:
            self.env.cr.execute(
                "DELETE FROM omnitron_stock_change WHERE warehouse_id = ANY(%s) AND id <= %s",
                [warehouses.ids, last_read],
            )

    def _products(self, stock_list, product_ids=None):
        """The list's products that are sent: storable, with a SKU, not excluded, of its company or shared."""
        domain = [
            ("is_storable", "=", True),
            ("default_code", "!=", False),
            ("product_tmpl_id.omnitron_stock_excluded", "=", False),
            ("company_id", "in", [False, stock_list.company_id.id]),
        ]
        if product_ids is not None:
            if not product_ids:
                return self.env["product.product"]
            domain.append(("id", "in", list(product_ids)))
        return self.env["product.product"].sudo().search(domain, order="id")

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
        """Each product's number now (in bulk, over the list's warehouses), beside what was last sent."""
        if not products:
            return []
        counted = products.with_company(stock_list.company_id).with_context(
            warehouse_id=stock_list.warehouse_ids.ids, allowed_company_ids=[stock_list.company_id.id]
        )
        quantities = {
            row["id"]: row for row in counted.read(["free_qty", "qty_available", "outgoing_qty", "default_code"])
        }
        states = {
            state.product_id.id: state
            for state in self.env["omnitron.stock.state"]
            .sudo()
            .search([("stock_list_id", "=", stock_list.id), ("product_id", "in", products.ids)])
        }
        rows = []
        for product_id, row in quantities.items():
            state = states.get(product_id)
            rows.append(
                stock.Row(
                    product_id=product_id,
                    sku=row["default_code"],
                    stock=stock.sellable(row["free_qty"], row["qty_available"], row["outgoing_qty"]),
                    sent=state.sent_qty if state and state.state == "synced" else None,
                    not_in_omnitron_sku=state.sku if state and state.state == "not_in_omnitron" else None,
                )
            )
        return rows

    def _send(self, stock_list, client, rows, account):
        """Write each changed row, within the account's requests per minute; keep what was sent."""
        limit = account.stock_requests_per_minute
        counter = self.env["omnitron.rate.counter"]
        sent = unknown = 0
        for row in rows:
            wait = counter._hit(f"omnitron_stock:{account.id}", limit) if limit else None
            if wait:
                # Over the ceiling: what was sent is kept by the next drain's comparison (idempotent writes).
                raise RetryableJobError(
                    f"Stock writes reached {limit} per minute for the account; the rest follows.",
                    seconds=int(wait) + 1,
                    ignore_retry=True,
                )
            body = stock.stock_body(row.sku, row.stock, stock_list.stock_list_pk)
            try:
                client.call("POST", stock.PRODUCT_STOCK_PATH, body)
            except omnitron_api.TemporaryFailure as failure:
                raise self._try_later(account, failure, 60) from None
            except omnitron_api.PermanentFailure as failure:
                answer = _json_or_none(failure.body)
                if stock.is_unknown_sku(failure.status, answer):
                    self._keep(stock_list, row, "not_in_omnitron", str(failure))
                    unknown += 1
                    continue
                self._keep(stock_list, row, "error", str(failure))
                continue
            self._keep(stock_list, row, "synced")
            sent += 1
        return sent, unknown

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
        states = self.env["omnitron.stock.state"].sudo().search([("stock_list_id", "=", stock_list.id)])
        differed = 0
        for state in states.filtered(lambda state: state.state == "synced"):
            there = held.get(state.sku)
            if there is None:
                state.unlink()  # Omnitron holds nothing of it: sent again as new
                differed += 1
            elif there.stock != state.sent_qty:
                state.sent_qty = there.stock  # what Omnitron holds: the drain sends Odoo's number again
                differed += 1
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

    def _keep(self, stock_list, row, state, error=False):
        values = {"sku": row.sku, "state": state, "error": error or False}
        if state == "synced":
            values.update(sent_qty=row.stock, sent_at=fields.Datetime.now())
        kept = (
            self.env["omnitron.stock.state"]
            .sudo()
            .search([("stock_list_id", "=", stock_list.id), ("product_id", "=", row.product_id)])
        )
        if kept:
            kept.write(values)
        else:
            kept.create({"stock_list_id": stock_list.id, "product_id": row.product_id, **values})


def _pause_key(account):
    return f"omnitron_stock_pause:{account.id}"


def _json_or_none(text):
    import json

    try:
        return json.loads(text or "")
    except ValueError:
        return None
