"""Before 18.0.1.3.0 an order's notes (what Omnitron asks of staff) were stored as
text in the language of whoever triggered them; they are now kept as sentences
rendered in the reader's language (omnitron.phrases). The old text is kept as
it was, as one literal note, so no order loses what it asked. An order whose
cancellation was requested, and not decided since, holds its deliveries."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE sale_order
           SET omnitron_action_facts = jsonb_build_array(jsonb_build_object('text', omnitron_action_note))
         WHERE omnitron_action_note IS NOT NULL AND omnitron_action_note <> ''
           AND omnitron_action_facts IS NULL
        """
    )
    cr.execute(
        """
        UPDATE sale_order
           SET omnitron_hold = CASE WHEN omnitron_status = '50' THEN 'cancel' ELSE omnitron_plan_request END
         WHERE omnitron_hold IS NULL AND state = 'sale'
           AND (omnitron_status = '50' OR omnitron_plan_request IS NOT NULL)
        """
    )
    keep_the_customer_as_sent(cr)


def keep_the_customer_as_sent(cr):
    """18.0.1.3.0 keeps the customer's name and e-mail as Omnitron sent them on
    each order (a later delivery is compared with them; staff may rename the
    partner). Orders imported before take their customer partner's, the best
    Odoo has: a difference from it is flagged once, like any other."""
    cr.execute(
        """
        UPDATE sale_order so
           SET omnitron_customer_name = p.name, omnitron_customer_email = NULLIF(p.email, '')
          FROM res_partner p
         WHERE p.id = so.partner_id AND so.omnitron_number IS NOT NULL AND so.omnitron_customer_name IS NULL
        """
    )
