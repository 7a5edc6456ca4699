from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..models.stock_picking import SHIP_ANYWAY


class OmnitronShipAnyway(models.TransientModel):
    """An Inventory administrator's confirmation to ship what Omnitron holds.

    The only way past the hold: validating with the confirmation in the
    context, which ``stock.picking`` honours for Inventory administrators only.
    """

    _name = "omnitron.ship.anyway"
    _description = "Ship a Delivery Omnitron Holds"

    picking_ids = fields.Many2many("stock.picking", string="Transfers", required=True, readonly=True)
    reason = fields.Text(compute="_compute_reason")

    @api.depends("picking_ids")
    def _compute_reason(self):
        for wizard in self:
            held = wizard.picking_ids._omnitron_held()
            wizard.reason = "\n".join(picking._omnitron_hold_sentence() for picking in held)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(self.env._("Only an Inventory administrator may ship what Omnitron holds."))
        wizards = super().create(vals_list)
        # The transfers as the user may read them: another company's delivery is refused here.
        wizards.picking_ids.check_access("read")
        return wizards

    def action_ship_anyway(self):
        self.ensure_one()
        return self.picking_ids.with_context(**{SHIP_ANYWAY: True}).button_validate()
