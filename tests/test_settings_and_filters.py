import pytest

from omnitron_order_webhook.core import filters, settings
from omnitron_order_webhook.core.settings import ConfigError, parse_order_filtering, parse_settings
from omnitron_order_webhook.core.validation import parse_webhook_call

K = settings.key_of("order_filtering")


def decide(sample, own_channels=frozenset({21, 31}), **stored):
    """The filters of the settings stored as ``stored``, for a sender whose channels are ``own_channels``."""
    configured = parse_settings({settings.key_of(key): value for key, value in stored.items()})
    outcome = filters.check_filters(
        configured, parse_webhook_call(sample).order, sample["payload"], own_channels=lambda: own_channels
    )
    return (outcome.reason, outcome.detail) if outcome else (None, None)


def test_a_channel_refusal_names_only_the_senders_own_allowed_channels(sample):
    stored = {"order_filtering": '{"channels": [21, 31, 44]}'}
    assert decide(sample, own_channels=frozenset({31, 77}), **stored)[1] == (
        "Channel 20 is not one of the allowed channels (31) in ORDER_FILTERING."
    )
    assert "none of this account's" in decide(sample, own_channels=frozenset(), **stored)[1]


def test_defaults_accept_everything(sample):
    configured = parse_settings({})
    assert configured.min_order_omnitron_id == 0 and configured.order_filtering.channels == frozenset()
    assert configured.create_missing_products is True
    assert (configured.rate_limit_per_token, configured.rate_limit_failed_auth_per_ip) == (600, 30)
    assert decide(sample) == (None, None)


@pytest.mark.parametrize(
    ("stored", "reason", "words"),
    [
        ({"min_order_omnitron_id": "32000"}, "below_min_omnitron_id", "31999 is below the minimum of 32000"),
        ({"min_order_omnitron_id": "31999"}, None, None),
        (
            {"order_filtering": '{"channels": [21, 31]}'},
            "channel_not_allowed",
            "Channel 20 is not one of the allowed channels (21, 31)",
        ),
        ({"order_filtering": '{"channels": [20, 31]}'}, None, None),
        ({"order_filtering": '{"channels": []}'}, None, None),
        (
            {"order_filtering": '{"properties": {"delivery_type": ["standard"]}}'},
            "property_mismatch",
            "delivery_type is 'same_day'",
        ),
        ({"order_filtering": '{"properties": {"delivery_type": ["same_day", "standard"]}}'}, None, None),
        ({"order_filtering": '{"properties": {"channel.channel_type": "n11"}}'}, None, None),
        (
            {"order_filtering": '{"properties": {"channel.channel_type": "trendyol"}}'},
            "property_mismatch",
            "channel.channel_type is 'n11'",
        ),
        (
            {"order_filtering": '{"properties": {"client_type": "web"}}'},
            "property_mismatch",
            "client_type is 'default'",
        ),
        ({"order_filtering": '{"properties": {"gift.box": "x"}}'}, "property_mismatch", "gift.box is missing"),
        ({"order_filtering": '{"properties": {"has_gift_box": true}}'}, None, None),
        ({"order_filtering": '{"properties": {"has_gift_box": "true"}}'}, None, None),
        ({"order_filtering": '{"properties": {"pk": 31999}}'}, None, None),
        (
            {"order_filtering": '{"properties": {"customer": "x"}}'},
            "property_mismatch",
            "customer is an object or list",
        ),
    ],
)
def test_filter_rules(sample, stored, reason, words):
    found_reason, detail = decide(sample, **stored)
    assert found_reason == reason
    if words:
        assert words in detail


