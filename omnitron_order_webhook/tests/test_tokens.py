"""The sender's tokens: minted by administrators only, stored as a hash, rotated, revoked.

Whether a token is accepted is what the route asks ``omnitron.token._authenticate``;
that a refused one gets a 401 is test_authentication's subject.
"""

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import OmnitronCase


@tagged("post_install", "-at_install")
class TestTokens(OmnitronCase):
    def test_a_user_holds_two_valid_tokens_to_rotate(self):
        second = self.sender.omnitron_generate_token()
        self.assertEqual(self.receive(self.sample(number="ROT-1")).status, 204)
        self.assertEqual(self.receive(self.sample(number="ROT-2"), token=second).status, 204)
        third = self.sender.omnitron_generate_token()
        self.assertFalse(self.authenticate(self.token), "the oldest was dropped")
        self.assertTrue(self.authenticate(second))
        self.assertEqual(self.receive(self.sample(number="ROT-4"), token=third).status, 204)

    def test_only_a_hash_of_the_token_is_stored(self):
        self.env.cr.execute("SELECT index, key_digest FROM omnitron_token WHERE user_id = %s", [self.sender.id])
        ((index, key_digest),) = self.env.cr.fetchall()
        self.assertEqual(index, self.token[:8])
        self.assertNotIn(self.token, key_digest)
        self.assertGreaterEqual(len(self.token), 43, "at least 32 random bytes")

    def test_only_administrators_generate_tokens(self):
        salesman = new_test_user(self.env, login="omnitron-salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            self.sender.with_user(salesman).omnitron_generate_token()
        with self.assertRaises(AccessError):
            self.sender.with_user(salesman).omnitron_revoke_tokens()

    def test_tokens_are_only_minted_for_senders_of_reachable_companies(self):
        salesman = new_test_user(self.env, login="omnitron-mint-salesman", groups="sales_team.group_sale_salesman")
        with self.assertRaises(UserError):
            salesman.with_user(self.manager).omnitron_generate_token()
        other_company = self.env["res.company"].create({"name": "Other Omnitron merchant"})
        foreign_sender = self.sender_of(other_company, "omnitron-foreign-sender")
        with self.assertRaises(AccessError):
            foreign_sender.with_user(self.manager).omnitron_generate_token()
        self.assertTrue(self.sender.with_user(self.manager).omnitron_generate_token())

    def test_no_token_path_reaches_a_sender_of_a_company_the_administrator_cannot_access(self):
        other_company = self.env["res.company"].create({"name": "Company B"})
        sender_b = self.sender_of(other_company, "omnitron-sender-b")
        sender_b.omnitron_generate_token()
        token_b = self.env["omnitron.token"].sudo().search([("user_id", "=", sender_b.id)])
        for path, call in (
            ("generate", lambda: sender_b.with_user(self.manager).omnitron_generate_token()),
            ("revoke all", lambda: sender_b.with_user(self.manager).omnitron_revoke_tokens()),
            ("revoke one", lambda: token_b.with_user(self.manager).sudo(False).action_revoke()),
        ):
            with self.subTest(path), self.assertRaises(AccessError):
                call()
        self.assertTrue(token_b.exists(), "company B's token survived every path")
        self.assertTrue(self.sender.with_user(self.manager).omnitron_revoke_tokens())

    def test_the_generate_button_shows_the_token_once_and_stores_only_its_hash(self):
        action = self.sender.with_user(self.manager).action_omnitron_generate_token()
        token = action["context"]["default_token"]
        self.assertEqual(action["res_model"], "omnitron.token.wizard")
        self.assertEqual(self.receive(self.sample(), token=token).status, 204)
        self.assertFalse(self.env["omnitron.token.wizard"].search([]), "the dialog is never saved")
        self.env.cr.execute("SELECT count(*) FROM omnitron_token WHERE key_digest = %s OR index = %s", [token, token])
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        tokens = self.sender.with_user(self.manager).omnitron_token_ids
        self.assertEqual(len(tokens), 2)
        self.assertTrue(tokens.filtered(lambda t: t.index == token[:8]).last_used)
        tokens.filtered(lambda t: t.index == token[:8]).with_user(self.manager).action_revoke()
        self.assertFalse(self.authenticate(token), "a revoked token is refused")
        self.assertTrue(self.authenticate(self.token), "the other token still works")
