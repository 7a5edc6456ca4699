"""Hypothesis strategies shared by the pure fuzz tests and the live HTTP fuzz."""

import json
import pathlib

from hypothesis import strategies as st

SAMPLE_PATH = pathlib.Path(__file__).resolve().parent.parent / "omnitron_order_webhook/tests/data/sample_order.json"
SAMPLE = json.loads(SAMPLE_PATH.read_text(encoding="utf-8"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["NaN", "Infinity", "-1", "1e309", "0x10", "١٢٣", "725.26", "", " ", "\x00", "ğüşiöç"]),
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


def paths(document, prefix=()):
    """Every path to a value inside the document."""
    yield prefix
    if isinstance(document, dict):
        for key, value in document.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document[:3]):
            yield from paths(value, (*prefix, index))


SAMPLE_PATHS = [path for path in paths(SAMPLE) if path]


def mutate(document, path, action, value):
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if action == "drop":
        del parent[path[-1]]
    elif action == "replace":
        parent[path[-1]] = value
    elif action == "stringify":
        parent[path[-1]] = json.dumps(parent[path[-1]])
    return document
