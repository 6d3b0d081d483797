"""Every message the code can say exists, translated, in every catalog, and fits.

Each catalog present is checked: complete, every translation keeps its source's
placeholders, plural forms follow the language's CLDR rules, every message fits a
Telegram message and every button label a button, and every language has its Terms of
Reference. A catalog being written in parallel (Arabic…) is checked as soon as it lands.
"""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.catalogs import DOMAIN, LOCALES_DIR, Catalogs, available_locales, language_name
from bot.core.text import fill, to_html
from bot.platforms.telegram.limits import MESSAGE_LIMIT

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
REQUIRED_LOCALES = {"en", "es", "fr"}
#: The most characters of a button label: wider labels are cut on phones.
LABEL_LIMIT = 40
#: The value every placeholder gets when a message is measured: a long name or title.
SAMPLE_VALUE = "X" * 60
#: A button's label as code writes it: ``Button(ctx.gettext(N_("Next ▶")), ...)``, or a
#: form's Submit, or a confirmation's button.
BUTTON_LABEL = re.compile(
    r'(?:Button\(\s*(?:[\w.]+\.)?gettext\(\s*|submit=|confirm=(?:[\w.]+\.)?gettext\()N_\(\s*"([^"]+)"\s*\)'
)


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


def parsed(locale: str) -> Catalog:
    with (LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        return read_po(source, locale=locale)


def translations(locale: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every translated entry: its source (singular and plural) and each of its forms."""
    found = []
    for message in parsed(locale):
        if not message.id or message.fuzzy:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any(strings):
            found.append((" ".join(ids), tuple(strings)))
    return found


def button_labels() -> set[str]:
    labels: set[str] = set()
    for package in ("bot", "handlers"):
        for path in (ROOT / package).rglob("*.py"):
            labels.update(BUTTON_LABEL.findall(path.read_text(encoding="utf-8")))
    return labels


def catalog(locale: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for message in parsed(locale):
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


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_every_plural_form_keeps_the_placeholders(locale: str) -> None:
    """Each form of a plural keeps the source's placeholders; ``{n}`` may go (``one`` reads "a")."""
    for source, forms in translations(locale):
        wanted = set(PLACEHOLDER.findall(source))
        for form in forms:
            assert form.strip(), (locale, source, "a plural form is empty")
            assert set(PLACEHOLDER.findall(form)) | {"n"} >= wanted, (locale, source, form)
            assert set(PLACEHOLDER.findall(form)) <= wanted, (locale, source, form)


PLURAL_SAMPLES = (*range(0, 250), 1001, 1_000_000, 2_000_000)


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_plural_forms_follow_the_languages_cldr_rules(locale: str) -> None:
    """The catalog's ``Plural-Forms`` picks one form per CLDR category, and every form is there."""
    catalog_ = parsed(locale)
    cldr = Locale.parse(locale)
    pick = gettext.c2py(catalog_.plural_expr)
    form_of: dict[str, int] = {}  # CLDR's category of whole numbers -> the catalog's form
    for n in PLURAL_SAMPLES:
        category = cldr.plural_form(n)
        assert form_of.setdefault(category, pick(n)) == pick(n), (locale, n, category)
    assert len(set(form_of.values())) == len(form_of) == catalog_.num_plurals, (locale, form_of)
    for message in catalog_:
        if message.id and isinstance(message.id, tuple) and not message.fuzzy:
            assert len(message.string) == catalog_.num_plurals, (locale, message.id)


ENTRIES = ("The wiki has {n} entry:", "The wiki has {n} entries:")


def test_russian_picks_three_forms_by_cldr() -> None:
    if "ru" not in available_locales():
        pytest.skip("no Russian catalog in this tree")
    translator = Catalogs().translator("ru")
    one, few, many, twenty_one = (translator.ngettext(*ENTRIES, n) for n in (1, 2, 5, 21))
    assert len({one, few, many}) == 3
    assert twenty_one == one


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_every_message_fits_a_telegram_message(locale: str) -> None:
    """Filled with long values, every form of every message is within Telegram's limit."""
    for source, forms in translations(locale):
        for form in forms:
            values = dict.fromkeys(PLACEHOLDER.findall(form), SAMPLE_VALUE)
            rendered = to_html(fill(form, values, rtl=Locale.parse(locale).text_direction == "rtl"))
            assert len(rendered) <= MESSAGE_LIMIT, (locale, source, len(rendered))


def test_the_button_labels_are_found() -> None:
    labels = button_labels()
    assert {"Next ▶", "◀ Back", "Submit", "Approve", "Ban"} <= labels


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_every_button_label_fits_a_button(locale: str) -> None:
    translator = Catalogs().translator(locale)
    wide = {label: translator.gettext(label) for label in button_labels()}
    wide = {label: shown for label, shown in wide.items() if len(shown) > LABEL_LIMIT}
    assert not wide, f"{locale}: labels over {LABEL_LIMIT} characters: {wide}"


@pytest.mark.parametrize("locale", sorted(available_locales()))
def test_every_language_has_its_terms_of_reference(locale: str) -> None:
    terms = LOCALES_DIR / locale / "terms.md"
    assert terms.is_file(), f"{locale}: no {terms.relative_to(ROOT)}"
    assert terms.read_text(encoding="utf-8").strip()


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
