"""The translation port handlers see, and the marker for deferred translation.

The catalogs themselves are loaded by :mod:`bot.catalogs`; the core only needs something
that translates for one locale.
"""

from __future__ import annotations

from typing import Protocol


class Translator(Protocol):
    """Translates message ids into one locale."""

    @property
    def locale(self) -> str: ...

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now.

    Used for message ids stored in data (command descriptions, role names) and
    translated when shown.
    """
    return message
