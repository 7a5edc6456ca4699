"""Who may post: the 401 and 403 answers, and the token kept out of the log."""

import logging

from odoo.tests import new_test_user, tagged

from .common import OmnitronHttpCase


@tagged("post_install", "-at_install")
class TestAuthentication(OmnitronHttpCase):
    def assert_unauthorized(self, response):
        self.assertEqual(response.status_code, 401)
        self.assertEqual(
            response.json(),
            {"error": "unauthorized", "detail": "Authentication credentials were not provided or are not valid."},
        )
        self.assertEqual(response.headers.get("WWW-Authenticate"), "Token")

    def test_every_bad_credential_gets_the_same_401_and_writes_nothing(self):
        wrong_same_length = ("x" if self.token[0] != "x" else "y") + self.token[1:]
        cases = {
            "missing": {"Authorization": None},
            "empty": {"Authorization": ""},
            "other scheme": {"Authorization": f"Bearer {self.token}"},
            "malformed": {"Authorization": "Token not a token"},
            "unknown same length": {"Authorization": f"Token {wrong_same_length}"},
            "unknown same prefix": {"Authorization": f"Token {self.token[:8]}{'A' * 35}"},
            "unknown other length": {"Authorization": "Token " + "A" * 60},
        }
        for name, headers in cases.items():
            with self.subTest(name):
                self.assert_unauthorized(self.post(self.sample(), headers=headers))
        self.assertFalse(self.events(), "unauthenticated requests must write nothing")
        self.assertFalse(self.omnitron_orders())

    def test_token_scheme_is_case_insensitive(self):
        response = self.post(self.sample(), headers={"Authorization": f"token {self.token}"})
        self.assertEqual(response.status_code, 204, response.text)

    def test_revoked_token_and_inactive_user_get_401(self):
        self.sender.omnitron_revoke_tokens()
        self.assert_unauthorized(self.post(self.sample()))
        token = self.sender.omnitron_generate_token()
        self.sender.active = False
        self.assert_unauthorized(self.post(self.sample(), token=token))

    def test_user_outside_the_sender_group_gets_403(self):
        salesman = new_test_user(self.env, login="omnitron-not-sender", groups="sales_team.group_sale_salesman")
        token = salesman.omnitron_generate_token()
        response = self.post(self.sample(), token=token)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"], "forbidden")
        self.assertFalse(self.omnitron_orders())

    def test_the_token_never_appears_in_the_log(self):
        with self.assertLogs("odoo", level=logging.DEBUG) as logs:
            self.post(self.sample(), headers={"Authorization": "Token " + "B" * 50})
            self.post(self.sample())
            logging.getLogger("odoo").debug("end of requests")
        self.assertFalse([line for line in logs.output if self.token in line or "B" * 50 in line])
