"""How a stored webhook body is shown in the event form: bounded in size and time.

A body can be large (a 1,000-item order is megabytes) and was deeply nested in
attacks; pretty-printing either without bounds made the form unusable. The
form shows at most ``PRETTY_LIMIT`` characters and offers the raw body as a
download; bodies nested deeper than ``const.MAX_DEPTH`` are refused before
they are stored.
"""

import json

from . import const
from .validation import _depth_over

PRETTY_LIMIT = 200_000  # characters shown in the form


def pretty(payload_text, limit=PRETTY_LIMIT):
    """The stored body indented for reading, cut at ``limit`` characters with a note.

    >>> pretty('{"a": [1]}')
    '{\\n  "a": [\\n    1\\n  ]\\n}'
    >>> pretty('x' * 30, limit=10).startswith('xxxxxxxxxx')
    True
    """
    if not payload_text:
        return ""
    text = payload_text
    if len(payload_text) <= limit:
        try:
            document = json.loads(payload_text)
        except (ValueError, RecursionError):
            document = None
        # Indentation grows with depth: a body deeper than an order is shown as stored.
        if document is not None and not _depth_over(document, const.MAX_DEPTH):
            text = json.dumps(document, indent=2, ensure_ascii=False)
    if len(text) > limit:
        return (
            text[:limit]
            + f"\n\n… cut at {limit:,} of {len(text):,} characters: download the payload to read all of it."
        )
    return text
