from odoo import api, fields, models, tools
from odoo.exceptions import UserError, ValidationError

from ..core import omnitron_api


class OmnitronStockList(models.Model):
    """One of an Omnitron installation's stock lists, and the account company's warehouses it sells from.

    What each product of the list can be sold (``core/stock.py``) is counted
    over these warehouses only, and sent to Omnitron by the stock sync
    (``omnitron.stock.sync``); what was last sent is kept per product
    (``omnitron.stock.state``).
    """

    _name = "omnitron.stock.list"
    _description = "Omnitron Stock List"
    _order = "account_id, name, id"

    name = fields.Char(required=True)
    account_id = fields.Many2one("omnitron.account", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="account_id.company_id", store=True, index=True)
    stock_list_pk = fields.Integer(
        string="Omnitron Stock List ID",
        required=True,
        help="The stock list's id in Omnitron (Products & Catalogs › Stock Lists): its numbers are written there.",
    )
    warehouse_ids = fields.Many2many(
        "stock.warehouse",
        "omnitron_stock_list_warehouse_rel",
        "stock_list_id",
        "warehouse_id",
        string="Warehouses",
        required=True,
        help="The warehouses whose goods this stock list sells: their free stock, less what is still to leave "
        "them, is what Omnitron may sell.",
    )
    active = fields.Boolean(default=True)
    state_ids = fields.One2many("omnitron.stock.state", "stock_list_id", string="Sent to Omnitron", readonly=True)
    last_push_at = fields.Datetime(string="Last Push", compute="_compute_figures")
    rows_waiting = fields.Integer(string="Products Waiting", compute="_compute_figures")
    oldest_unsent_at = fields.Datetime(string="Oldest Unsent Change", compute="_compute_figures")
    rows_in_error = fields.Integer(string="Products in Error", compute="_compute_figures")
    not_in_omnitron_count = fields.Integer(string="Not in Omnitron", compute="_compute_figures")
    comparison_error = fields.Text(
        readonly=True,
        help="Why the last comparison with Omnitron could not read Omnitron's product stocks.",
    )

    _sql_constraints = [
        (
            "omnitron_stock_list_pk_uniq",
            "unique(account_id, stock_list_pk)",
            "This Omnitron stock list is mapped already on this account.",
        ),
    ]

    def init(self):
        # What changed and is not sent yet, written where it changes (a quant, a move's demand), in the
        # change's own transaction, by one INSERT: a log, never updated, so concurrent changes of one
        # product never wait for each other; a drain deletes what it read (up to the last id it saw).
        self.env.cr.execute(
            """CREATE TABLE IF NOT EXISTS omnitron_stock_change (
                   id bigserial PRIMARY KEY,
                   product_id integer NOT NULL,
                   warehouse_id integer NOT NULL,
                   changed_at timestamp NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')
               )"""
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS omnitron_stock_change_warehouse_idx ON omnitron_stock_change (warehouse_id, id)"
        )

    @api.constrains("stock_list_pk")
    def _check_stock_list_pk(self):
        for stock_list in self:
            if stock_list.stock_list_pk <= 0:
                raise ValidationError(
                    self.env._(
                        "Omnitron Stock List ID: %(value)s is no id of an Omnitron stock list (a positive whole "
                        "number).",
                        value=stock_list.stock_list_pk,
                    )
                )

    @api.constrains("warehouse_ids", "account_id")
    def _check_warehouses(self):
        for stock_list in self:
            if not stock_list.warehouse_ids:
                raise ValidationError(
                    self.env._("Warehouses: stock list %(list)s sells from no warehouse.", list=stock_list.name)
                )
            company = stock_list.account_id.company_id
            for warehouse in stock_list.warehouse_ids.sudo():
                if warehouse.company_id != company:
                    raise ValidationError(
                        self.env._(
                            "Warehouses: %(warehouse)s belongs to %(other)s, not to %(company)s, the company of "
                            "%(account)s: its goods are not this company's to sell.",
                            warehouse=warehouse.name,
                            other=warehouse.company_id.name,
                            company=company.name,
                            account=stock_list.account_id.name,
                        )
                    )

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env.registry.clear_cache()  # _marking
        return records

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache()
    def _marking(self):
        """Whether any stock list is sent: changes are marked only then (the hooks cost one statement)."""
        self.flush_model(["active", "account_id"])
        self.env["omnitron.account"].flush_model(["active", "stock_sync_enabled"])
        self.env.cr.execute(
            """SELECT 1 FROM omnitron_stock_list sl JOIN omnitron_account a ON a.id = sl.account_id
                WHERE sl.active AND a.active AND a.stock_sync_enabled LIMIT 1"""
        )
        return bool(self.env.cr.rowcount)

    def _compute_figures(self):
        cr = self.env.cr
        for stock_list in self:
            if not stock_list.id:
                stock_list.update(
                    {
                        "last_push_at": False,
                        "rows_waiting": 0,
                        "oldest_unsent_at": False,
                        "rows_in_error": 0,
                        "not_in_omnitron_count": 0,
                    }
                )
                continue
            cr.execute(
                """SELECT max(sent_at), count(*) FILTER (WHERE state = 'error'),
                          count(*) FILTER (WHERE state = 'not_in_omnitron')
                     FROM omnitron_stock_state WHERE stock_list_id = %s""",
                [stock_list.id],
            )
            last, errors, unknown = cr.fetchone()
            self.env["omnitron.stock.sync"]._write_marks()  # this transaction's changes too
            cr.execute(
                """SELECT count(DISTINCT product_id), min(changed_at) FROM omnitron_stock_change
                    WHERE warehouse_id = ANY(%s)""",
                [stock_list.warehouse_ids.ids],
            )
            waiting, oldest = cr.fetchone()
            stock_list.update(
                {
                    "last_push_at": last,
                    "rows_waiting": waiting,
                    "oldest_unsent_at": oldest,
                    "rows_in_error": errors,
                    "not_in_omnitron_count": unknown,
                }
            )

    def action_compare(self):
        """*Compare with Omnitron*: Odoo's number beside Omnitron's, per SKU, before anything is written."""
        self.ensure_one()
        self.check_access("read")
        self.account_id._check_manager()
        try:
            lines = self.env["omnitron.stock.sync"]._comparison(self.sudo())
        except (omnitron_api.ApiFailure, ValueError) as failure:
            raise UserError(
                self.env._(
                    "Omnitron's product stocks of %(list)s could not be read: %(why)s",
                    list=self.name,
                    why=self.account_id._say_failure(failure)
                    if isinstance(failure, omnitron_api.ApiFailure)
                    else str(failure),
                )
            ) from None
        comparison = self.env["omnitron.stock.comparison"].create(
            {"stock_list_id": self.id, "line_ids": [(0, 0, line) for line in lines]}
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Compare with Omnitron: %(list)s", list=self.name),
            "res_model": "omnitron.stock.comparison",
            "res_id": comparison.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_push_now(self):
        """*Push now*: every product of the list is counted and what differs from the last sent is sent."""
        self.check_access("read")
        self.account_id._check_manager()
        for stock_list in self:
            self.env["omnitron.stock.sync"]._enqueue_drain(stock_list, full=True)
        return True
