"""Sentences that keep what they are made of, so each reader gets them in their language.

The update rules and flows say what they did. Omnitron reads it in the API's
answer, a machine contract that is English always; staff read it in the
chatter, a banner or an activity, in their own language. A ``Said`` is the
English sentence (a ``str``, so the answer, the tests and every string
operation take it as it is) that also keeps a key and its parameters, from
which the back office renders it in another language
(``models/omnitron_phrases.py``). A ``Status`` parameter is an order or item
status code: English names it with its code for the machine; people read its
name only.
"""

from . import const


class Said(str):
    """An English sentence with the ``key`` and ``params`` it was made from."""

    key: object
    params: dict

    def __new__(cls, key, english, **params):
        said = super().__new__(cls, english)
        said.key = key
        said.params = params
        return said


class Status(str):
    """A status code inside a sentence: "400 (approved)" in English, its name for people."""

    def english(self):
        if self in const.ORDER_STATUSES:
            return f"{self} ({const.ORDER_STATUSES[self][0]})"
        return str(self)


class Sentences(tuple):
    """Sentences said one after another ("a; b"), where a plain list of values reads "a, b"."""
