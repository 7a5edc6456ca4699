"""The Turkish translation is complete and keeps every markup and placeholder."""

import pathlib
import re

import pytest

polib = pytest.importorskip("polib")

I18N = pathlib.Path(__file__).resolve().parent.parent / "omnitron_order_webhook" / "i18n"
MARKUP = re.compile(r"<[^>]+>|&[a-z]+;|%\(\w+\)s|%s|\{\w*\}")


def test_turkish_translates_every_term_of_the_template():
    template = {entry.msgid for entry in polib.pofile(str(I18N / "omnitron_order_webhook.pot"))}
    turkish = {entry.msgid: entry.msgstr for entry in polib.pofile(str(I18N / "tr.po"))}
    assert template - set(turkish) == set(), "terms missing from tr.po"
    assert set(turkish) - template == set(), "tr.po has terms the template no longer has"
    assert [msgid for msgid, msgstr in turkish.items() if not msgstr.strip()] == []


def test_turkish_keeps_markup_and_placeholders():
    for entry in polib.pofile(str(I18N / "tr.po")):
        assert sorted(MARKUP.findall(entry.msgid)) == sorted(MARKUP.findall(entry.msgstr)), entry.msgid
