"""Countries typed by name in any language copbot speaks, resolved to ISO 3166-1.

Names come from pycountry (the ISO 3166 database kept by Debian's iso-codes) and its
translations, shipped as gettext catalogs in ``pycountry.LOCALES_DIR``, from Babel's
CLDR territory names (the names people use: Russia, Türkiye, Cape Verde) and from a few
aliases neither lists (Ivory Coast, DRC, Swaziland). Matching ignores case, accents and
punctuation; a close misspelling is accepted when it points to one country only. A name
shared by two countries (Congo, Korea) is ambiguous: :func:`resolve_country` returns both
for the person to choose, and a miss returns the closest names.

Countries are shown by :func:`country_name`: Babel's common name in the reader's language.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pycountry

from bot.core.cldr import territory_names

#: Languages whose country names are accepted, whatever the person speaks (ISO's names).
NAME_LANGUAGES = ("en", "es", "fr")
#: Languages whose CLDR common names are accepted too.
COMMON_NAME_LANGUAGES = ("en", "es", "fr", "ar", "zh", "ru")
#: Common short and former names neither ISO nor CLDR lists.
ALIASES = {
    "uk": "GB",
    "usa": "US",
    "great britain": "GB",
    "england": "GB",
    "holland": "NL",
    "turkey": "TR",
    "russia": "RU",
    "ivory coast": "CI",
    "drc": "CD",
    "dr congo": "CD",
    "rdc": "CD",
    "rd congo": "CD",
    "democratic republic of congo": "CD",
    "democratic republic of the congo": "CD",
    "republica democratica del congo": "CD",
    "palestine": "PS",
    "palestina": "PS",
    "cape verde": "CV",
    "east timor": "TL",
    "swaziland": "SZ",
    "suazilandia": "SZ",
    "vatican": "VA",
    "vaticano": "VA",
    "holy see": "VA",
    "saint siege": "VA",
    "santa sede": "VA",
    "burkina": "BF",
}
#: Names shared by two countries: the person is asked which one.
AMBIGUOUS = {
    "congo": ("CG", "CD"),
    "korea": ("KR", "KP"),
    "corea": ("KR", "KP"),
    "coree": ("KR", "KP"),
}
#: How similar (0-100) a misspelling must be to a known name.
FUZZY_CUTOFF = 86
#: How similar a name must be to be offered after a miss.
CLOSEST_CUTOFF = 50
_ARTICLES = ("the ", "la ", "le ", "les ", "el ", "los ")
_NON_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class Resolution:
    """What a typed country name resolved to.

    Attributes:
        code: the ISO 3166-1 alpha-2 code, when the name is clear.
        ambiguous: the name fits each of ``candidates`` (Congo, Korea).
        candidates: the countries to choose from: those the name fits, or the closest names.
    """

    code: str | None
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Lower case, without accents or punctuation, single-spaced: ``Côte d'Ivoire`` → ``cote d ivoire``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", bare).strip()


@cache
def _translations(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _territories(language: str) -> dict[str, str]:
    return territory_names(language)


@cache
def _index() -> dict[str, str]:
    names: dict[str, str] = {}
    for country in pycountry.countries:
        code = country.alpha_2
        names[fold(code)] = code
        names[fold(country.alpha_3)] = code
        for attribute in ("name", "common_name", "official_name"):
            english = getattr(country, attribute, None)
            if not english:
                continue
            for language in NAME_LANGUAGES:
                names.setdefault(fold(_translations(language).gettext(english)), code)
    for language in COMMON_NAME_LANGUAGES:
        for code, name in _territories(language).items():
            if pycountry.countries.get(alpha_2=code) is not None:
                names.setdefault(fold(name), code)
    for alias, code in ALIASES.items():
        names[fold(alias)] = code
    return names


def _key(answer: str) -> str:
    key = fold(answer)
    for article in _ARTICLES:  # "The Netherlands", "La Côte d'Ivoire"
        if key.startswith(article) and key[len(article) :] in _index():
            return key[len(article) :]
    return key


def resolve_country(answer: str) -> Resolution:
    """The country named in ``answer``, the countries it may mean, or the closest names.

    Args:
        answer: a code (``KE``, ``KEN``) or a name in English, Spanish or French.

    Returns:
        A :class:`Resolution`: its ``code`` when the name is clear; else the two countries
        of an ambiguous name, or up to three close names (none when nothing is close).
    """
    key = _key(answer)
    if not key:
        return Resolution(None)
    if key in AMBIGUOUS:
        return Resolution(None, ambiguous=True, candidates=AMBIGUOUS[key])
    index = _index()
    if key in index:
        return Resolution(index[key])
    if len(key) < 4:  # short strings are codes; a near miss is another country
        return Resolution(None, candidates=_closest(key))
    from rapidfuzz import fuzz, process  # only for a name not spelled as listed (2.5 MiB)

    matches = process.extract(key, index.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5)
    codes = {index[name] for name, _score, _ in matches}
    if len(codes) == 1:
        return Resolution(codes.pop())
    return Resolution(None, candidates=_closest(key))


def _closest(key: str, limit: int = 3) -> tuple[str, ...]:
    index = _index()
    found: list[str] = []
    from rapidfuzz import fuzz, process

    matches = process.extract(key, index.keys(), scorer=fuzz.ratio, score_cutoff=CLOSEST_CUTOFF, limit=30)
    for name, _score, _ in matches:
        if len(name) > 3 and index[name] not in found:  # codes are no names to offer
            found.append(index[name])
    return tuple(found[:limit])


def find_country(answer: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country named in ``answer``, if it is clear.

    Args:
        answer: a code (``KE``, ``KEN``) or a name in English, Spanish or French.

    Returns:
        The code, or ``None`` when no country, or more than one, matches.
    """
    return resolve_country(answer).code


def country_name(code: str, language: str) -> str:
    """The country's common name in ``language`` (Babel's CLDR names; English if none).

    Args:
        code: an ISO 3166-1 alpha-2 code.
        language: the reader's language code.

    Returns:
        The name, such as ``Türkiye`` or ``Congo - Kinshasa``; the code itself if unknown.
    """
    country = pycountry.countries.get(alpha_2=code)
    if country is None:  # CLDR names a few codes that are no country ("ZZ": Unknown Region)
        return code
    return _territories(language).get(code) or _territories("en").get(code) or str(country.name)
