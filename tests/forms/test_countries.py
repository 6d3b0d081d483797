"""Countries typed as people say them, and shown by their common name."""

from __future__ import annotations

import pytest

from bot.forms.countries import country_name, find_country, resolve_country

SAID = {
    "TR": ("Turkey", "Türkiye", "Turquía", "Turquie"),
    "RU": ("Russia", "Rusia", "Russie"),
    "CI": ("Ivory Coast", "Côte d'Ivoire", "Costa de Marfil", "cote divoire"),
    "CD": ("DRC", "RDC", "RD Congo", "DR Congo", "République démocratique du Congo"),
    "PS": ("Palestine", "Palestina"),
    "CV": ("Cape Verde", "Cabo Verde", "Cap-Vert"),
    "TL": ("East Timor", "Timor Oriental", "Timor oriental", "Timor-Leste"),
    "SZ": ("Swaziland", "Suazilandia", "Eswatini"),
    "MK": ("North Macedonia", "Macedonia del Norte", "Macédoine du Nord"),
    "NL": ("The Netherlands", "Netherlands", "Países Bajos", "Pays-Bas", "Holland"),
    "VA": ("Vatican", "Vaticano", "Holy See", "Saint-Siège"),
    "BF": ("Burkina", "Burkina Faso"),
    "KR": ("South Korea", "Corée du Sud", "Corea del Sur"),
    "KP": ("North Korea", "Corée du Nord"),
}


@pytest.mark.parametrize(
    ("code", "typed"), [(code, typed) for code, names in SAID.items() for typed in names]
)
def test_countries_as_people_say_them(code: str, typed: str) -> None:
    assert find_country(typed) == code


@pytest.mark.parametrize("typed", ["Congo", "congo", "Korea", "Corée", "Corea"])
def test_a_name_of_two_countries_asks_which(typed: str) -> None:
    found = resolve_country(typed)
    assert found.code is None
    assert found.ambiguous
    assert set(found.candidates) in ({"CG", "CD"}, {"KR", "KP"})


def test_a_miss_offers_the_three_closest_names() -> None:
    found = resolve_country("Nigerai")
    assert found.code is None
    assert not found.ambiguous
    assert len(found.candidates) == 3
    assert {"NG", "NE"} <= set(found.candidates)
    assert resolve_country("Zqxw").candidates == ()


def test_countries_are_shown_by_their_common_name_in_the_readers_language() -> None:
    assert country_name("TR", "en") == "Türkiye"
    assert country_name("RU", "en") == "Russia"
    assert country_name("CD", "fr") == "Congo-Kinshasa"
    assert country_name("CI", "es") == "Côte d’Ivoire"
    assert country_name("NL", "es") == "Países Bajos"
    assert country_name("TR", "xx") == "Türkiye"  # an unknown language: English
    assert country_name("ZZ", "en") == "ZZ"
