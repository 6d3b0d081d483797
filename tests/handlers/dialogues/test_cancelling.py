"""/dialogue_cancel asks first; cancelling tells the members in each thread, on both backends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.core.types import Role
from storage.db import Database
from storage.models import AuditEntry, Dialogue
from tests.fakes import FakeClock, Harness
from tests.handlers.dialogues.test_commands import make_member, plan, post_due

QUESTION = [
    "[admin] Cancel dialogue 1 Current Situation? Nothing more of it will be posted, and its threads will be closed with a note to the members in them.",
    "[#1] Cancel the dialogue",
    "[#2] Keep it",
]
NOTICE = "The moderators have cancelled the virtual dialogue Current Situation; this thread is now closed. Thank you to everyone who took part."


async def status(db: Database) -> str:
    async with db.transaction() as session:
        return str(await session.scalar(select(Dialogue.status).where(Dialogue.id == 1)))


async def cancellations(db: Database) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "dialogue.cancel")
            )
            or 0
        )


async def test_cancelling_asks_then_notes_it_in_every_thread(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 First", "2026-09-22 10:00 Second", "2026-10-01 10:00 Later")
    harness.clock.advance(timedelta(hours=1))
    await post_due(harness)
    assert await harness.say("/dialogue_cancel 1", as_="admin") == QUESTION
    assert await status(harness.bot.db) == "open"  # nothing happens before the press
    assert await harness.say("#1", as_="admin") == [
        "[admin] Dialogue 1 is cancelled; nothing more of it will be posted.",
        f"[community/1] {NOTICE}",
        f"[community/2] {NOTICE}",
        "[community/1] (thread closed)",
        "[community/2] (thread closed)",
    ]
    assert await status(harness.bot.db) == "cancelled"
    assert await cancellations(harness.bot.db) == 1
    assert await harness.say("#1", as_="admin") == [
        "[admin] This question has already been answered, or is no longer valid; nothing more was done."
    ]
    harness.clock.advance(timedelta(days=10))
    assert await post_due(harness) == []


async def test_keep_it_changes_nothing(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 First")
    await harness.say("/dialogue_cancel 1", as_="admin")
    assert await harness.say("#2", as_="admin") == ["[admin] Dialogue 1 is kept as it is."]
    assert await status(harness.bot.db) == "open"
    assert await cancellations(harness.bot.db) == 0


async def test_only_the_moderator_who_asked_cancels(harness: Harness) -> None:
    await make_member(harness, "mod", role=Role.MODERATOR)
    await plan(harness, "2026-09-22 09:00 First")
    await harness.say("/dialogue_cancel 1", as_="admin")
    cancel, _keep = harness.payloads()
    assert await harness.press(cancel, as_="mod", chat="moderators") == [
        "[moderators] Only admin, who asked, can answer this question; nothing was done."
    ]
    assert await status(harness.bot.db) == "open"


async def test_a_cancellation_confirmed_after_a_restart(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    first = await Harness.start(db, tmp_path, clock=clock)
    await plan(first, "2026-09-22 09:00 First")
    await first.say("/dialogue_cancel 1", as_="admin")
    cancel, _keep = first.payloads()
    await first.stop()
    second = await Harness.start(
        Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args),
        tmp_path,
        clock=clock,
    )
    try:
        lines = await second.press(cancel, as_="admin")
        assert lines[0] == "[admin] Dialogue 1 is cancelled; nothing more of it will be posted."
        assert f"[community/1] {NOTICE}" in lines
        assert await status(db) == "cancelled"
    finally:
        await second.stop()


async def test_an_expired_question_cancels_nothing(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 First")
    await harness.say("/dialogue_cancel 1", as_="admin")
    harness.clock.advance(timedelta(minutes=61))
    assert (await harness.say("#1", as_="admin"))[0].startswith(
        "[admin] This question expired after 60 minutes"
    )
    assert await status(harness.bot.db) == "open"
