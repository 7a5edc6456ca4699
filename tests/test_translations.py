"""The Turkish translation is complete and keeps every markup and placeholder."""

import pathlib
import re

import pytest

polib = pytest.importorskip("polib")

REPO = pathlib.Path(__file__).resolve().parent.parent
# Each addon of the repository and its template: the addon's and its kits bridge's.
TEMPLATES = [
    REPO / "omnitron_order_webhook" / "i18n" / "omnitron_order_webhook.pot",
    REPO / "omnitron_order_webhook_mrp" / "i18n" / "omnitron_order_webhook_mrp.pot",
]
MARKUP = re.compile(r"<[^>]+>|&[a-z]+;|%\(\w+\)s|%s|\{\w*\}")


@pytest.mark.parametrize("pot", TEMPLATES, ids=lambda pot: pot.stem)
def test_turkish_translates_every_term_of_the_template(pot):
    template = {entry.msgid for entry in polib.pofile(str(pot))}
    turkish = {entry.msgid: entry.msgstr for entry in polib.pofile(str(pot.with_name("tr.po")))}
    assert template - set(turkish) == set(), "terms missing from tr.po"
    assert set(turkish) - template == set(), "tr.po has terms the template no longer has"
    assert [msgid for msgid, msgstr in turkish.items() if not msgstr.strip()] == []


@pytest.mark.parametrize("pot", TEMPLATES, ids=lambda pot: pot.stem)
def test_turkish_keeps_markup_and_placeholders(pot):
    for entry in polib.pofile(str(pot.with_name("tr.po"))):
        assert sorted(MARKUP.findall(entry.msgid)) == sorted(MARKUP.findall(entry.msgstr)), entry.msgid
