"""Turkish e-invoicing beside the addon: Odoo's own l10n_tr_nilvera_einvoice
(installed in the test database, as a Turkish merchant runs it) sends an
Omnitron invoice posted by the automatic workflow like any other invoice.

No call reaches Nilvera: the customer's e-Arşiv status is set as Nilvera's
check would answer for a consumer, and the test stops at what Odoo would
send (the sending wizard's choices and alerts, the UBL-TR document)."""

import copy

from lxml import etree

from odoo.tests import tagged

from .common import ADDRESS_SHAPES, OmnitronCase, item, load_migration

UBL = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}
TCKN = "10000000146"  # a valid Turkish identity number (checksum), a consumer's


@tagged("post_install", "-at_install")
class TestTurkishEInvoice(OmnitronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card_journal = cls.env["account.journal"].create(
            {"name": "Iyzico", "code": "IYZ", "type": "bank", "company_id": cls.company.id}
        )
        # Shipping bears KDV: the carrier's product has the chart's 20 % (Omnitron sends no rate).
        cls.carrier.product_id.taxes_id = cls.company.account_sale_tax_id
        cls.env["omnitron.payment.rule"].create(
            {
                "account_id": cls.account.id,
                "payment_kind": "card",
                "workflow_process_id": cls.env.ref("omnitron_order_webhook.workflow_prepaid").id,
                "journal_id": cls.card_journal.id,
            }
        )

    def turkish_order(self, number, pk, shape="nested_objects"):
        body = self.order(
            number,
            [item(pk, f"TR-{pk}", "240.00")],
            pk=pk,
            shipping="29.90",
            payment_option={"pk": 1, "payment_type": "credit_card", "slug": "credit-card"},
        )
        for key in ("billing_address", "shipping_address"):
            address = copy.deepcopy(body["payload"][key])
            # As Omnitron's address model sends them: province, district and neighbourhood nested.
            address.update(copy.deepcopy(ADDRESS_SHAPES[shape]["address"]))
            address.update(line="Moda Cad. No: 12", postcode="34710", tax_no=TCKN)
            body["payload"][key] = address
        return body

    def invoiced_by_the_workflow(self, number, pk):
        self.assertEqual(self.receive(self.turkish_order(number, pk)).status, 204)
        order = self.omnitron_orders(number)
        self.ship(order)
        self.env["automatic.workflow.job"].run()
        invoice = order.invoice_ids
        self.assertEqual((invoice.state, invoice.payment_state), ("posted", "paid"))
        # What Nilvera's check answers for a consumer without an e-invoice alias
        # (written here: the check is a call to Nilvera).
        invoice.partner_id.l10n_tr_nilvera_customer_status = "earchive"
        return order, invoice

    def test_a_turkish_address_is_imported_with_its_province_district_and_neighbourhood(self):
        self.assertEqual(self.receive(self.turkish_order("TR-ADDR", 9301)).status, 204)
        billing = self.omnitron_orders("TR-ADDR").partner_invoice_id
        self.assertEqual(
            (billing.state_id, billing.city, billing.street, billing.street2, billing.zip),
            (self.env.ref("base.state_tr_34"), "KADIKÖY", "Moda Cad. No: 12", "CAFERAĞA MAH", "34710"),
        )
        self.assertEqual((billing.vat, billing.omnitron_township), (TCKN, "KADIKÖY"))

    def test_a_person_who_is_no_e_fatura_taxpayer_is_e_archive_with_the_tckn_as_tax_number(self):
        body = self.turkish_order("TR-EARSIV", 9320)
        for key in ("billing_address", "shipping_address"):
            body["payload"][key].update(tax_no=None, identity_number=TCKN, e_bill_taxpayer=False)
        self.assertEqual(self.receive(body).status, 204)
        billing = self.omnitron_orders("TR-EARSIV").partner_invoice_id
        self.assertEqual((billing.vat, billing.l10n_tr_nilvera_customer_status), (TCKN, "earchive"))

    def test_an_e_fatura_taxpayer_is_left_to_nilveras_own_check(self):
        body = self.turkish_order("TR-EFATURA", 9321)
        body["payload"]["billing_address"]["e_bill_taxpayer"] = True
        self.assertEqual(self.receive(body).status, 204)
        billing = self.omnitron_orders("TR-EFATURA").partner_invoice_id
        self.assertEqual(billing.l10n_tr_nilvera_customer_status, "not_checked")

    def test_the_warehouse_reads_the_note_the_gift_message_and_the_slot_and_sales_the_promotions(self):
        body = self.turkish_order("TR-NOTE", 9322)
        body["payload"]["orderitem_set"][0]["status"] = "400"
        body["payload"].update(
            notes="Kapıya bırakın.",
            has_gift_box=True,
            gift_box_note="İyi ki doğdun!",
            delivery_range={"start": "2026-12-08T09:00:00Z", "end": "2026-12-08T12:00:00Z"},
            discount_amount="24.00",
            discountitem_set=[{"pk": 3, "name": "Sepette %10", "amount": "24.00"}],
        )
        self.assertEqual(self.receive(body).status, 204)
        order = self.omnitron_orders("TR-NOTE")
        self.assertEqual((order.omnitron_discount_amount, order.omnitron_discounts), (24.0, "Sepette %10: 24.00 TRY"))
        (picking,) = order.picking_ids
        note = picking.with_context(lang="en_US", tz="Europe/Istanbul").omnitron_delivery_note
        self.assertIn("Customer's note: Kapıya bırakın.", note)
        self.assertIn("Gift wrapping: İyi ki doğdun!", note)
        # The slot in the reader's language and time zone (09:00-12:00 UTC is 12:00-15:00 in Istanbul).
        self.assertIn("Delivery slot: 12/08/2026 12:00:00 - 12/08/2026 15:00:00", note)

    def test_an_address_in_every_shape_omnitron_sends_is_imported(self):
        # A mahalle sent as Omnitron's address model nests it was refused 400 before.
        for index, (shape, expected) in enumerate(sorted(ADDRESS_SHAPES.items())):
            with self.subTest(shape=shape):
                number = f"TR-SHAPE-{index}"
                self.assertEqual(self.receive(self.turkish_order(number, 9310 + index, shape)).status, 204)
                shipping = self.omnitron_orders(number).partner_shipping_id
                kept = expected["kept"]
                self.assertEqual(
                    (shipping.country_id.code, shipping.omnitron_district, shipping.omnitron_township),
                    ("TR", kept["district"] or False, kept["township"] or False),
                )
                self.assertEqual(shipping.state_id.name or False, "İstanbul" if kept["city"] else False)

    def test_turkish_addresses_imported_before_the_layout_are_laid_out_by_the_upgrade(self):
        self.assertEqual(self.receive(self.turkish_order("TR-OLD", 9304)).status, 204)
        order = self.omnitron_orders("TR-OLD")
        billing, shipping = order.partner_invoice_id, order.partner_shipping_id
        # As 18.0.1.3.0 imported them: the province in city, no state.
        old = {"state_id": False, "city": "İSTANBUL", "street2": "CAFERAĞA MAH, KADIKÖY"}
        billing.write(old)
        shipping.write(dict(old, city="Atlantis"))  # names no province Odoo knows
        load_migration("18.0.1.4.0", "post-turkish_addresses.py").migrate(self.env.cr, "18.0.1.3.0")
        self.env.invalidate_all()
        self.assertEqual(
            (billing.state_id, billing.city, billing.street2),
            (self.env.ref("base.state_tr_34"), "KADIKÖY", "CAFERAĞA MAH"),
        )
        self.assertEqual((shipping.state_id.id, shipping.city), (False, "Atlantis"), "left as it was")
        # The next order from the customer finds the same address (its key is unchanged).
        self.assertEqual(self.receive(self.turkish_order("TR-OLD-2", 9305)).status, 204)
        self.assertEqual(self.omnitron_orders("TR-OLD-2").partner_invoice_id, billing)

    def test_the_sending_wizard_offers_nilvera_for_a_workflow_posted_omnitron_invoice_without_alerts(self):
        _order, invoice = self.invoiced_by_the_workflow("TR-SEND", 9302)
        self.assertTrue(self.env["account.move.send"]._is_tr_nilvera_applicable(invoice))
        wizard = self.env["account.move.send.wizard"].create({"move_id": invoice.id})
        self.assertIn("tr_nilvera", wizard.extra_edis)
        self.assertTrue(wizard.extra_edi_checkboxes["tr_nilvera"]["checked"])
        self.assertNotIn("partner_data_missing", wizard.alerts or {}, "city, state and street are all there")

    def test_the_ubl_tr_document_of_a_workflow_posted_omnitron_invoice_has_no_errors_and_says_what_was_sold(self):
        order, invoice = self.invoiced_by_the_workflow("TR-UBL", 9303)
        xml, errors = self.env["account.edi.xml.ubl.tr"]._export_invoice(invoice)
        self.assertFalse(errors)
        tree = etree.fromstring(xml)

        def text(path):
            return tree.findtext(path, namespaces=UBL)

        self.assertEqual((text("cbc:CustomizationID"), text("cbc:ProfileID")), ("TR1.2", "EARSIVFATURA"))
        self.assertEqual(text("cbc:InvoiceTypeCode") or text("cbc:DocumentTypeCode") or "SATIS", "SATIS")
        customer = "cac:AccountingCustomerParty/cac:Party/"
        self.assertEqual(tree.find(f"{customer}cac:PartyIdentification/cbc:ID", UBL).get("schemeID"), "TCKN")
        self.assertIn(TCKN, [node.text for node in tree.findall(f"{customer}cac:PartyIdentification/cbc:ID", UBL)])
        self.assertEqual(text(f"{customer}cac:PostalAddress/cbc:CityName"), "İstanbul")
        self.assertEqual(text(f"{customer}cac:PostalAddress/cac:Country/cbc:Name"), "Türkiye")
        totals = "cac:LegalMonetaryTotal/cbc:"
        self.assertEqual(float(text(f"{totals}TaxInclusiveAmount")), invoice.amount_total)
        self.assertEqual(
            (float(text(f"{totals}PrepaidAmount")), float(text(f"{totals}PayableAmount"))),
            (invoice.amount_total, 0.0),
            "paid by card when the workflow posted it",
        )
        self.assertEqual(float(text("cac:TaxTotal/cbc:TaxAmount")), invoice.amount_tax)
        lines = tree.findall("cac:InvoiceLine", UBL)
        self.assertEqual(
            [line.findtext("cac:Item/cbc:Name", namespaces=UBL) for line in lines],
            order.order_line.product_id.mapped("name"),
            "the product and the shipping",
        )
        self.assertEqual(
            [line.findtext("cac:TaxTotal/cac:TaxSubtotal/cbc:Percent", namespaces=UBL) for line in lines],
            ["20.0", "20.0"],
            "KDV on every line, shipping included",
        )
