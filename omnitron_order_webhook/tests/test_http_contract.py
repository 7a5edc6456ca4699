"""The route's HTTP contract: methods, headers, bodies, and the status of each answer."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PLAN_URL, RECEPTION_LOGGER, WEBHOOK_URL, OmnitronHttpCase


@tagged("post_install", "-at_install")
class TestHttpContract(OmnitronHttpCase):
    def assert_error(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        self.assertEqual(response.headers["Content-Type"], "application/json; charset=utf-8")
        body = response.json()
        self.assertEqual(body["error"], code)
        self.assertTrue(body["detail"])
        return body

    # -- the answers to a valid delivery ----------------------------------------

    def test_a_new_order_gets_204_without_a_body_and_the_same_again_202_with_its_reason(self):
        response = self.post(self.sample())
        self.assertEqual(response.status_code, 204, response.text)
        self.assertEqual(response.content, b"")
        self.assertEqual(len(self.omnitron_orders()), 1)
        body = self.assert_ignored(self.post(self.sample()), "duplicate_order", "202531672482")
        self.assertEqual(set(body), {"reason", "detail"})
        self.assertEqual(len(self.omnitron_orders()), 1)
        self.assertEqual(self.events().mapped("http_status"), [202, 204])

    @mute_logger(RECEPTION_LOGGER, "odoo.sql_db")
    def test_a_failed_import_answers_500_with_the_event_uuid_and_no_internals(self):
        with self.failing_trigger("sale_order_line"):
            response = self.post(self.sample())
        body = self.assert_error(response, 500, "internal_error")
        self.assertEqual(body["event_uuid"], "fc2ba32ba6da4c948c71c6adcf6396db")
        self.assertNotIn("Traceback", response.text)
        self.assertNotIn("forced failure", response.text)
        self.assertFalse(self.omnitron_orders())
        self.assertRecordValues(self.events(), [{"state": "failed", "reason": "internal_error", "http_status": 500}])

    @mute_logger(RECEPTION_LOGGER)
    def test_a_setting_stored_invalid_answers_500_config_error(self):
        self.set_params(order_filtering='{"channels": "20"}')
        body = self.assert_error(self.post(self.sample()), 500, "config_error")
        self.assertIn('"channels" must be a list', body["detail"])
        self.assertFalse(self.omnitron_orders())
        self.assertRecordValues(self.events(), [{"state": "failed", "reason": "config_error", "http_status": 500}])

    # -- the request itself -------------------------------------------------------

    def test_route_answers_with_and_without_trailing_slash(self):
        response = self.post(self.sample(), url=WEBHOOK_URL.rstrip("/"))
        self.assertEqual(response.status_code, 204, response.text)

    def test_other_methods_get_405(self):
        for method in ("GET", "PUT", "DELETE", "PATCH"):
            with self.subTest(method):
                response = self.opener.request(
                    method, self.base_url() + WEBHOOK_URL, headers={"Authorization": f"Token {self.token}"}
                )
                self.assert_error(response, 405, "method_not_allowed")
                self.assertEqual(response.headers["Allow"], "POST")

    def test_accept_header_must_admit_json(self):
        self.assert_error(self.post(self.sample(), headers={"Accept": "text/html"}), 406, "not_acceptable")
        for accept in ("application/json", "*/*", "application/*", "text/html, */*;q=0.1"):
            with self.subTest(accept):
                body = self.sample(number=f"ACCEPT-{accept}")
                self.assertEqual(self.post(body, headers={"Accept": accept}).status_code, 204)

    def test_a_form_encoded_body_gets_415(self):
        response = self.post(self.sample(), headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assert_error(response, 415, "unsupported_media_type")

    def test_a_body_over_the_size_limit_gets_413_before_parsing(self):
        self.set_params(max_body_bytes="2048")
        answer = self.assert_error(self.post(None, raw=b"{" + b" " * 4096), 413, "payload_too_large")
        self.assertIn("2048", answer["detail"])
        (event,) = self.events()
        self.assertEqual(event.http_status, 413)

    def test_the_default_size_limit_is_five_mebibytes(self):
        self.assert_error(self.post(None, raw=b"[" + b" " * (5 * 1024 * 1024)), 413, "payload_too_large")

    # -- the body -------------------------------------------------------------------

    def test_not_json_is_invalid_json(self):
        for raw in (b"", b"not json", b'{"event": ', b"\xff\xfe\xfd", b'{"a": NaN}'):
            with self.subTest(raw=raw):
                self.assert_error(self.post(None, raw=raw), 400, "invalid_json")
        self.assertEqual(set(self.events().mapped("state")), {"rejected"})

    def test_a_nul_character_in_any_text_of_either_webhook_is_a_400_naming_its_path_with_an_event(self):
        order = self.sample(number="2025\x0031672482")
        uuid = self.sample()
        uuid["event"]["uuid"] = "fc2ba32b\x00a6da4c948c71c6adcf6396db"
        plan = self.plan()
        plan["payload"]["order"]["number"] = "2025\x0031672482"
        plan_uuid = self.plan()
        plan_uuid["event"]["uuid"] = "plan\x00uuid"
        cases = (
            (order, WEBHOOK_URL, "payload.number"),
            (uuid, WEBHOOK_URL, "event.uuid"),
            (plan, PLAN_URL, "payload.order.number"),
            (plan_uuid, PLAN_URL, "event.uuid"),
        )
        for body, url, path in cases:
            with self.subTest(path=path, url=url):
                answer = self.assert_error(self.post(body, url=url), 400, "invalid_json")
                self.assertIn(path, answer["detail"])
                self.assertIn("NUL", answer["detail"])
        self.assertEqual(self.events().mapped("http_status"), [400] * 4)
        self.assertEqual(set(self.events().mapped("reason")), {"invalid_json"})
        self.assertFalse(self.omnitron_orders())

    def test_each_required_field_missing_is_named(self):
        paths = [
            ("event",),
            ("event", "uuid"),
            ("payload",),
            ("payload", "pk"),
            ("payload", "number"),
            ("payload", "channel", "pk"),
            ("payload", "status"),
            ("payload", "date_placed"),
            ("payload", "customer", "pk"),
            ("payload", "billing_address"),
            ("payload", "shipping_address", "country"),
            ("payload", "currency"),
            ("payload", "amount"),
            ("payload", "shipping_amount"),
            ("payload", "orderitem_set"),
            ("payload", "cargo_company", "erp_code"),
        ]
        for path in paths:
            with self.subTest(path=".".join(path)):
                body = self.sample()
                parent = body
                for key in path[:-1]:
                    parent = parent[key]
                del parent[path[-1]]
                answer = self.assert_error(self.post(body), 400, "invalid_payload")
                self.assertIn(".".join(path), [error["path"] for error in answer["errors"]])
                self.assertIn(".".join(path), answer["detail"])
        self.assertFalse(self.omnitron_orders())

    def test_wrong_types_are_named_with_their_paths(self):
        body = self.sample(pk="31999", amount="lots")
        body["payload"]["orderitem_set"][0]["price"] = {"value": 1}
        answer = self.assert_error(self.post(body), 400, "invalid_payload")
        self.assertEqual(
            {error["path"] for error in answer["errors"]},
            {"payload.pk", "payload.amount", "payload.orderitem_set[0].price"},
        )
        (event,) = self.events()
        self.assertEqual((event.state, event.http_status, event.reason), ("rejected", 400, "invalid_payload"))
        self.assertNotIn("appSecret", event.payload)
