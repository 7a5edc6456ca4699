"""How imported invoice and delivery addresses read in the back office."""

from odoo.tests import tagged

from .common import OmnitronCase


@tagged("post_install", "-at_install")
class TestAddresses(OmnitronCase):
    def test_an_address_named_like_its_customer_reads_by_its_type(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        order = self.omnitron_orders()
        invoice, delivery = order.partner_invoice_id, order.partner_shipping_id
        self.assertEqual(invoice.name, "John Doe", "the name documents print and the fingerprint hold is kept")
        self.assertEqual(invoice.display_name, "John Doe, Invoice Address")
        self.assertEqual(delivery.display_name, "John Doe, Delivery Address")
        self.assertIn(invoice, self.env["res.partner"].search([("complete_name", "ilike", "John Doe")]))

    def test_an_address_of_another_person_keeps_their_name(self):
        body = self.sample()
        body["payload"]["shipping_address"].update(first_name="Jane", last_name="Roe")
        self.assertEqual(self.receive(body).status, 204)
        self.assertEqual(self.omnitron_orders().partner_shipping_id.display_name, "John Doe, Jane Roe")

    def test_a_re_delivery_with_the_same_addresses_changes_nothing(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        partners = self.env["res.partner"].search_count([])
        outcome = self.receive(self.sample())
        self.assertEqual(outcome.reason, "duplicate_order", "the addresses' fingerprints still match")
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
