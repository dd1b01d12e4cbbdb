"""The English catalog is complete, compiled, and used when a user picks English."""

import gettext
import re

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.urls import reverse

CATALOG_DIR = settings.LOCALE_PATHS[0] / "en" / "LC_MESSAGES"
PO_FILE = CATALOG_DIR / "django.po"
MO_FILE = CATALOG_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _po_catalog():
    with PO_FILE.open("rb") as f:
        return read_po(f, locale="en")


def _po_entries():
    """The .po's messages as GNUTranslations keys them: msgid, or (msgid, n) for each plural form."""
    entries = {}
    for message in _po_catalog():
        if not message.id:
            continue  # the header
        # A message with a context is keyed "context\x04msgid", as gettext stores it.
        prefix = f"{message.context}\x04" if message.context else ""
        if message.pluralizable:
            for n, text in enumerate(message.string):
                entries[(prefix + message.id[0], n)] = text
        else:
            entries[prefix + message.id] = message.string
    return entries


def test_the_header_declares_english_with_two_plural_forms():
    catalog = _po_catalog()
    assert str(catalog.locale) == "en"
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    assert not catalog.fuzzy


def test_every_entry_is_translated_and_not_fuzzy():
    messages = [m for m in _po_catalog() if m.id]
    assert messages
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert fuzzy == []
    for message in messages:
        ids = message.id if message.pluralizable else (message.id,)
        strings = message.string if message.pluralizable else (message.string,)
        assert len(strings) == len(ids) and all(s.strip() for s in strings), message.id
        for text in strings:
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(ids[0])), message.id


def test_the_compiled_catalog_matches_the_po():
    with MO_FILE.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    mo_entries = {key: text for key, text in compiled._catalog.items() if key != ""}  # type: ignore[attr-defined]  # no public way to list a catalog
    po_entries = _po_entries()
    assert set(mo_entries) == set(po_entries), "django.mo is stale: run `kaohe compilemessages -l en`"
    assert mo_entries == po_entries, "django.mo is stale: run `kaohe compilemessages -l en`"


@pytest.mark.django_db
def test_a_user_who_picks_english_sees_an_english_sidebar(city, login):
    client = login(city.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("home")).content.decode()
    sidebar = html.split('id="kh-sidebar"', 1)[1].split("</aside>", 1)[0]
    assert 'lang="en"' in html
    assert "Organisation" in sidebar and "组织架构" not in sidebar
    assert "Members &amp; staff" in sidebar


@pytest.mark.django_db
def test_chinese_stays_the_default(city, login):
    html = login(city.admin).get(reverse("home")).content.decode()
    assert "组织架构" in html and "Organisation" not in html
