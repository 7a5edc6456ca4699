from odoo import api, fields, models
from odoo.tools import email_normalize

from ..core import mapping


class ResPartner(models.Model):
    _inherit = "res.partner"

    omnitron_channel_pk = fields.Integer(string="Omnitron Channel", readonly=True, copy=False, index=True)
    omnitron_customer_pk = fields.Integer(string="Omnitron Customer", readonly=True, copy=False)
    omnitron_address_key = fields.Char(
        readonly=True,
        copy=False,
        help="Fingerprint of an imported address's content, so an identical address is reused.",
    )
    omnitron_township = fields.Char(string="Township")
    omnitron_district = fields.Char(string="District")
    omnitron_tax_office = fields.Char(string="Tax Office")
    omnitron_tax_number = fields.Char(
        string="Address Tax Number",
        help="The tax number Omnitron sent with this address. Odoo shares one VAT number per customer, "
        "so an address's own number is kept here.",
    )

    _sql_constraints = [
        # One partner per Omnitron customer and company; the database, not a
        # search, is the guard against two concurrent deliveries creating twice.
        (
            "omnitron_customer_uniq",
            "unique(omnitron_channel_pk, omnitron_customer_pk, company_id)",
            "This Omnitron customer already has a partner in this company.",
        ),
        (
            "omnitron_address_uniq",
            "unique(parent_id, omnitron_address_key)",
            "This Omnitron address already exists for this customer.",
        ),
    ]

    @api.depends("omnitron_address_key")
    def _compute_complete_name(self):
        return super()._compute_complete_name()

    def _get_complete_name(self):
        """An imported invoice or delivery address named like its customer reads by its type.

        Omnitron repeats the buyer's name on each address; Odoo would show
        "Ayşe Yılmaz, Ayşe Yılmaz". The name is kept (documents print it, and
        the address's fingerprint includes it); only the display reads
        "Ayşe Yılmaz, Invoice Address", in the reader's language, as Odoo shows
        an address without a name of its own.
        """
        if (
            self.omnitron_address_key
            and self.parent_id
            and self.type in ("invoice", "delivery")
            and self.name == self.parent_id.name
            and not self.is_company
        ):
            type_label = dict(self._fields["type"]._description_selection(self.env))[self.type]
            return f"{self.commercial_company_name or self.sudo().parent_id.name}, {type_label}".strip()
        return super()._get_complete_name()

    @api.model
    def _omnitron_find_or_create_customer(self, omnitron_order, company, lang=None, match_across_channels=False):
        """The partner of an Omnitron customer in ``company``: one per (channel, customer, company).

        A new customer speaks ``lang`` when given (the channel's default), else
        the language of its country when exactly one installed language is of
        that country (Turkish for Turkey), else Odoo's default. With
        ``match_across_channels`` (the channel's choice, off by default), a
        customer of another channel with the same tax number (TCKN/VKN) - or,
        without one, the same e-mail - is the same buyer.
        """
        Partner = self.env["res.partner"].with_context(active_test=False)
        customer = Partner.search(
            [
                ("omnitron_channel_pk", "=", omnitron_order.channel.pk),
                ("omnitron_customer_pk", "=", omnitron_order.customer.pk),
                ("company_id", "=", company.id),
            ],
            limit=1,
        )
        tax_number = mapping.customer_tax_number(omnitron_order)
        if not customer and match_across_channels:
            customer = self._omnitron_same_buyer(omnitron_order, company, tax_number)
        if customer:
            if tax_number and not customer.vat:
                customer.vat = tax_number
            return customer
        values = {**mapping.customer_values(omnitron_order), "vat": tax_number, "company_id": company.id}
        lang = lang or self._omnitron_country_language(omnitron_order.billing_address.country_code)
        if lang:
            values["lang"] = lang
        return Partner.create(values)

    @api.model
    def _omnitron_same_buyer(self, omnitron_order, company, tax_number):
        if tax_number:
            key = ("vat", "=", tax_number)
        else:
            email = email_normalize(omnitron_order.customer.email or "")
            if not email:
                return self.browse()
            key = ("email_normalized", "=", email)
        return (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [key, ("omnitron_customer_pk", "!=", False), ("company_id", "=", company.id)],
                order="id",
                limit=1,
            )
        )

    @api.model
    def _omnitron_country_language(self, country_code):
        suffix = f"_{country_code.upper()}"
        matches = [code for code, _name in self.env["res.lang"].get_installed() if code.endswith(suffix)]
        return matches[0] if len(matches) == 1 else None

    def _omnitron_e_invoice_status(self, address):
        """Tell Odoo's Turkish e-invoicing what Omnitron knows of this invoice contact.

        With ``l10n_tr_nilvera`` installed, a buyer Omnitron says is no e-Fatura
        taxpayer is e-Arşiv (Nilvera's customer status), which the invoice can be
        sent as without Nilvera's own check; a status Nilvera already found is
        never overwritten. The TCKN is the ``vat`` already (mapping.customer_tax_number).
        """
        self.ensure_one()
        status = mapping.nilvera_status(address)
        field = "l10n_tr_nilvera_customer_status"
        if status and field in self._fields and self[field] in (False, "not_checked"):
            self[field] = status

    def _omnitron_find_or_create_address(self, address, address_type, country):
        """This customer's invoice or delivery contact for ``address``, found again by its content."""
        self.ensure_one()
        customer = self
        values = mapping.address_values(address, address_type, customer.name)
        existing = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search(
                [("parent_id", "=", customer.id), ("omnitron_address_key", "=", values["omnitron_address_key"])],
                limit=1,
            )
        )
        if existing:
            return existing
        if country.code == "TR":
            # Province as the state, district as the city: what Odoo's Turkish
            # address format and the e-Arşiv invoice (l10n_tr_nilvera) expect.
            values = mapping.turkish_address_layout(values, address, {s.name: s.id for s in country.state_ids})
        return self.env["res.partner"].create(
            {**values, "parent_id": customer.id, "country_id": country.id, "company_id": customer.company_id.id}
        )
