"""The dialogue scheduler: a prompt due while the bot was down, a prompt across a DST change.

The console bot runs in process (:class:`Harness`) on each backend with a fake clock;
the dialogue job runs as its timer would (``post_due``). Each prompt's posts are counted
in ``prompt_posts`` (its unique key is the claim that makes a post happen once).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.db import Database
from storage.models import PromptPost
from tests.fakes import FakeClock, Harness
from tests.handlers.dialogues.test_commands import plan, post_due
from tests.reliability.conftest import MODE, Figures

ZURICH = ZoneInfo("Europe/Zurich")
#: Zurich leaves summer time on Sunday 25 October 2026 (03:00 becomes 02:00).
DST_DAYS = {
    "short": [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)],
    "full": [date(2026, 10, 20) + timedelta(days=n) for n in range(11)],
}[MODE]


def reopen(db: Database) -> Database:
    """A second engine on the same database, as a restarted process has."""
    return Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)


async def posts(db: Database) -> list[tuple[int, datetime | None]]:
    """``(prompt id, posted at)`` for every post made."""
    async with db.transaction() as session:
        rows = await session.execute(select(PromptPost.prompt_id, PromptPost.posted_at))
        return [(prompt, posted) for prompt, posted in rows]


def minutes(later: datetime, earlier: datetime) -> float:
    return round((later.replace(tzinfo=UTC) - earlier.replace(tzinfo=UTC)).total_seconds() / 60, 1)


async def test_a_prompt_due_while_the_bot_was_down(db: Database, tmp_path: Path, figures: Figures) -> None:
    """Planned, bot stopped, the due time passes, the bot restarts (twice): posted once."""
    figures.scenario, figures.database = "scheduler misfire (prompt due while down)", db.dialect
    first = await Harness.start(db, tmp_path)
    await plan(first, "2026-09-23 09:00 While the bot was down")
    assert await post_due(first) == []
    await first.stop()
    clock = first.clock
    clock.advance(timedelta(days=1, hours=2, minutes=30))  # down on 2026-09-23 at 09:00
    restarted_at = clock.now()
    lines: list[str] = []
    databases = []
    for _ in range(2):  # a second restart must not post it again
        databases.append(again := reopen(db))
        harness = await Harness.start(again, tmp_path, clock=clock)
        try:
            lines += harness.console.take()
            lines += await post_due(harness)
            clock.advance(timedelta(minutes=5))
            lines += await post_due(harness)
        finally:
            await harness.stop()
    made = await posts(databases[0])
    for database in databases:
        await database.dispose()
    figures["posted"] = sum(1 for line in lines if "(new thread)" in line)
    figures["duplicates"] = len(made) - len({prompt for prompt, _ in made})
    posted_at = made[0][1] if made else None
    figures["minutes late (after the restart)"] = (
        minutes(posted_at, restarted_at) if posted_at is not None else None
    )
    assert figures["posted"] == 1
    assert len(made) == 1
    assert figures["duplicates"] == 0
    assert figures["minutes late (after the restart)"] == 0


def ticks(day: date) -> list[datetime]:
    """The minutes around 07:00 and 08:00 UTC of ``day``: 09:00 in Zurich in summer and
    in winter time, so a post at the wrong offset is seen too."""
    return [
        datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC) + timedelta(minutes=shift)
        for hour in (7, 8)
        for shift in range(-2, 3)
    ]


async def test_a_prompt_at_nine_across_the_dst_change(db: Database, tmp_path: Path, figures: Figures) -> None:
    """A prompt at 09:00 Europe/Zurich on each day around the end of summer time posts at
    09:00 local time (07:00 UTC before, 08:00 UTC after), once."""
    figures.scenario, figures.database = "scheduler at 09:00 Zurich across DST", db.dialect
    clock = FakeClock(datetime(DST_DAYS[0].year, 10, 1, 9, 0, tzinfo=UTC))
    harness = await Harness.start(db, tmp_path, clock=clock, timezone="Europe/Zurich")
    late: list[float] = []
    posted: Counter[str] = Counter()
    try:
        first, last = DST_DAYS[0], DST_DAYS[-1]
        lines = await harness.say(f'/dialogue_new "Autumn" {first} {last}', as_="admin")
        assert "planned" in lines[0], lines
        for number, day in enumerate(DST_DAYS, start=1):
            answer = await harness.say(f"/prompt_add 1 {day} 09:00 Day {number}", as_="admin")
            assert answer[0].startswith(f"[admin] Prompt 1.{number} will be posted"), answer
        for number, day in enumerate(DST_DAYS, start=1):
            due = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZURICH).astimezone(UTC)
            for moment in ticks(day):
                clock.current = moment
                for line in await post_due(harness):
                    if "(new thread)" in line:
                        posted[line] += 1
                        late.append(minutes(moment, due))
                        assert f"prompt 1.{number}" in line, (moment, line)
        made = await posts(db)
    finally:
        await harness.stop()
    figures["prompts"] = len(DST_DAYS)
    figures["posted"] = sum(posted.values())
    figures["duplicates"] = len(made) - len({prompt for prompt, _ in made})
    figures["max minutes late"] = max((abs(value) for value in late), default=None)
    assert figures["posted"] == len(DST_DAYS) == len(made)
    assert figures["duplicates"] == 0
    assert late == [0.0] * len(DST_DAYS)
