"""CLDR's data for a language, without keeping Babel's whole locale in memory.

``Locale("ar").territories`` loads all of Babel's data for Arabic (number and date
formats, language and currency names, ...) and Babel keeps it for the life of the
process: ~1.5 MiB a language (2-4 MiB for English, whose date and number formats every
other locale's data leaves out). Resolving a typed country needs the territory names in
all six languages, and every message asks whether its reader's language is written right
to left, while only a reply with a date or a number needs the rest, in one or two
languages. For a plain language code (``ar``, ``zh``) the one part asked for is read from
Babel's data file and the rest of it is dropped; anything else (``pt_BR``) goes through
:class:`babel.Locale`.
"""

from __future__ import annotations

import pickle
from functools import cache
from typing import Any

from babel import Locale, UnknownLocaleError, localedata


def plain_locale_parts(locale: str, key: str) -> list[Any] | None:
    """``key`` of CLDR's data for the plain language ``locale``: root's, then the language's own.

    Returns:
        The values found (an empty list if neither file has ``key``); ``None`` when
        ``locale`` is not a plain language code Babel knows (ask :class:`babel.Locale`).
    """
    if not (locale.isalpha() and localedata.exists(locale)):  # a plain language inherits from root only
        return None
    parts = []
    for name in ("root", locale):
        with open(localedata.resolve_locale_filename(name), "rb") as file:
            data = pickle.load(file)
        if key in data:
            parts.append(data[key])
    return parts


@cache
def _names(locale: str, key: str) -> dict[str, str] | None:
    """The names ``key`` holds (``territories``, ``languages``) in the plain language ``locale``.

    Root's names, overridden by the language's own; ``None`` as for :func:`plain_locale_parts`.
    """
    parts = plain_locale_parts(locale, key)
    if parts is None:
        return None
    names: dict[str, str] = {}
    for part in parts:
        names.update(part)
    return names


@cache
def territory_names(locale: str) -> dict[str, str]:
    """The names of territories (``KE``, ``019``) in ``locale``; English's if it is unknown."""
    names = _names(locale, "territories")
    if names is not None:
        return names
    try:
        found = Locale.parse(locale).territories
    except (UnknownLocaleError, ValueError, LookupError):
        return territory_names("en")
    return {str(code): str(name) for code, name in found.items()}


@cache
def is_rtl(locale: str) -> bool:
    """Whether ``locale``'s script is written right to left (Arabic, Hebrew, Persian…)."""
    locale = locale.replace("-", "_")
    parts = plain_locale_parts(locale, "character_order")
    if parts:
        return bool(parts[-1] == "right-to-left")
    try:
        return Locale.parse(locale).text_direction == "rtl"
    except (ValueError, UnknownLocaleError):
        return False


def language_name(code: str, reader: str) -> str:
    """Language ``code``'s name in the ``reader``'s language (``es`` read in English: ``Spanish``).

    As :meth:`babel.Locale.get_display_name` names it (``English (United Kingdom)`` for
    ``en_GB``); ``code`` itself when neither knows it.
    """
    names = _names(reader, "languages") if code.isalpha() else None
    if names is not None and code in names:
        return names[code]
    try:
        return Locale.parse(code).get_display_name(reader) or code
    except (ValueError, UnknownLocaleError):
        return code
