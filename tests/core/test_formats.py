"""Dates, times, numbers and lists written by Babel for the reader's locale."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.formats import Formats, list_separator

MOMENT = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


def test_a_day_reads_as_the_language_writes_it() -> None:
    day = date(2026, 9, 22)
    assert Formats("en").date(day) == "Sep 22, 2026"
    assert Formats("fr").date(day) == "22 sept. 2026"
    assert Formats("es").date(day) == "22 sept 2026"
    assert Formats("zh").date(day) == "2026年9月22日"


def test_a_moment_is_shown_to_the_minute_in_the_zone_asked_for() -> None:
    assert Formats("en").datetime(MOMENT) == "Sep 22, 2026, 9:00\u202fAM"
    assert Formats("fr").datetime(MOMENT, "Europe/Paris") == "22 sept. 2026, 11:00"
    assert Formats("en").datetime(MOMENT.replace(tzinfo=None), "Asia/Tokyo") == "Sep 22, 2026, 6:00\u202fPM"


def test_numbers_and_lists() -> None:
    assert Formats("en").number(1234.5) == "1,234.5"
    assert Formats("fr").number(1234.5) == "1\u202f234,5"
    assert Formats("es").and_list(["Amina", "Bea", "Carla"]) == "Amina, Bea y Carla"
    assert Formats("fr").and_list(["Amina", "Bea"]) == "Amina et Bea"


def test_values_for_a_sentence_format_dates_but_leave_ids_alone() -> None:
    formats = Formats("en")
    assert formats.value(date(2026, 9, 22)) == "Sep 22, 2026"
    assert formats.value(MOMENT) == "Sep 22, 2026, 9:00\u202fAM"
    assert formats.value(1234) == 1234  # an id people type back: no thousands separator
    assert formats.value("2026-09-22") == "2026-09-22"  # what someone typed stays as typed


def test_right_to_left_locales() -> None:
    assert Formats("ar").rtl
    assert not Formats("fr").rtl


@pytest.mark.parametrize(
    ("locale", "joined"), [("en", "A, B"), ("fr", "A, B"), ("ar", "A، B"), ("zh", "A、B")]
)
def test_plain_lists_use_each_script_s_own_separator(locale: str, joined: str) -> None:
    assert list_separator(locale).join(["A", "B"]) == joined
