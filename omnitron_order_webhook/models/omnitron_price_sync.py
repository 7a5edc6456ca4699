import json
from decimal import Decimal

from odoo import api, fields, models
from odoo.addons.queue_job.exception import RetryableJobError

from ..core import omnitron_api, prices, stock
from .omnitron_stock_sync import CHANNEL, DEBOUNCE_SECONDS, _pause_key

# Fields whose change may change a product's price on a price list: logged as the change happens.
TEMPLATE_PRICE_FIELDS = {"list_price", "taxes_id", "default_code", "sale_ok", "active", "company_id", "type"}
VARIANT_PRICE_FIELDS = {"default_code", "active", "product_template_attribute_value_ids"}


class OmnitronPriceSync(models.AbstractModel):
    """The flow that tells Omnitron Odoo's prices: the stock sync's sibling, on its job channel.

    The same mechanism as stock (``omnitron.stock.sync``): a change is logged
    where it happens, one INSERT in its own transaction (a product's list
    price, taxes or SKU); a drain computes the changed products' prices in
    bulk on each price list's pricelist, sends only what differs from the last
    sent (``omnitron.price.state``) and deletes what it read. A pricelist rule
    can change many products at once: its change asks for a full recount of
    the lists priced from it, which still sends only what differs. Rules
    bound to dates change prices with no write at all: a nightly recount and
    comparison with Omnitron send them.
    """

    _name = "omnitron.price.sync"
    _description = "Omnitron Price Sync"

    # --- Changes ---

    @api.model
    def _mark(self, product_ids):
        """Log products whose price may have changed: one statement, whatever their number."""
        product_ids = sorted({product_id for product_id in product_ids if product_id})
        if not product_ids or not self.env["omnitron.price.list"]._marking():
            return
        self.env.cr.execute(
            "INSERT INTO omnitron_price_change (product_id) SELECT unnest(%s::int[])",
            [product_ids],
        )
        self._enqueue_drain(eta=DEBOUNCE_SECONDS)

    @api.model
    def _pricelists_changed(self, pricelists):
        """A pricelist's rules or currency changed: the lists priced from it are recounted soon (debounced).

        Any sending list of the same companies, not only those naming the
        pricelist: a rule may take its base price from another pricelist.
        """
        if not pricelists or not self.env["omnitron.price.list"]._marking():
            return
        pricelists = pricelists.sudo()
        shared = not all(pricelists.mapped("company_id"))  # a shared pricelist prices every company's lists
        for price_list in self._sending_lists():
            if shared or price_list.company_id in pricelists.company_id:
                self._enqueue_drain(price_list, full=True, eta=DEBOUNCE_SECONDS)

    # --- Drains ---

    @api.model
    def _enqueue_drain(self, price_list=None, full=False, eta=None):
        """One pending drain (a later one merges): of what changed for every list, or of all of one list."""
        if full:
            key, words = f"omnitron_price_drain:{price_list.id}:full", f"{price_list.name} (all products)"
        else:
            key, words = "omnitron_price_drain:marks", "what changed"
        return self.with_delay(
            channel=CHANNEL, eta=eta, identity_key=key, description=f"Omnitron prices: {words}"
        )._drain(price_list.id if full else None, full)

    @api.model
    def _cron_drain(self):
        """Every 2 minutes: the changes waiting are sent (a drain lost with its job is asked again)."""
        self.env.cr.execute("SELECT 1 FROM omnitron_price_change LIMIT 1")
        if self.env.cr.rowcount and self._sending_lists():
            self._enqueue_drain()
        for account in self._sending_lists().account_id:
            account._watch_stock()  # the banner and activity cover prices too
        return True

    @api.model
    def _cron_nightly(self):
        """Every night: each list is compared with Omnitron and every price computed again.

        Catches what no write tells: a pricelist rule whose dates begin or end,
        a currency rate, a price typed in Omnitron, a lost write.
        """
        for price_list in self._sending_lists():
            self.with_delay(
                channel=CHANNEL,
                identity_key=f"omnitron_price_reconcile:{price_list.id}",
                description=f"Omnitron prices: compare {price_list.name} with Omnitron",
            )._reconcile(price_list.id)
        return True

    def _sending_lists(self):
        return (
            self.env["omnitron.price.list"]
            .sudo()
            .search([("account_id.price_sync_enabled", "=", True), ("account_id.active", "=", True)])
        )

    def _drain(self, price_list_id=None, full=False):
        """The job: send changed prices (of every sending list, or all of one list); return what was done."""
        # Two drains never interleave: marks are shared by all lists.
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [7308, 0])
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError("Another price drain is running.", seconds=30, ignore_retry=True)
        if full:
            price_lists = self.env["omnitron.price.list"].sudo().browse(price_list_id).exists()
            price_lists = price_lists & self._sending_lists()
            changed, last_read = None, 0
        else:
            price_lists = self._sending_lists()
            changed, last_read = self._read_marks()
        if not price_lists:
            return "No price list is sent; nothing was sent."
        # One connection for all of the drain's calls (keep-alive).
        with omnitron_api.kept_session() as session:
            return self._drain_on(session, price_lists, changed, last_read, full)

    def _drain_on(self, session, price_lists, changed, last_read, full):
        done, unreachable, waits = [], False, []
        for price_list in price_lists:
            said, wait = self._drain_list(price_list, changed, session)
            unreachable |= said is None
            done.append(said or f"{price_list.name}: the account has no connection; its prices wait.")
            if wait:
                waits.append(wait)
        if waits:
            # Stopped by Omnitron's Retry-After or the account's ceiling: what was sent is kept (this job
            # commits), the changes stay logged, and a drain after the wait sends what still differs.
            if full:
                self._enqueue_drain(price_lists, full=True, eta=max(waits))
            else:
                self._enqueue_drain(eta=max(waits))
            done.append(f"The rest follows in {max(waits)} s (Omnitron's Retry-After or the account's ceiling).")
        elif last_read and not unreachable:  # an unreachable list's changes stay for the next drain
            self.env.cr.execute("DELETE FROM omnitron_price_change WHERE id <= %s", [last_read])
        return " ".join(done)

    def _drain_list(self, price_list, changed, session=None):
        """``(what was done, seconds to wait before the rest)``; what was done is None without a connection."""
        account = price_list.account_id.with_context(lang="en_US")
        client = account._client(session)
        if client is None:
            return None, None
        paused = self.env["omnitron.rate.counter"]._paused(_pause_key(price_list.account_id))
        if paused:
            return f"{price_list.name}: Omnitron asked to wait {paused} s more (429).", paused + 1
        products = self._products(price_list, changed)
        rows = self._rows(price_list, products)
        to_send = prices.changed_prices(rows)
        sent, unknown, wait = self._send(price_list, client, to_send, price_list.account_id)
        return f"{price_list.name}: {len(rows)} products priced, {sent} sent, {unknown} not in Omnitron.", wait

    def _read_marks(self):
        """The products whose price may have changed and the last change read (in the drain's snapshot)."""
        self.env.flush_all()
        self.env.cr.execute("SELECT product_id, max(id) FROM omnitron_price_change GROUP BY product_id")
        rows = self.env.cr.fetchall()
        return {product for product, _last in rows}, max((last for _product, last in rows), default=0)

    def _products(self, price_list, product_ids=None):
        """The list's products that are priced: goods for sale, with a SKU, of its company or shared."""
        domain = [
            ("type", "=", "consu"),
            ("sale_ok", "=", True),
            ("default_code", "!=", False),
            ("company_id", "in", [False, price_list.company_id.id]),
        ]
        if product_ids is not None:
            if not product_ids:
                return self.env["product.product"]
            domain.append(("id", "in", list(product_ids)))
        return self.env["product.product"].sudo().search(domain, order="id")

    def _figures(self, price_list, products):
        """``{product id: prices.Price}`` now, in bulk: the pricelist's price of one unit and the list price,
        each with the product's sale taxes of the list's company, in the pricelist's currency."""
        company = price_list.company_id
        pricelist = price_list.pricelist_id.sudo().with_company(company)
        currency = pricelist.currency_id
        products = products.with_company(company).with_context(allowed_company_ids=[company.id])
        today = fields.Date.context_today(self)
        paid = pricelist._get_products_price(products, 1.0, currency=currency)
        figures = {}
        for product in products:
            taxes = product.taxes_id._filter_taxes_by_company(company)
            listed = product.currency_id._convert(product.lst_price, currency, company, today)
            price = _tax_included(taxes, paid[product.id], currency, product)
            rate = sum(tax.amount for tax in taxes.flatten_taxes_hierarchy() if tax.amount_type == "percent")
            figures[product.id] = prices.Price.of(
                price, prices.retail_price(_tax_included(taxes, listed, currency, product), price), rate
            )
        return figures

    def _rows(self, price_list, products):
        if not products:
            return []
        figures = self._figures(price_list, products)
        states = {
            state.product_id.id: state
            for state in self.env["omnitron.price.state"]
            .sudo()
            .search([("price_list_id", "=", price_list.id), ("product_id", "in", products.ids)])
        }
        rows = []
        for product in products:
            state = states.get(product.id)
            rows.append(
                prices.PriceRow(
                    product_id=product.id,
                    sku=product.default_code,
                    now=figures[product.id],
                    sent=_sent(state) if state and state.state == "synced" else None,
                    not_in_omnitron_sku=state.sku if state and state.state == "not_in_omnitron" else None,
                )
            )
        return rows

    def _send(self, price_list, client, rows, account):
        """Write each changed row, within the account's writes per minute (shared with stock)."""
        limit = account.stock_requests_per_minute
        counter = self.env["omnitron.rate.counter"]
        currency = price_list.pricelist_id.currency_id.name
        sent = unknown = 0
        for row in rows:
            wait = counter._hit(f"omnitron_stock:{account.id}", limit) if limit else None
            if wait:
                # Over the ceiling: what was sent is kept (each write is kept as it is made); the rest follows.
                return sent, unknown, int(wait) + 1
            try:
                client.call(
                    "POST",
                    prices.PRODUCT_PRICE_PATH,
                    prices.price_body(row.sku, row.now, price_list.price_list_pk, currency),
                )
            except omnitron_api.TemporaryFailure as failure:
                if not failure.retry_after:
                    raise self.env["omnitron.stock.sync"]._try_later(account, failure, 60) from None
                counter._pause(_pause_key(account), failure.retry_after)  # the account's stock jobs wait too
                return sent, unknown, failure.retry_after + 1
            except omnitron_api.PermanentFailure as failure:
                if stock.is_unknown_sku(failure.status, _json_or_none(failure.body)):
                    self._keep(price_list, row, "not_in_omnitron", str(failure))
                    unknown += 1
                else:
                    self._keep(price_list, row, "error", str(failure))
                continue
            self._keep(price_list, row, "synced")
            sent += 1
        return sent, unknown, None

    def _keep(self, price_list, row, state, error=False):
        values = {"sku": row.sku, "state": state, "error": error or False}
        if state == "synced":
            values.update(
                sent_price=str(row.now.price),
                sent_retail_price=str(row.now.retail_price) if row.now.retail_price is not None else False,
                sent_tax_rate=str(row.now.tax_rate),
                sent_at=fields.Datetime.now(),
            )
        kept = (
            self.env["omnitron.price.state"]
            .sudo()
            .search([("price_list_id", "=", price_list.id), ("product_id", "=", row.product_id)])
        )
        if kept:
            kept.write(values)
        else:
            kept.create({"price_list_id": price_list.id, "product_id": row.product_id, **values})

    # --- What Omnitron holds ---

    def _read_omnitron(self, price_list, client):
        """``{sku: prices.Price}`` of the price list, page by page (100 a page)."""
        held, page = {}, 1
        while True:
            answer = client.call(
                "GET", f"{prices.PRODUCT_PRICE_PATH}?price_list={price_list.price_list_pk}&limit=100&page={page}"
            )
            rows, more = prices.read_price_page(answer, price_list.price_list_pk)
            held.update((row.sku, row.figures) for row in rows)
            if not more:
                return held
            page += 1

    def _reconcile(self, price_list_id):
        """The job: what Omnitron holds becomes the last sent, then every product's differing price is sent.

        An answer that is not a page is recorded on the list and nothing is
        taken as "nothing to change"; the recount still runs (date-bound rules).
        """
        price_list = self.env["omnitron.price.list"].sudo().browse(price_list_id).exists()
        if not price_list or price_list not in self._sending_lists():
            return "The price list is no longer sent; nothing was compared."
        client = price_list.account_id.with_context(lang="en_US")._client()
        if client is None:
            return "The account has no connection; nothing was compared."
        try:
            held = self._read_omnitron(price_list, client)
        except ValueError as error:
            price_list.comparison_error = str(error)
            held = None
        except omnitron_api.TemporaryFailure as failure:
            raise self.env["omnitron.stock.sync"]._try_later(price_list.account_id, failure, 300) from None
        differed = 0
        if held is not None:
            price_list.comparison_error = False
            states = self.env["omnitron.price.state"].sudo().search([("price_list_id", "=", price_list.id)])
            for state in states.filtered(lambda state: state.state == "synced"):
                there = held.get(state.sku)
                if there is None:
                    state.unlink()  # Omnitron holds nothing of it: sent again as new
                    differed += 1
                elif there != _sent(state):
                    state.write(  # what Omnitron holds: the drain sends Odoo's price again
                        {
                            "sent_price": str(there.price),
                            "sent_retail_price": str(there.retail_price) if there.retail_price else False,
                            "sent_tax_rate": str(there.tax_rate),
                        }
                    )
                    differed += 1
        result = self._drain(price_list.id, full=True)
        if held is None:
            return f"Not compared: {price_list.comparison_error} {result}"
        return f"Compared {len(held)} products priced in Omnitron: {differed} differed. {result}"


def _tax_included(taxes, amount, currency, product):
    if not taxes:
        return amount
    return taxes.compute_all(amount, currency, 1.0, product=product)["total_included"]


def _sent(state):
    return prices.Price.of(
        Decimal(state.sent_price or "0"),
        Decimal(state.sent_retail_price) if state.sent_retail_price else None,
        Decimal(state.sent_tax_rate or "0"),
    )


def _json_or_none(text):
    try:
        return json.loads(text or "")
    except ValueError:
        return None
