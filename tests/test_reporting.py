"""Sentry reports through a real sentry-sdk client whose transport keeps envelopes."""

import json

import pytest
import sentry_sdk
from sentry_sdk.transport import Transport

from omnitron_order_webhook.core import privacy, reporting

TOKEN = "tok_" + "s" * 40


class MemoryTransport(Transport):
    def __init__(self, options=None):
        super().__init__(options)
        self.envelopes = []

    def capture_envelope(self, envelope):
        self.envelopes.append(envelope)

    def events(self):
        return [item.payload.json for envelope in self.envelopes for item in envelope.items if item.type == "event"]

    def raw(self):
        return b"".join(envelope.serialize() for envelope in self.envelopes).decode("utf-8", "replace")


@pytest.fixture
def transport():
    memory = MemoryTransport()
    yield memory
    reporting.forget_private_clients()


@pytest.fixture
def client(transport):
    return reporting.client_for("https://public@127.0.0.1/1", transport=transport)


def tags():
    return reporting.tags_for("cargo_company_not_found", 20, "202531672482", "fc2ba32b")


def test_an_ignored_order_is_a_warning_grouped_by_reason(client, transport):
    reporting.report_ignored(client, reason="cargo_company_not_found", detail="No carrier.", tags=tags())
    client.flush(timeout=2)
    (event,) = transport.events()
    assert event["level"] == "warning"
    assert event["fingerprint"] == ["omnitron-order-webhook", "ignored", "cargo_company_not_found"]
    assert event["tags"] == {
        "omnitron.reason": "cargo_company_not_found",
        "omnitron.channel": "20",
        "omnitron.order_number": "202531672482",
        "omnitron.event_uuid": "fc2ba32b",
    }


