"""Countries typed by name in any language copbot speaks, resolved to ISO 3166-1.

Names come from pycountry (the ISO 3166 database kept by Debian's iso-codes) and its
translations, shipped as gettext catalogs in ``pycountry.LOCALES_DIR``. Matching ignores
case, accents and punctuation; a close misspelling is accepted when it points to one
country only.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import cache

import pycountry
from rapidfuzz import fuzz, process

#: Languages whose country names are accepted, whatever the person speaks.
NAME_LANGUAGES = ("en", "es", "fr")
#: Common short forms ISO does not list.
ALIASES = {"uk": "GB", "usa": "US", "great britain": "GB", "england": "GB", "holland": "NL"}
#: How similar (0-100) a misspelling must be to a known name.
FUZZY_CUTOFF = 86
_NON_WORD = re.compile(r"[^\w]+")


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
    for alias, code in ALIASES.items():
        names[fold(alias)] = code
    return names


def find_country(answer: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of the country named in ``answer``, if it is clear.

    Args:
        answer: a code (``KE``, ``KEN``) or a name in English, Spanish or French.

    Returns:
        The code, or ``None`` when no country, or more than one, matches.
    """
    key = fold(answer)
    if not key:
        return None
    index = _index()
    if key in index:
        return index[key]
    if len(key) < 4:  # short strings are codes; a near miss is another country
        return None
    matches = process.extract(key, index.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=5)
    codes = {index[name] for name, _score, _ in matches}
    return codes.pop() if len(codes) == 1 else None


def country_name(code: str, locale: str) -> str:
    """The country's short name in ``locale`` (English when there is no translation)."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    return _translations(locale).gettext(english)
