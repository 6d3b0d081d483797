"""Dates and times typed by moderators in the dialogue commands.

A time is typed in the dialogue's time zone (the bot's ``timezone`` setting) as
``YYYY-MM-DD HH:MM``, as two words or quoted, and stored in UTC; ``now`` asks for a prompt
to be posted at once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.core.text import code
from bot.services import Ctx
from handlers.dialogues.posting import usage_error
from storage.dialogues.calendar import closes_at, opens_at
from storage.models import Dialogue

#: Opening quote -> its closing quote, as moderators type them on phones and keyboards.
QUOTES = {'"': '"', "'": "'", "“": "”", "«": "»"}


def looks_like_date(text: str) -> bool:
    """Whether ``text`` has the shape of ``YYYY-MM-DD`` (checked further by the parsers)."""
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def date_typed(text: str) -> date:
    """The ``YYYY-MM-DD`` date a moderator typed, or a localized refusal."""
    try:
        return date.fromisoformat(text) if looks_like_date(text) else _bad_date(text)
    except ValueError:
        return _bad_date(text)


def _bad_date(text: str) -> date:
    raise UserFacingError(N_("{text} is not a date like 2026-09-22."), text=text)


def time_and_text(ctx: Ctx, rest: str) -> tuple[str | None, str]:
    """Split ``/prompt_add``'s arguments after the dialogue into its time and its text.

    The time is ``now`` (``None`` is returned), a quoted ``"YYYY-MM-DD HH:MM"`` or the
    same as two words.
    """
    quote = QUOTES.get(rest[:1])
    if quote is not None:
        end = rest.find(quote, 1)
        when, text = (rest[1:end], rest[end + 1 :]) if end > 0 else ("", "")
    else:
        words = rest.split(None, 1)
        if words and words[0].lower() == "now":
            when, text = None, words[1] if len(words) > 1 else ""
        else:
            words = rest.split(None, 2)
            when, text = (" ".join(words[:2]), words[2]) if len(words) == 3 else ("", "")
    if not text.strip():
        raise usage_error(ctx)
    return (when.strip() if when is not None else None), text.strip()


def now_in(dialogue: Dialogue, now: datetime) -> datetime:
    """``now`` as a prompt's time: only while the dialogue is open, so it is posted at once."""
    if dialogue.status != "open" or not opens_at(dialogue) <= now < closes_at(dialogue):
        raise UserFacingError(
            N_(
                "Dialogue {id} is not open now, so a prompt cannot be posted at once; give its date and time."
            ),
            id=dialogue.id,
        )
    return now


def post_time(dialogue: Dialogue, text: str, now: datetime) -> datetime:
    """A moderator's local date and time in the dialogue's zone, checked and in UTC.

    A time already passed is refused: the prompt would be posted at once, late, which
    a moderator asks for by writing ``now`` instead.
    """
    typed = None
    for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):  # seconds are optional
        try:
            typed = datetime.strptime(" ".join(text.split()), layout)
            break
        except ValueError:
            continue
    if typed is None:
        raise UserFacingError(N_("{text} is not a date and time like 2026-09-22 09:00."), text=text)
    zone = ZoneInfo(dialogue.timezone)
    moment = typed.replace(tzinfo=zone).astimezone(UTC)
    if moment.astimezone(zone).replace(tzinfo=None) != typed:  # a time skipped by a DST change
        raise UserFacingError(
            N_("{text} does not exist in {zone} (the clocks change)."), text=text, zone=dialogue.timezone
        )
    if not opens_at(dialogue) <= moment < closes_at(dialogue):
        raise UserFacingError(
            N_("{when} is outside the dialogue's dates ({start} to {end})."),
            when=text,
            start=dialogue.start_date,
            end=dialogue.end_date,
        )
    if moment < now:
        raise UserFacingError(
            N_(
                "{when} ({zone}) has already passed. To post the prompt at once, write {now} instead of the date."
            ),
            when=text,
            zone=dialogue.timezone,
            now=code("now"),
        )
    return moment
