"""Dates, times, numbers and lists written the way the reader's language writes them.

Everything shown for reading goes through Babel (CLDR) for the reader's locale: an
English reader sees ``Sep 22, 2026``, a French one ``22 sept. 2026``. What people are
meant to *type* (``/prompt_add 2 2026-10-01 10:00``) stays in ISO form and is not
formatted here.

The module also knows which languages are written right to left, so that
:func:`bot.core.text.fill` can isolate the values it inserts into their sentences.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from babel.lists import format_list
from babel.numbers import format_decimal

from bot.core.cldr import is_rtl

#: How a language separates the items of a plain list ("A, B, C"), where it is not ", ".
LIST_SEPARATORS = {"ar": "، ", "fa": "، ", "ur": "، ", "zh": "、", "ja": "、"}


def list_separator(locale: str) -> str:
    """The separator of a plain list in ``locale``'s writing: ``، `` in Arabic, ``、`` in Chinese."""
    return LIST_SEPARATORS.get(locale.replace("-", "_").split("_")[0], ", ")


@dataclass(frozen=True, slots=True)
class Formats:
    """Formats values for one reader's locale.

    Attributes:
        locale: the reader's language, as the catalogs name it (``en``, ``fr``, ``ar``).
    """

    locale: str

    @property
    def rtl(self) -> bool:
        """Whether the reader's language is written right to left."""
        return is_rtl(self.locale)

    def date(self, day: date) -> str:
        """A day, medium length: ``Sep 22, 2026``, ``22 sept. 2026``."""
        return format_date(day, format="medium", locale=self.locale)

    def datetime(self, moment: datetime, zone: str | tzinfo | None = None) -> str:
        """A moment to the minute, in ``zone`` (else the moment's own zone).

        A naive moment is taken as UTC, as the database stores them.

        ``Sep 22, 2026, 9:00 AM`` in English, ``22 sept. 2026, 09:00`` in French: the
        locale's medium date and short time, joined by its own pattern.
        """
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if zone is not None:
            moment = moment.astimezone(ZoneInfo(zone) if isinstance(zone, str) else zone)
        pattern = str(get_datetime_format("medium", locale=self.locale))
        time = format_time(moment, format="short", tzinfo=moment.tzinfo, locale=self.locale)
        return pattern.replace("{1}", self.date(moment.date())).replace("{0}", time)

    def number(self, value: int | float | Decimal) -> str:
        """A number with the locale's digits grouping and decimal sign: ``1,234.5``."""
        return format_decimal(value, locale=self.locale)

    def and_list(self, items: Iterable[str]) -> str:
        """``a, b and c`` in the reader's language (``a, b et c``)."""
        return format_list(list(items), locale=self.locale)

    def value(self, value: object) -> object:
        """A value to insert in a sentence: dates and times formatted, the rest as is.

        Numbers are left alone on purpose: ids and counts that people type back
        (``/approve 1234``) must not gain a thousands separator; format those meant
        for reading with :meth:`number`.
        """
        if isinstance(value, datetime):
            return self.datetime(value)
        if isinstance(value, date):
            return self.date(value)
        return value
