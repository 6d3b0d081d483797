"""CLDR's names and directions read part by part are Babel's own."""

from __future__ import annotations

import pytest
from babel import Locale, UnknownLocaleError, localedata

from bot.core.cldr import language_name, territory_names

UN = ("en", "es", "fr", "ar", "zh", "ru")


def babels_name(code: str, reader: str) -> str:
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (ValueError, UnknownLocaleError):
        return code


@pytest.mark.parametrize("reader", [*UN, "pt", "sw", "en_GB", "pt_BR"])
def test_a_languages_name_is_babels(reader: str) -> None:
    codes = [*UN, "pt", "sw", "hi", "en_GB", "pt_BR", "zh_Hant", "yue", "nonsense", "xx"]
    assert [language_name(code, reader) for code in codes] == [babels_name(code, reader) for code in codes]


def test_every_language_names_itself_as_babel_does() -> None:
    codes = localedata.locale_identifiers()[::5]
    assert [language_name(code, code) for code in codes] == [babels_name(code, code) for code in codes]


@pytest.mark.parametrize("reader", [*UN, "pt_BR"])
def test_territory_names_are_babels(reader: str) -> None:
    babels = {str(code): str(name) for code, name in Locale.parse(reader).territories.items()}
    assert territory_names(reader) == babels