def test_checks_run_in_order_and_the_first_answers(sample):
    stored = {
        "min_order_omnitron_id": "99999",
        "order_filtering": '{"channels": [1], "properties": {"delivery_type": "standard"}}',
    }
    assert decide(sample, **stored)[0] == "below_min_omnitron_id"
    stored["min_order_omnitron_id"] = "0"
    assert decide(sample, **stored)[0] == "channel_not_allowed"
    stored["order_filtering"] = '{"channels": [20], "properties": {"delivery_type": "standard"}}'
    assert decide(sample, **stored)[0] == "property_mismatch"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{", "not valid JSON"),
        ("[20]", "must be a JSON object"),
        ('{"channel": [20]}', "unknown key 'channel'"),
        ('{"channels": 20}', '"channels" must be a list'),
        ('{"channels": ["20"]}', "channel '20' is not a positive integer"),
        ('{"channels": [1.5]}', "channel 1.5 is not a positive integer"),
        ('{"channels": [true]}', "channel True is not a positive integer"),
        ('{"channels": [0]}', "channel 0 is not a positive integer"),
        ('{"properties": []}', '"properties" must be an object'),
        ('{"properties": {"channel..type": "x"}}', "'channel..type' has an empty segment"),
        ('{"properties": {"": "x"}}', "'' has an empty segment"),
        ('{"properties": {"a.": "x"}}', "has an empty segment"),
        ('{"properties": {"a": []}}', "allows no value"),
        ('{"properties": {"a": {"b": 1}}}', "only strings, numbers and booleans"),
    ],
)
def test_invalid_order_filtering_is_explained(text, words):
    with pytest.raises(ConfigError) as caught:
        parse_order_filtering(text)
    assert str(caught.value).startswith(K)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        (settings.key_of("min_order_omnitron_id"), "-1", "below the minimum of 0"),
        (settings.key_of("min_order_omnitron_id"), "ten", "not a whole number"),
        (settings.key_of("rate_limit_per_token"), "0", "below the minimum of 1"),
        (settings.key_of("max_body_bytes"), "10", "below the minimum of 1024"),
        (settings.key_of("create_missing_products"), "maybe", "not true or false"),
        (settings.key_of("sentry_dsn"), "sentry.example.com", "a Sentry DSN looks like"),
    ],
)
def test_invalid_settings_name_their_key(key, value, words):
    with pytest.raises(ConfigError) as caught:
        parse_settings({key: value})
    assert str(caught.value).startswith(key) and words in str(caught.value)


def test_order_filtering_round_trips_through_its_json():
    text = (
        '{"channels": [31, 20], '
        '"properties": {"delivery_type": ["standard", "same_day"], "channel.channel_type": "n11"}}'
    )
    parsed = parse_order_filtering(text)
    assert parse_order_filtering(parsed.to_json()) == parsed


@pytest.mark.parametrize(
    ("text", "channels"), [("", frozenset()), ("20, 31", {20, 31}), ("20;31,", {20, 31}), (" 7 ", {7})]
)
def test_channel_list_of_the_settings_form(text, channels):
    assert settings.parse_channel_list(text) == frozenset(channels)


@pytest.mark.parametrize("text", ["20, x", "-3", "2.5"])
def test_channel_list_refuses_what_is_not_a_channel_id(text):
    with pytest.raises(ConfigError, match="is not a positive integer channel id"):
        settings.parse_channel_list(text)


def test_a_dsn_sentry_would_refuse_is_refused_here():
    with pytest.raises(ConfigError, match="a Sentry DSN looks like"):
        parse_settings({settings.key_of("sentry_dsn"): "https://key@sentry.example.com"})  # no project id
    assert parse_settings({settings.key_of("sentry_dsn"): "https://key@sentry.example.com/1"}).sentry_dsn


@pytest.mark.parametrize("digits", ["١٠٠", "１００", "۱۰۰"])
def test_a_number_in_non_ascii_digits_is_no_setting(digits):
    with pytest.raises(ConfigError, match="not a whole number"):
        parse_settings({settings.key_of("min_order_omnitron_id"): digits})
    with pytest.raises(ConfigError, match="not a positive integer channel id"):
        settings.parse_channel_list(f"20, {digits}")


def test_the_units_of_an_order_are_a_setting_with_a_default_and_a_range():
    assert parse_settings({}).max_order_units == 100_000
    assert parse_settings({settings.key_of("max_order_units"): "50"}).max_order_units == 50
    with pytest.raises(ConfigError, match="above the maximum of 100000000"):
        parse_settings({settings.key_of("max_order_units"): "100000001"})
    with pytest.raises(ConfigError, match="below the minimum of 1"):
        parse_settings({settings.key_of("max_order_units"): "0"})
