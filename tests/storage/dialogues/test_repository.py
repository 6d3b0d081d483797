"""The dialogue repository on both backends: claims, concurrent claims, replies while open."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.dialogues.calendar import closes_at, opens_at
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.threads import PromptThreads, ThreadOf
from storage.models import Prompt

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


async def dialogue_with_prompt(db: Database, status: str = "open") -> tuple[int, int]:
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        dialogue = await repo.create(
            title={"en": "T"},
            start=date(2026, 9, 22),
            end=date(2026, 10, 17),
            timezone="UTC",
            now=NOW,
            status=status,
        )
        prompt = await repo.add_prompt(dialogue.id, {"en": "Q"}, NOW)
        return dialogue.id, prompt.id


async def test_a_post_is_claimed_once_even_by_concurrent_transactions(db: Database) -> None:
    _, prompt_id = await dialogue_with_prompt(db)

    async def claim() -> bool:
        async with db.transaction() as session:
            won = await DialogueRepository(session).claim_post(prompt_id, "console", "community", NOW)
            await asyncio.sleep(0.05)  # hold the transaction open while the others try
            return won

    assert sorted(await asyncio.gather(*(claim() for _ in range(5)))) == [False] * 4 + [True]
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        assert await repo.claim_post(prompt_id, "console", "elsewhere", NOW)  # another chat is another place
        await repo.record_post(prompt_id, "console", "community", "7", "42", NOW)
        assert await repo.thread_of("console", "community", "7") is not None
        assert await repo.thread_of("console", "community", "8") is None


async def test_a_transition_happens_once(db: Database) -> None:
    dialogue_id, _ = await dialogue_with_prompt(db, status="scheduled")

    async def open_it() -> bool:
        async with db.transaction() as session:
            return await DialogueRepository(session).transition(dialogue_id, "scheduled", "open")

    assert sorted(await asyncio.gather(*(open_it() for _ in range(3)))) == [False, False, True]


async def test_replies_are_stored_only_while_the_dialogue_is_open(db: Database) -> None:
    dialogue_id, prompt_id = await dialogue_with_prompt(db)
    reply = {"prompt_id": prompt_id, "person_id": None, "platform": "console", "chat_id": "community"}
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        assert await repo.save_reply(**reply, message_id="1", text="yes", now=NOW, while_open=dialogue_id)
        assert await repo.transition(dialogue_id, "open", "closed")
        assert not await repo.save_reply(
            **reply, message_id="2", text="late", now=NOW, while_open=dialogue_id
        )
        assert not await repo.save_reply(
            **reply, message_id="1", text="edited late", now=NOW, edited=True, while_open=dialogue_id
        )
        assert await repo.digest(dialogue_id) == (1, 0, [])
        assert [r.text for r in (await repo.replies([prompt_id]))[prompt_id]] == ["yes"]


def test_dates_are_whole_days_in_the_dialogues_zone() -> None:
    from storage.models import Dialogue

    dialogue = Dialogue(start_date=date(2026, 10, 20), end_date=date(2026, 10, 30), timezone="Europe/Zurich")
    assert opens_at(dialogue) == datetime(2026, 10, 19, 22, 0, tzinfo=UTC)  # summer time
    assert closes_at(dialogue) == datetime(2026, 10, 30, 23, 0, tzinfo=UTC)  # winter time


def test_the_thread_cache_keeps_the_newest_entries() -> None:
    cache = PromptThreads(max_size=1)
    cache.put(("console", "community", "1"), ThreadOf(1, 1))
    cache.put(("console", "community", "2"), ThreadOf(2, 1))
    assert cache.get(("console", "community", "1")) is None
    assert cache.get(("console", "community", "2")) == ThreadOf(2, 1)


async def test_a_dialogue_has_one_prompt_per_number(db: Database) -> None:
    dialogue_id, prompt_id = await dialogue_with_prompt(db)
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            session.add(Prompt(dialogue_id=dialogue_id, position=1, text={"en": "Again"}, post_at=NOW))
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        second = await repo.add_prompt(dialogue_id, {"en": "Next"}, NOW)
        assert second.position == 2
        assert (await repo.prompt_at(dialogue_id, 1)).id == prompt_id  # type: ignore[union-attr]


async def test_the_migration_moves_a_shared_number_after_the_last_prompt(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    try:
        await db.upgrade("0013")
        async with db.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO dialogues (id, title, description, start_date, end_date, timezone, status,"
                    " created_at) VALUES (1, '{}', '{}', '2026-09-22', '2026-10-17', 'UTC', 'open',"
                    " '2026-09-01 00:00:00.000000')"
                )
            )
            for prompt_id, position in ((1, 1), (2, 2), (3, 1), (4, 3)):
                await connection.execute(
                    text(
                        "INSERT INTO prompts (id, dialogue_id, position, text, post_at)"
                        " VALUES (:id, 1, :position, '{}', '2026-09-22 09:00:00.000000')"
                    ),
                    {"id": prompt_id, "position": position},
                )
        await db.upgrade()
        async with db.engine.connect() as connection:
            rows = (await connection.execute(text("SELECT id, position FROM prompts ORDER BY id"))).all()
        assert [tuple(row) for row in rows] == [(1, 1), (2, 2), (3, 4), (4, 3)]
    finally:
        await db.dispose()
