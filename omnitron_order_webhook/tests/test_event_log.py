"""The event log: reprocessing, the event form, and the retention cron."""

import base64
import json
from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import OmnitronCase, item


@tagged("post_install", "-at_install")
class TestEventLog(OmnitronCase):
    def test_reprocessing_a_list_of_events_records_each_outcome(self):
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample(number="L-1"))
        self.receive(self.sample(number="L-2"))
        self.set_params(order_filtering='{"channels": [1]}')
        self.receive(self.sample(number="L-3"))
        ignored = self.events()
        self.carrier.omnitron_erp_code = "yurtici_kargo"
        self.set_params(order_filtering='{"properties": {"number": ["L-1", "L-2"]}}')
        action = ignored.with_user(self.manager).action_reprocess()
        self.assertEqual(action["res_model"], "omnitron.webhook.event")
        new_events = self.env["omnitron.webhook.event"].browse(action["domain"][0][2])
        self.assertEqual(sorted(new_events.mapped("state")), ["done", "done", "ignored"])
        self.assertEqual(new_events.filtered(lambda e: e.state == "ignored").reason, "property_mismatch")
        self.assertTrue(all(ignored.mapped("reprocessed_event_id")))
        self.assertFalse(any(ignored.mapped("can_reprocess")), "an event is reprocessed once")

    def test_the_event_form_shows_the_payload_pretty_and_without_credentials(self):
        event = self.ignored_event()
        self.assertIn('\n  "payload": {', event.payload_pretty)
        self.assertNotIn("appSecret", event.payload_pretty)
        self.assertEqual(json.loads(event.response_body)["reason"], "cargo_company_not_found")
        action = event.action_open_carriers()
        self.assertEqual(action["context"]["default_omnitron_erp_code"], "yurtici_kargo")

    def test_old_events_are_purged_by_the_cron(self):
        self.receive(self.sample())
        old = self.events()
        old.write({"received_at": fields.Datetime.now() - timedelta(days=91)})
        self.receive(self.sample())  # a recent (duplicate) event
        self.env.ref("omnitron_order_webhook.ir_cron_omnitron_gc_events").method_direct_trigger()
        self.assertFalse(old.exists())
        self.assertEqual(len(self.events()), 1)

    def test_a_megabytes_payload_opens_bounded_with_the_raw_body_to_download(self):
        body = self.sample(
            orderitem_set=[item(index + 1, f"BIG-{index}", "4.49") for index in range(160)], number="BIG"
        )
        self.carrier.omnitron_erp_code = "other"  # ignored: the event keeps the payload
        self.assert_ignored(self.receive(body), "cargo_company_not_found")
        event = self.events()[:1]
        self.assertGreater(len(event.payload), 1_000_000)
        form_text = event.payload_pretty
        self.assertLess(len(form_text), 200_500)
        self.assertIn("download the payload", form_text)
        self.assertEqual(base64.b64decode(event.payload_file).decode(), event.payload)
        self.assertTrue(event.payload_filename.endswith(".json"))

    def search_filter(self, name):
        """The domain of filter ``name`` of the event log's search view, as the list applies it."""
        arch = etree.fromstring(self.env.ref("omnitron_order_webhook.omnitron_webhook_event_view_search").arch)
        [node] = arch.xpath(f"//filter[@name='{name}']")
        return self.env["omnitron.webhook.event"].search(safe_eval(node.get("domain")))

    def test_needs_attention_holds_what_a_person_can_fix_not_routine_redeliveries_or_filters(self):
        self.assertEqual(self.receive(self.sample()).status, 204)
        self.receive(self.sample())  # a routine re-delivery: duplicate_order
        self.set_params(min_order_omnitron_id="99999")
        self.receive(self.sample(number="F-1"))  # the admin's own filter
        self.set_params(min_order_omnitron_id="0")
        self.carrier.omnitron_erp_code = "other"
        self.receive(self.sample(number="F-2"))  # fixable: the carrier
        broken = self.sample(number="F-3")
        broken["payload"]["orderitem_set"][0]["price"] = "not a price"
        self.assertEqual(self.receive(broken).status, 400)  # rejected: a lost order
        attention = self.search_filter("attention")
        self.assertEqual(
            sorted(attention.mapped("reason")),
            ["cargo_company_not_found", "invalid_payload"],
            attention.mapped("reason"),
        )
        self.assertEqual(self.search_filter("redeliveries").mapped("reason"), ["duplicate_order"])
        self.assertEqual(self.search_filter("filtered_out").mapped("reason"), ["below_min_omnitron_id"])

    def test_an_order_links_to_its_events_and_an_event_to_its_order(self):
        body = self.order("LINK-1", [item(801, "L-801", "100.00")])
        self.assertEqual(self.receive(body).status, 204)
        body["payload"]["tracking_number"] = "TRK-LINK"
        self.assertEqual(self.receive(body).body["reason"], "order_updated")
        order = self.omnitron_orders("LINK-1")
        self.assertEqual(order.omnitron_event_count, 2)
        action = order.action_view_omnitron_events()
        self.assertEqual(self.env["omnitron.webhook.event"].search(action["domain"]), self.events())
        self.assertEqual(self.events()[0].action_open_order()["res_id"], order.id)

    def test_the_settings_show_the_urls_to_give_omnitron(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.omnitron_webhook_url, base + "/api/v1/oms/orders_omnitron/")
        self.assertEqual(settings.omnitron_cancellation_plan_url, base + "/api/v1/oms/cancellation_plan/")
