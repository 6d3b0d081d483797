"""A dialogue's days in its own time zone, as moments in UTC.

A dialogue runs from midnight at the start of its first day to midnight at the end of its
last, where it is held: the bot compares those moments with the clock, which is in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.models import Dialogue


def day_start(day: date, zone: str) -> datetime:
    """Midnight at the start of ``day`` in ``zone``, in UTC."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def opens_at(dialogue: Dialogue) -> datetime:
    """The start of the dialogue's first day, in UTC."""
    return day_start(dialogue.start_date, dialogue.timezone)


def closes_at(dialogue: Dialogue) -> datetime:
    """The end of the dialogue's last day, in UTC."""
    return day_start(dialogue.end_date + timedelta(days=1), dialogue.timezone)
