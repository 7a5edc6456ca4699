"""The back office in Turkish, and the committed translation template kept complete."""

import io
import pathlib

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import trans_export


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_the_back_office_speaks_turkish(self):
        self.env["res.lang"]._activate_lang("tr_TR")
        self.env["ir.module.module"]._load_module_terms(["omnitron_order_webhook"], ["tr_TR"], overwrite=True)
        turkish = self.env["omnitron.webhook.event"].with_context(lang="tr_TR")
        self.assertEqual(turkish.fields_get(["reason"])["reason"]["string"], "Neden")
        reasons = dict(turkish.fields_get(["reason"])["reason"]["selection"])
        self.assertEqual(reasons["cargo_company_not_found"], "Kargo firması için taşıyıcı yok")
        self.assertEqual(dict(turkish.fields_get(["state"])["state"]["selection"])["ignored"], "Yok Sayıldı")
        action = self.env.ref("omnitron_order_webhook.omnitron_webhook_event_action").with_context(lang="tr_TR")
        self.assertEqual(action.name, "Omnitron Webhook Olayları")
        workflows = [
            self.env.ref(f"omnitron_order_webhook.workflow_{key}").with_context(lang="tr_TR").name
            for key in ("prepaid", "pay_on_delivery", "marketplace")
        ]
        self.assertEqual(workflows, ["Omnitron — ön ödemeli", "Omnitron — kapıda ödeme", "Omnitron — pazaryeri"])

    def test_the_committed_template_lists_every_term_of_the_code(self):
        buffer = io.BytesIO()
        trans_export(False, ["omnitron_order_webhook"], buffer, "po", self.env.cr)
        current = {entry.msgid for entry in polib.pofile(buffer.getvalue().decode()) if entry.msgid}
        template = pathlib.Path(__file__).resolve().parent.parent / "i18n" / "omnitron_order_webhook.pot"
        committed = {entry.msgid for entry in polib.pofile(str(template)) if entry.msgid}
        self.assertEqual(current - committed, set(), "regenerate i18n/omnitron_order_webhook.pot and tr.po")
        self.assertEqual(committed - current, set(), "the template lists terms the code no longer has")
