from odoo import api, models
from odoo.exceptions import ValidationError


class MrpBom(models.Model):
    _inherit = "mrp.bom"

    @api.constrains("type", "bom_line_ids", "product_id", "product_tmpl_id", "active")
    def _check_omnitron_kit_components(self):
        """A kit sent to Omnitron needs components: its number is counted from them.

        Only kits whose product Omnitron would be sent (a SKU, not excluded, a
        company with stock sync on) are refused. Odoo itself allows a kit BoM
        without lines (a draft being set up, a kit another flow never delivers),
        and a merchant who does not send stock must not meet a rule of ours; a
        kit without components that is sent would tell Omnitron nothing true
        (it is counted 0 if it ever is: never an oversell).
        """
        for bom in self.filtered(lambda bom: bom.active and bom.type == "phantom" and not bom.bom_line_ids):
            product = bom._omnitron_sent_product()
            if product:
                raise ValidationError(
                    self.env._(
                        "Components: the kit bill of materials of %(product)s has no component, so how many of it "
                        "Omnitron may sell cannot be counted. Add its components, or tick Not Sent to Omnitron's "
                        "Stock on the product.",
                        product=product.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        boms = super().create(vals_list)
        boms._omnitron_mark_kits()
        return boms

    def write(self, vals):
        self._omnitron_mark_kits()  # the kit it was (a new product, or no longer a kit, changes both)
        result = super().write(vals)
        self._omnitron_mark_kits()
        return result

    def unlink(self):
        self._omnitron_mark_kits()
        return super().unlink()

    def _omnitron_sent_product(self):
        """The first product of this BoM that Omnitron's stock lists would be sent, or an empty recordset."""
        self.ensure_one()
        products = self.product_id or self.product_tmpl_id.product_variant_ids
        products = products.sudo().filtered(
            lambda product: product.default_code and not product.product_tmpl_id.omnitron_stock_excluded
        )
        if not products:
            return products
        domain = [("stock_sync_enabled", "=", True)]
        if self.company_id:
            domain.append(("company_id", "=", self.company_id.id))
        if not self.env["omnitron.account"].sudo().search_count(domain, limit=1):
            return products.browse()
        return products[:1]

    def _omnitron_mark_kits(self):
        """The kit products of these kit BoMs change, for the warehouses of the lists sent in their company."""
        kits = self.filtered(lambda bom: bom.type == "phantom")
        if not kits or not self.env["omnitron.stock.list"]._marking():
            return
        sync = self.env["omnitron.stock.sync"]
        lists = sync._sending_lists()
        pairs = []
        for bom in kits.sudo():
            products = bom.product_id or bom.product_tmpl_id.with_context(active_test=False).product_variant_ids
            warehouses = (
                lists.filtered(lambda sl, bom=bom: sl.company_id == bom.company_id) if bom.company_id else lists
            ).warehouse_ids
            pairs += [(product.id, warehouse.id) for product in products for warehouse in warehouses]
        sync._mark(pairs)


class MrpBomLine(models.Model):
    _inherit = "mrp.bom.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.bom_id._omnitron_mark_kits()
        return lines

    def write(self, vals):
        before = self.bom_id
        result = super().write(vals)
        (before | self.bom_id)._omnitron_mark_kits()
        return result

    def unlink(self):
        self.bom_id._omnitron_mark_kits()
        return super().unlink()
