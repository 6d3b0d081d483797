"""The inline SQLite connection: waiting for another process's lock never freezes the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import sqlite as inline
from storage.db import Database
from storage.state import StateStore

NOW = datetime(2026, 9, 22, tzinfo=UTC)


@pytest.fixture
async def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Database:
    path = tmp_path / "bot.db"
    path.write_bytes(sqlite_template.read_bytes())
    database = Database(f"sqlite+aiosqlite:///{path}")
    yield database  # type: ignore[misc]
    await database.dispose()


async def test_waiting_for_another_writer_keeps_the_loop_running(sqlite_db: Database) -> None:
    other = sqlite3.connect(str(sqlite_db.url.database), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.005)

    async def release_later() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    ticking = asyncio.ensure_future(ticker())
    releasing = asyncio.ensure_future(release_later())
    started = time.monotonic()
    async with sqlite_db.transaction() as session:
        await StateStore(session).set("k", "v", NOW)
    waited = time.monotonic() - started
    ticking.cancel()
    await releasing
    other.close()
    assert waited >= 0.25
    assert ticks >= 20, "the loop was blocked while waiting for the lock"
    async with sqlite_db.transaction() as session:
        assert await StateStore(session).get("k") == "v"


async def test_a_lock_held_too_long_fails_with_database_locked(
    sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inline, "BEGIN_TIMEOUT", 0.1)
    other = sqlite3.connect(str(sqlite_db.url.database), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="locked"):
            async with sqlite_db.transaction() as session:
                await StateStore(session).set("k", "v", NOW)
    finally:
        other.execute("ROLLBACK")
        other.close()


async def test_rows_and_counts_come_back(sqlite_db: Database) -> None:
    from sqlalchemy import text

    async with sqlite_db.transaction() as session:
        await session.execute(text("CREATE TEMP TABLE t (n INTEGER)"))
        result = await session.execute(text("INSERT INTO t VALUES (1), (2), (3)"))
        assert getattr(result, "rowcount", None) == 3
        assert (await session.execute(text("SELECT sum(n) FROM t"))).scalar() == 6
        rows = (await session.execute(text("SELECT n FROM t ORDER BY n"))).all()
        assert [row.n for row in rows] == [1, 2, 3]
