"""Omnitron's answer is the machine contract: English, whatever the sender's language.

The sender here is Turkish (as the demo's) and asks for Turkish
(``Accept-Language: tr-TR``, which Odoo makes the request's language); an
administrator reprocessing a delivery reads Odoo in Turkish. The answers and
the answers the event log keeps stay English — Odoo's own refusals and the
names of records included — while the chatter stays in the company's
language (tests/test_languages.py).
"""

import json
import re

from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

from .common import PLAN_URL, RECEPTION_LOGGER, OmnitronCase, OmnitronHttpCase, item

TURKISH_LETTERS = re.compile("[çğıöşüÇĞİÖŞÜ]")
# Odoo's own refusal when a warehouse cannot ship a product (stock), in English.
NO_RULE = "No rule has been found to replenish"
TURKISH = {"Accept-Language": "tr-TR,tr;q=0.9"}


class TurkishSender:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("tr_TR")
        cls.env["ir.module.module"]._load_module_terms(
            ["omnitron_order_webhook", "stock", "sale", "account"], ["tr_TR"], overwrite=True
        )
        cls.sender.lang = "tr_TR"
        cls.company.partner_id.lang = "tr_TR"

    def stop_shipping(self):
        """The warehouse's delivery route has no active rule: Odoo refuses to confirm an order."""
        warehouse = self.env["stock.warehouse"].search([("company_id", "=", self.company.id)], limit=1)
        warehouse.delivery_route_id.rule_ids.active = False
        return warehouse

    def assert_english(self, detail):
        self.assertFalse(TURKISH_LETTERS.search(detail or ""), f"not English: {detail!r}")


@tagged("post_install", "-at_install")
class TestEnglishAnswersOverHttp(TurkishSender, OmnitronHttpCase):
    def test_odoos_own_refusal_is_answered_in_english_to_a_turkish_sender(self):
        self.stop_shipping()
        with mute_logger(RECEPTION_LOGGER):
            response = self.post(self.order("EN-1", [item(4101, "EN-1", "100.00")]), headers=TURKISH)
        self.assertEqual((response.status_code, response.json()["error"]), (500, "config_error"), response.text)
        self.assertIn(NO_RULE, response.json()["detail"])
        self.assert_english(response.json()["detail"])
        self.assert_english(self.events()[:1].response_body)

    def test_a_tax_the_answer_names_is_named_in_english(self):
        tax = self.twins(8)[:1]
        tax.with_context(lang="en_US").name = "8% VAT (incl.) (test)"
        tax.with_context(lang="tr_TR").name = "%8 KDV (dahil) (test)"
        tax.active = False
        response = self.post(self.order("EN-2", [item(4102, "EN-2", "100.00", rate="8.00")]), headers=TURKISH)
        self.assert_ignored(response, "tax_not_configured", "'8% VAT (incl.) (test)'")
        self.assert_english(response.json()["detail"])

    def test_every_answer_to_a_turkish_sender_is_english(self):
        answers = []
        body = self.order("EN-3", [item(4103, "EN-3", "100.00")])
        answers.append(self.post(body, headers=TURKISH))
        self.assertEqual(answers[-1].status_code, 204)
        answers.append(self.post(body, headers=TURKISH))  # duplicate_order
        cancelled = json.loads(json.dumps(body))
        cancelled["payload"]["status"] = "100"
        for line in cancelled["payload"]["orderitem_set"]:
            line["status"] = "100"
        answers.append(self.post(cancelled, headers=TURKISH))  # order_updated
        self.assertEqual(answers[-1].json()["reason"], "order_updated")
        answers.append(self.post(self.plan("EN-UNKNOWN"), headers=TURKISH, url=PLAN_URL))
        answers.append(self.post(self.sample(currency=None), headers=TURKISH))  # 400
        answers.append(self.post(self.sample(), headers=TURKISH, token="x" * 43))  # 401
        self.carrier.omnitron_erp_code = "other"
        answers.append(self.post(self.sample(number="EN-4"), headers=TURKISH))  # cargo_company_not_found
        self.assertEqual(
            [answer.status_code for answer in answers], [204, 202, 202, 202, 400, 401, 202], [a.text for a in answers]
        )
        for answer in answers[1:]:
            self.assert_english(answer.json()["detail"])


@tagged("post_install", "-at_install")
class TestEnglishAnswersOnReprocess(TurkishSender, OmnitronCase):
    def test_a_turkish_administrator_reprocessing_keeps_the_answer_english(self):
        warehouse = self.stop_shipping()
        with mute_logger(RECEPTION_LOGGER):
            self.assertEqual(self.receive(self.order("EN-5", [item(4105, "EN-5", "100.00")])).status, 500)
        event = self.events()[:1]
        admin = new_test_user(
            self.env, login="omnitron-turkish-admin", groups="omnitron_order_webhook.group_omnitron_manager"
        )
        admin.lang = "tr_TR"
        with mute_logger(RECEPTION_LOGGER):
            event.with_user(admin).with_context(lang="tr_TR").action_reprocess()
        again = self.events()[:1]
        self.assertNotEqual(again, event)
        self.assertIn(NO_RULE, again.response_body)
        self.assertIn(NO_RULE, again.detail)
        self.assert_english(again.response_body)
        # Once the route ships again, the reprocessed delivery is imported; the chatter is Turkish.
        warehouse.delivery_route_id.with_context(active_test=False).rule_ids.active = True
        again.with_user(admin).with_context(lang="tr_TR").action_reprocess()
        order = self.omnitron_orders("EN-5")
        self.assertTrue(order)
        self.assertIn("Omnitron'dan", " ".join(order.message_ids.mapped("body")))
