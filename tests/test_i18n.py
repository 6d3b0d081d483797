"""Every message the code can say exists, translated, in every catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.catalogs import DOMAIN, LOCALES_DIR, Catalogs, available_locales, language_name

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
REQUIRED_LOCALES = {"en", "es", "fr"}


def msgids_in_code() -> set[str]:
    found: set[str] = set()
    for package in ("bot", "handlers", "storage"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, tuple):
                found.update(part for part in message if part)
            else:
                found.add(message)
    return found


def catalog(locale: str) -> dict[str, str]:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        parsed = read_po(source, locale=locale)
    entries: dict[str, str] = {}
    for message in parsed:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            entries[msgid] = "" if message.fuzzy else min(strings, key=len)
    return entries


def test_the_required_languages_have_catalogs() -> None:
    assert set(available_locales()) >= REQUIRED_LOCALES
    assert available_locales()[0] == "en"


def test_code_says_something() -> None:
    assert len(msgids_in_code()) > 15


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_every_msgid_in_code_is_translated(locale: str) -> None:
    entries = catalog(locale)
    missing = sorted(msgid for msgid in msgids_in_code() if msgid not in entries)
    untranslated = sorted(
        msgid for msgid in msgids_in_code() if msgid in entries and not entries[msgid].strip()
    )
    assert not missing, f"{locale}: not in the catalog (run `make i18n`): {missing}"
    assert not untranslated, f"{locale}: untranslated or fuzzy: {untranslated}"


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_translations_keep_the_placeholders(locale: str) -> None:
    for msgid, translated in catalog(locale).items():
        if translated:
            assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(msgid)), (locale, msgid)


def test_translators_fall_back_to_the_message_id() -> None:
    catalogs = Catalogs()
    assert catalogs.translator("es").gettext("no such message") == "no such message"
    assert catalogs.translator("xx").locale == "en"


@pytest.mark.parametrize(
    ("stored", "reported", "expected"),
    [("fr", "es", "fr"), (None, "es-MX", "es"), (None, "pt", "en"), (None, None, "en"), ("xx", "fr", "fr")],
)
def test_locale_choice(stored: str | None, reported: str | None, expected: str) -> None:
    assert Catalogs().choose(stored, reported) == expected


def test_language_names_come_from_cldr() -> None:
    assert language_name("fr") == "français"
    assert language_name("es", capitalize=True) == "Español"
    assert language_name("not a code") == "not a code"
