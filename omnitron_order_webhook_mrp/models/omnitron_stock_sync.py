from collections import defaultdict

from odoo import models
from odoo.addons.omnitron_order_webhook.core import stock
from odoo.osv import expression
from odoo.tools import float_is_zero

# A kit's components reach its product_product through its BoM: a BoM of one variant names it, a BoM of a
# template names every variant of it. Kit BoMs only, active, of the company or shared.
KITS_OF_CHANGED = """
    WITH RECURSIVE kit(id, changed) AS (
        SELECT pp.id, line.product_id
          FROM mrp_bom_line line
          JOIN mrp_bom bom ON bom.id = line.bom_id
          JOIN product_product pp
            ON pp.id = bom.product_id OR (bom.product_id IS NULL AND pp.product_tmpl_id = bom.product_tmpl_id)
         WHERE line.product_id = ANY(%(changed)s) AND bom.type = 'phantom' AND bom.active
           AND (bom.company_id IS NULL OR bom.company_id = ANY(%(companies)s))
        UNION
        -- A kit inside a kit: the outer one changes with the inner one (UNION stops at a cycle).
        SELECT pp.id, kit.changed
          FROM kit
          JOIN mrp_bom_line line ON line.product_id = kit.id
          JOIN mrp_bom bom ON bom.id = line.bom_id
          JOIN product_product pp
            ON pp.id = bom.product_id OR (bom.product_id IS NULL AND pp.product_tmpl_id = bom.product_tmpl_id)
         WHERE bom.type = 'phantom' AND bom.active
           AND (bom.company_id IS NULL OR bom.company_id = ANY(%(companies)s))
    )
    SELECT id, changed FROM kit
"""


class OmnitronStockSync(models.AbstractModel):
    """Kits (a kit bill of materials, Manufacturing's "phantom" type) in the numbers sent to Omnitron.

    A kit has no stock of its own: Odoo delivers its components. Omnitron
    sells it as one SKU, so its number is the whole kits its components can
    make, each component counted as any product is (``stock.sellable`` over the
    list's warehouses), then ``stock.kit_sellable``. Odoo's own kit fields
    (``free_qty`` of a kit is a minimum of per-component ratios of each field
    apart) are never used: subtracting them from one another mixes components
    and oversells (``omnitron_stock.md`` c.2).
    """

    _inherit = "omnitron.stock.sync"

    def _counted_kinds(self, stock_list):
        # Kits are counted whatever their "Track Inventory" (is_storable): Odoo 18 lets a kit be either,
        # and neither holds stock of its own (its moves are exploded into the components'), so the
        # flag says nothing about whether there is something to sell. Its components decide.
        return expression.OR([super()._counted_kinds(stock_list), self._kit_domain(stock_list.company_id)])

    def _kit_domain(self, company):
        """Products with an active kit BoM of ``company`` or shared, as a domain (two sub-selects, no read)."""
        boms = self.env["mrp.bom"].sudo()
        kit_boms = [("type", "=", "phantom"), ("active", "=", True), ("company_id", "in", [False, company.id])]
        of_variant = boms._search([*kit_boms, ("product_id", "!=", False)])
        of_template = boms._search([*kit_boms, ("product_id", "=", False)])
        return [
            "|",
            ("id", "in", of_variant.subselect("product_id")),
            ("product_tmpl_id", "in", of_template.subselect("product_tmpl_id")),
        ]

    def _read_marks(self):
        """The (product, warehouse) pairs changed, and the kits made of them there (nested kits too), in one
        query."""
        marks, last_read = super()._read_marks()
        if marks:
            self.env.cr.execute(
                KITS_OF_CHANGED,
                {
                    "changed": sorted({product for product, _warehouse in marks}),
                    "companies": self._sending_lists().company_id.ids,
                },
            )
            kits_of = defaultdict(set)
            for kit, changed in self.env.cr.fetchall():
                kits_of[changed].add(kit)
            marks |= {(kit, warehouse) for product, warehouse in marks for kit in kits_of.get(product, ())}
        return marks, last_read

    def _numbers(self, stock_list, products):
        """Kits from their components, every other product as the addon counts it: one read for both."""
        boms = self._kit_boms(stock_list, products)
        kits = products.browse(product.id for product in boms)
        per_kit = self._kit_components(stock_list, boms)
        components = self.env["product.product"].union(*(c for quantities in per_kit.values() for c in quantities))
        counted = super()._numbers(stock_list, (products - kits) | components)
        numbers = {product_id: counted[product_id] for product_id in (products - kits).ids if product_id in counted}
        for kit, quantities in per_kit.items():
            # A kit with no component Odoo counts (all untracked, or none: refused at save, or made before
            # its product was sent) has nothing to count: 0, never an oversell.
            made = (
                stock.kit_sellable([(counted[c.id][1], quantity) for c, quantity in quantities.items()])
                if quantities
                else 0
            )
            numbers[kit.id] = (kit.default_code, made)
        return numbers

    def _kit_boms(self, stock_list, products):
        """``{kit: its kit BoM}`` among ``products``, Odoo's choice of BoM in the list's company."""
        found = self.env["mrp.bom"].sudo()._bom_find(products, company_id=stock_list.company_id.id, bom_type="phantom")
        return {product: bom for product, bom in found.items() if bom}

    def _kit_components(self, stock_list, boms):
        """``{kit: {component: quantity in one kit, in the component's unit}}``, kits inside kits exploded."""
        per_kit = {}
        for kit, bom in boms.items():
            # A kit inside this kit is exploded into its own components (Odoo's explode), looked up in the
            # list's company or shared only, as the kit itself was.
            _boms_done, lines = bom.with_context(company_id=stock_list.company_id.id).explode(kit, 1)
            quantities = defaultdict(float)
            for line, data in lines:
                component = line.product_id
                # As Odoo counts kits: a component Odoo keeps no stock of (not tracked) never limits
                # the kit, nor does an optional one (quantity 0).
                if not component.is_storable or float_is_zero(
                    data["qty"], precision_rounding=line.product_uom_id.rounding
                ):
                    continue
                # ``explode(kit, 1)`` gives the quantities of one BoM, which makes ``product_qty`` kits.
                quantities[component] += line.product_uom_id._compute_quantity(
                    data["qty"] / bom.product_qty, component.uom_id, round=False, raise_if_failure=False
                )
            per_kit[kit] = quantities
        return per_kit
