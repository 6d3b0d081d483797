"""Message catalogs: gettext ``.po`` files under ``locales/``, loaded with Babel.

Catalogs are read from their ``.po`` source and compiled in memory, so there is no build
step and no binary ``.mo`` file in the repository. Parsing a catalog costs ~40 ms: the
default language's is read at start-up, every other one the first time someone speaks
it, and each file once per process (:func:`_load` is shared by every :class:`Catalogs`). The current
locale is also kept in a ``ContextVar`` (as aiogram does), for code that formats text
outside a handler's :class:`~bot.core.context.Context`.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from bot.core.cldr import language_name as cldr_language_name

#: The gettext domain: ``locales/<lang>/LC_MESSAGES/copbot.po``.
DOMAIN = "copbot"
#: Where the catalogs live: the top-level ``locales/`` folder.
LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
#: The language message ids are written in.
SOURCE_LOCALE = "en"

current_locale: ContextVar[str] = ContextVar("current_locale", default=SOURCE_LOCALE)


def available_locales(directory: Path = LOCALES_DIR) -> tuple[str, ...]:
    """The languages that have a catalog, English first."""
    found = sorted(path.parent.parent.name for path in directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return tuple(sorted(found, key=lambda code: code != SOURCE_LOCALE))


class LocaleTranslator:
    """A :class:`~bot.core.i18n.Translator` for one locale."""

    __slots__ = ("_translations", "locale")

    def __init__(self, locale: str, translations: Translations) -> None:
        self.locale = locale
        self._translations = translations

    def gettext(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._translations.ngettext(singular, plural, n)


class Catalogs:
    """Every language's catalog, and the rules for choosing one.

    Args:
        directory: the ``locales`` folder.
        default: the language used when nothing better is known.
    """

    def __init__(self, directory: Path = LOCALES_DIR, default: str = SOURCE_LOCALE) -> None:
        self.directory = directory
        self.locales = available_locales(directory)
        if default not in self.locales:
            raise ValueError(f"no catalog for the default locale {default!r} in {directory}")
        self.default = default
        self._translators: dict[str, LocaleTranslator] = {}
        self.translator(default)  # a default catalog that cannot be read stops the start

    def translator(self, locale: str | None) -> LocaleTranslator:
        """The translator for ``locale``, or for the default locale if unsupported."""
        code = locale if locale in self.locales else self.default
        translator = self._translators.get(code)
        if translator is None:
            translator = self._translators[code] = LocaleTranslator(code, _load(self.directory, code))
        return translator

    def negotiate(self, requested: str | None) -> str | None:
        """The supported locale that best matches an IETF tag (``es-MX`` → ``es``)."""
        if not requested:
            return None
        tag = requested.strip().replace("_", "-").lower()
        if tag in self.locales:
            return tag
        language = tag.split("-", 1)[0]
        return language if language in self.locales else None

    def choose(self, stored: str | None, reported: str | None) -> str:
        """The locale to speak: the person's choice, else the platform's, else the default."""
        if stored in self.locales:
            return stored
        return self.negotiate(reported) or self.default


@cache
def _load(directory: Path, locale: str) -> Translations:
    with (directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


@cache
def language_name(code: str, *, capitalize: bool = False) -> str:
    """A language's name in that language: ``es`` → ``español`` (``Español`` capitalised).

    Names are lower case where the language writes them so mid-sentence; capitalise
    them for labels that stand alone, such as buttons.
    """
    name = cldr_language_name(code, code)
    return name[:1].upper() + name[1:] if capitalize else name
