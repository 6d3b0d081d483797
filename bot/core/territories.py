"""CLDR's names of countries and regions, without keeping Babel's whole locale in memory.

``Locale("ar").territories`` loads all of Babel's data for Arabic (number and date
formats, language and currency names, ...) and Babel keeps it for the life of the
process: ~1.5 MiB a language. Resolving a typed country needs the names in all six
languages, while an applicant's replies need the rest of the data in one or two of them.
For a plain language code (``ar``, ``zh``) the names are read from Babel's data file and
the rest of it is dropped; anything else (``pt_BR``) goes through :class:`babel.Locale`.
"""

from __future__ import annotations

import pickle
from functools import cache

from babel import Locale, UnknownLocaleError, localedata


@cache
def territory_names(locale: str) -> dict[str, str]:
    """The names of territories (``KE``, ``019``) in ``locale``; English's if it is unknown."""
    if locale.isalpha() and localedata.exists(locale):  # a plain language inherits from root only
        names: dict[str, str] = {}
        for name in ("root", locale):
            with open(localedata.resolve_locale_filename(name), "rb") as file:
                names.update(pickle.load(file).get("territories", {}))
        return names
    try:
        found = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError, LookupError):
        return territory_names("en")
    return {str(code): str(name) for code, name in found.items()}