def test_a_failure_is_reported_as_the_exception_without_locals(client, transport, sample):
    customer_email = sample["payload"]["customer"]["email"]

    def import_order(payload):
        secret_local = payload["channel"]["conf"]["appSecret"]  # noqa: F841 - must not be sent
        raise RuntimeError(f"database error for {customer_email} and John Doe")

    try:
        import_order(sample["payload"])
    except RuntimeError as error:
        reporting.report_failure(
            client,
            error,
            reason="internal_error",
            tags=tags(),
            sensitive_values=privacy.sensitive_values(sample, TOKEN),
        )
    client.flush(timeout=2)
    (event,) = transport.events()
    assert event["level"] == "error"
    assert event["fingerprint"][:3] == ["omnitron-order-webhook", "failed", "internal_error"]
    (exception,) = event["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert "[Filtered]" in exception["value"]
    raw = transport.raw()
    for secret in ("ihwQUETc5Ge4Wy0P", "63fa639d-fed2-4944-8cb5-549745f425d3", customer_email, "John", "Doe", TOKEN):
        assert secret not in raw, secret
    assert all("vars" not in frame for frame in exception["stacktrace"]["frames"])


def test_sensitive_values_cover_conf_people_and_token(sample):
    values = privacy.sensitive_values(sample, TOKEN)
    assert {"ihwQUETc5Ge4Wy0P", "John", "Doe", "+90 555XXX0000", "Viale Edoardo Jenner", "18283150626", TOKEN} <= values
    assert "202531672482" not in values, "the order number is a tag, not personal data"


def test_scrub_replaces_longest_values_first():
    assert reporting.scrub({"a": ["John Doe", "Doe"]}, {"Doe", "John Doe"}) == {"a": ["[Filtered]", "[Filtered]"]}


def test_without_dsn_or_active_client_nothing_is_reported():
    assert reporting.client_for(None) is None
    assert reporting.report_ignored(None, reason="x", detail="y", tags={}) is None


def test_an_active_client_is_used_and_not_replaced(transport):
    sentry_sdk.init("https://public@127.0.0.1/2", transport=transport, default_integrations=False)
    try:
        active = sentry_sdk.get_client()
        assert reporting.client_for("https://other@127.0.0.1/3") is active
        reporting.report_ignored(active, reason="duplicate_order", detail="again", tags=tags())
        active.flush(timeout=2)
        assert [event["fingerprint"][2] for event in transport.events()] == ["duplicate_order"]
        assert json.dumps(transport.events()).count("duplicate_order") >= 1
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def test_sensitive_values_survive_a_deeply_nested_conf(sample):
    deep = "secret-at-the-bottom"
    for _ in range(5000):
        deep = {"next": deep}
    sample["payload"]["channel"]["conf"] = deep
    assert "secret-at-the-bottom" in privacy.sensitive_values(sample)


DSN = "https://public@127.0.0.1/1"


def test_prepare_sends_nothing_for_a_created_or_rejected_order():
    from omnitron_order_webhook.core import responses

    common = {
        "failure": None,
        "dsn": DSN,
        "channel_pk": 20,
        "order_number": "N",
        "event_uuid": "u",
        "sensitive_values": (),
    }
    assert reporting.prepare(responses.Outcome.created("Created S00001."), **common) is None
    assert reporting.prepare(responses.invalid_json("not JSON"), **common) is None


def test_prepare_sends_nothing_for_an_update_or_a_routine_redelivery():
    from omnitron_order_webhook.core import const, responses

    common = {
        "failure": None,
        "dsn": "https://public@127.0.0.1/2",  # its own client: the other tests own DSN's
        "channel_pk": 20,
        "order_number": "N",
        "event_uuid": "u",
        "sensitive_values": (),
    }
    assert reporting.prepare(responses.Outcome.updated("S00001: status 400 → 500"), **common) is None
    assert reporting.prepare(responses.Outcome.plan_recorded("S00001: cancel plan 1"), **common) is None
    for reason in sorted(const.ROUTINE_REASONS):
        assert reporting.prepare(responses.Outcome.ignored(reason, "nothing changed"), **common) is None, reason
    assert reporting.prepare(responses.Outcome.ignored("order_not_found", "no such order"), **common) is not None


def test_prepare_returns_a_report_sent_only_when_called(client, transport, sample):
    from omnitron_order_webhook.core import responses

    outcome = responses.Outcome.ignored("cargo_company_not_found", "No carrier for John Doe.")
    send = reporting.prepare(
        outcome,
        failure=None,
        dsn=DSN,
        channel_pk=20,
        order_number="202531672482",
        event_uuid="fc2ba32b",
        sensitive_values=privacy.sensitive_values(sample, TOKEN),
    )
    client.flush(timeout=2)
    assert transport.events() == [], "preparing a report sends nothing"
    send()
    client.flush(timeout=2)
    (event,) = transport.events()
    assert event["tags"]["omnitron.reason"] == "cargo_company_not_found"
    assert "John" not in event["message"] and "[Filtered]" in event["message"]


def test_the_arrival_keeps_secrets_out_of_what_is_stored_and_reported(sample):
    from omnitron_order_webhook.core.arrival import Arrival

    arrival = Arrival.now(user=None, clear_token=TOKEN).with_body(sample)
    assert "conf" not in arrival.document["payload"]["channel"]
    assert "conf" in arrival.raw_document["payload"]["channel"], "the body itself is left untouched"
    assert {"ihwQUETc5Ge4Wy0P", TOKEN, "John"} <= arrival.sensitive_values()
    assert arrival.elapsed_ms() >= 0


def test_a_value_a_filter_names_is_scrubbed_whatever_its_path(sample):
    """A property rule on remote_addr must not copy the shopper's IP into a report."""
    from omnitron_order_webhook.core import filters, settings
    from omnitron_order_webhook.core.validation import parse_webhook_call

    sample["payload"]["remote_addr"] = "203.0.113.77"
    configured = settings.parse_settings({settings.key_of("order_filtering"): '{"properties": {"remote_addr": "x"}}'})
    outcome = filters.check_filters(configured, parse_webhook_call(sample).order, sample["payload"])
    assert "203.0.113.77" in outcome.detail, "the sender is told what it sent"
    message = reporting.scrub(outcome.detail, privacy.sensitive_values(sample))
    assert "203.0.113.77" not in message and "[Filtered]" in message
    kept = privacy.sensitive_values(sample)
    assert not {"202531672482", "yurtici", "3169177"} & kept, "numbers, codes and skus stay readable"


def test_a_500_without_exception_is_reported_as_an_error(client, transport):
    from omnitron_order_webhook.core import responses

    send = reporting.prepare(
        responses.company_config_error("company X has no fiscal country"),
        failure=None,
        dsn=DSN,
        channel_pk=20,
        order_number="N",
        event_uuid="u",
        sensitive_values=(),
    )
    send()
    client.flush(timeout=2)
    (event,) = transport.events()
    assert event["level"] == "error"
    assert event["fingerprint"] == ["omnitron-order-webhook", "failed", "config_error"]


def test_the_private_client_builds_under_the_installed_sentry_major():
    # sentry-sdk 3 refuses sentry-sdk 2's include_local_variables (TypeError): the
    # options are chosen by what the installed major knows, with the same privacy.
    options = reporting.private_client_options()
    assert options["attach_stacktrace"] is False
    if "data_collection" in options:
        assert options["data_collection"]["stack_frame_variables"] is False
        assert options["data_collection"]["frame_context_lines"] == 0
    else:
        assert options["include_local_variables"] is False
        assert options["include_source_context"] is False
    client = sentry_sdk.Client("https://public@127.0.0.1/9", transport=MemoryTransport(), **options)
    assert client.is_active()
    client.close()


def test_no_local_variables_leave_even_when_the_global_client_collects_them(transport):
    # The process's own client (a merchant's Sentry set-up) collects frame variables
    # and attaches stacks by default; a private report still carries neither.
    ambient = MemoryTransport()
    sentry_sdk.init("https://public@127.0.0.1/5", transport=ambient, default_integrations=False, attach_stacktrace=True)
    try:
        sentry_sdk.get_global_scope().set_client(sentry_sdk.get_client())
        private = reporting.private_client_options()
        client = sentry_sdk.Client("https://public@127.0.0.1/6", transport=transport, **private)

        def fail(secret_local="hidden-local-value"):
            raise ValueError("boom")

        try:
            fail()
        except ValueError as error:
            reporting.report_failure(client, error, reason="internal_error", tags=tags())
        reporting.report_ignored(client, reason="duplicate_order", detail="again", tags=tags())
        reporting.report_ignored(sentry_sdk.get_client(), reason="duplicate_order", detail="again", tags=tags())
        client.flush(timeout=2)
        sentry_sdk.get_client().flush(timeout=2)
        failure, ignored = transport.events()
        frames = failure["exception"]["values"][0]["stacktrace"]["frames"]
        assert [frame["function"] for frame in frames][-1] == "fail"
        assert all("vars" not in frame and "context_line" not in frame for frame in frames)
        assert not ignored.get("threads", {}).get("values")
        (ambient_event,) = ambient.events()
        assert not ambient_event.get("threads", {}).get("values"), "no stack attached to our message"
        assert "hidden-local-value" not in transport.raw() + ambient.raw()
        client.close()
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.get_global_scope().set_client(None)


def test_a_failure_given_as_exc_info_is_reported_as_its_exception(client, transport):
    import sys

    try:
        raise LookupError("no carrier")
    except LookupError:
        reporting.report_failure(client, sys.exc_info(), reason="internal_error", tags=tags())
    client.flush(timeout=2)
    (event,) = transport.events()
    assert event["exception"]["values"][0]["type"] == "LookupError"


def test_a_failure_reports_its_cause_too(client, transport):
    try:
        try:
            raise KeyError("inner")
        except KeyError as inner:
            raise RuntimeError("outer") from inner
    except RuntimeError as error:
        reporting.report_failure(client, error, reason="internal_error", tags=tags())
    client.flush(timeout=2)
    (event,) = transport.events()
    assert [value["type"] for value in event["exception"]["values"]] == ["KeyError", "RuntimeError"]
