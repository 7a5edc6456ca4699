"""Hypothesis drives the validator: it only ever answers with our typed errors.

Arbitrary JSON, and mutations of the spec's sample (fields dropped, types
changed, numbers as strings, huge values, unicode, NaN/Infinity).
"""

import copy
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import SAMPLE, SAMPLE_PATHS, json_values, mutate

from omnitron_order_webhook.core import privacy, responses
from omnitron_order_webhook.core.validation import (
    InvalidJson,
    InvalidPayload,
    WebhookCall,
    decode_json,
    parse_webhook_call,
)


def assert_typed_outcome(document):
    try:
        call = parse_webhook_call(document)
    except InvalidPayload as error:
        assert error.errors, "an InvalidPayload names at least one field"
        outcome = responses.invalid_payload(error.errors)
        assert outcome.status == 400
        json.dumps(outcome.body)  # the answer is serialisable
        return
    assert isinstance(call, WebhookCall)
    privacy.without_credentials(document)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_gets_a_typed_answer(document):
    assert_typed_outcome(document)
    assert_typed_outcome({"event": {"type": "x", "uuid": "y"}, "payload": document})


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.sampled_from(SAMPLE_PATHS), st.sampled_from(["drop", "replace", "stringify"]), json_values),
        min_size=1,
        max_size=4,
    )
)
def test_mutations_of_the_sample_get_a_typed_answer(mutations):
    document = copy.deepcopy(SAMPLE)
    for path, action, value in mutations:
        try:
            mutate(document, path, action, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced the parent
    assert_typed_outcome(document)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes_are_json_or_a_clear_refusal(raw):
    try:
        document = decode_json(raw)
    except InvalidJson as error:
        assert str(error)
        return
    assert_typed_outcome(document)
