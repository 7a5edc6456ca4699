from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


class OmnitronPriceList(models.Model):
    """One of an Omnitron installation's price lists, and the account company's pricelist it is priced from.

    Opt-in (the account's *Send Prices*): each product's price of one unit on
    the pricelist, tax included, is sent to this Omnitron price list with the
    list price when higher (``core/prices.py``), by ``omnitron.price.sync``;
    what was last sent is kept per product (``omnitron.price.state``).
    """

    _name = "omnitron.price.list"
    _description = "Omnitron Price List"
    _order = "account_id, name, id"

    name = fields.Char(required=True)
    account_id = fields.Many2one("omnitron.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    price_list_pk = fields.Integer(
        string="Omnitron Price List ID",
        required=True,
        help="The price list's id in Omnitron (Products & Catalogs › Price Lists): its prices are written there.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        string="Odoo Pricelist",
        required=True,
        ondelete="restrict",
        help="Each product's price of one unit on this pricelist, its sale taxes included, is Omnitron's price.",
    )
    currency_id = fields.Many2one(related="pricelist_id.currency_id")
    active = fields.Boolean(default=True)
    state_ids = fields.One2many("omnitron.price.state", "price_list_id", string="Sent to Omnitron", readonly=True)
    last_push_at = fields.Datetime(string="Last Push", compute="_compute_figures")
    rows_waiting = fields.Integer(string="Products Waiting", compute="_compute_figures")
    rows_in_error = fields.Integer(string="Products in Error", compute="_compute_figures")
    not_in_omnitron_count = fields.Integer(string="Not in Omnitron", compute="_compute_figures")
    comparison_error = fields.Text(
        readonly=True,
        help="Why the last comparison with Omnitron could not read Omnitron's product prices.",
    )

    _sql_constraints = [
        (
            "omnitron_price_list_pk_uniq",
            "unique(account_id, price_list_pk)",
            "This Omnitron price list is mapped already on this account.",
        ),
    ]

    def init(self):
        # Products whose price may have changed (list price, taxes, SKU), logged by one INSERT in the
        # change's transaction, as stock changes are; a drain deletes what it read.
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS omnitron_price_change (
                   id bigserial PRIMARY KEY,
                   product_id integer NOT NULL,
                   changed_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
               )"""
        )

    @api.constrains("price_list_pk")
    def _check_price_list_pk(self):
        for price_list in self:
            if price_list.price_list_pk <= 0:
                raise ValidationError(
                    self.env._(
                        "Omnitron Price List ID: %(value)s is no id of an Omnitron price list (a positive whole "
                        "number).",
                        value=price_list.price_list_pk,
                    )
                )

    @api.constrains("pricelist_id", "account_id")
    def _check_pricelist(self):
        for price_list in self:
            pricelist = price_list.pricelist_id.sudo()
            company = price_list.account_id.company_id
            if pricelist.company_id and pricelist.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Odoo Pricelist: %(pricelist)s belongs to %(other)s, not to %(company)s, the company of "
                        "%(account)s: its prices are not this company's to sell at.",
                        pricelist=pricelist.name,
                        other=pricelist.company_id.name,
                        company=company.name,
                        account=price_list.account_id.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()  # _marking
        for price_list in records.filtered(lambda pl: pl.active and pl.account_id.price_sync_enabled):
            self.env["omnitron.price.sync"]._enqueue_drain(price_list, full=True)
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        if {"pricelist_id", "price_list_pk", "active"} & set(vals):
            for price_list in self.filtered(lambda pl: pl.active and pl.account_id.price_sync_enabled):
                self.env["omnitron.price.sync"]._enqueue_drain(price_list, full=True)
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache()
    def _marking(self):
        """Whether any price list is sent: price changes are logged only then."""
        self.flush_model(["active", "account_id"])
        self.env["omnitron.account"].flush_model(["active", "price_sync_enabled"])
        self.env.cr.execute(
            """SELECT 1 FROM omnitron_price_list pl JOIN omnitron_account a ON a.id = pl.account_id
                WHERE pl.active AND a.active AND a.price_sync_enabled LIMIT 1"""
        )
        return bool(self.env.cr.rowcount)

    def _compute_figures(self):
        cr = self.env.cr
        for price_list in self:
            if not price_list.id:
                price_list.update(
                    {"last_push_at": False, "rows_waiting": 0, "rows_in_error": 0, "not_in_omnitron_count": 0}
                )
                continue
            cr.execute(
                """SELECT max(sent_at), count(*) FILTER (WHERE state = 'error'),
                          count(*) FILTER (WHERE state = 'not_in_omnitron')
                     FROM omnitron_price_state WHERE price_list_id = %s""",
                [price_list.id],
            )
            last, errors, unknown = cr.fetchone()
            # Price changes are logged per product: those of the list's company, or shared, wait for it.
            cr.execute(
                """SELECT count(DISTINCT c.product_id) FROM omnitron_price_change c
                     JOIN product_product p ON p.id = c.product_id
                     JOIN product_template t ON t.id = p.product_tmpl_id
                    WHERE t.company_id IS NULL OR t.company_id = %s""",
                [price_list.company_id.id],
            )
            price_list.update(
                {
                    "last_push_at": last,
                    "rows_waiting": cr.fetchone()[0],
                    "rows_in_error": errors,
                    "not_in_omnitron_count": unknown,
                }
            )

    def action_push_now(self):
        """*Push now*: every product's price is computed and what differs from the last sent is sent."""
        self.check_access("read")
        self.account_id._check_manager()
        for price_list in self:
            self.env["omnitron.price.sync"]._enqueue_drain(price_list, full=True)
        return True
