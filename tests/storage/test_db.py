from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

from storage.db import Database
from storage.models import Base, made_by_models
from storage.sqlite import BLOCKING_BUSY_MS


async def test_migrations_build_exactly_the_models(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": made_by_models}
        )
        return list(compare_metadata(context, Base.metadata))

    async with db.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_schema_is_at_the_newest_revision(db: Database) -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert await db.current_revision() == head


async def test_upgrade_twice_is_harmless(db: Database) -> None:
    await db.upgrade()
    await db.upgrade()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'bot.db'}")
    try:
        await db.upgrade()
        async with db.transaction() as session:
            assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert (await session.execute(text("PRAGMA busy_timeout"))).scalar() == BLOCKING_BUSY_MS
            assert (await session.execute(text("PRAGMA synchronous"))).scalar() == 1  # NORMAL
    finally:
        await db.dispose()


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    from datetime import UTC, datetime

    from storage.state import StateStore

    now = datetime.now(UTC)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await StateStore(session).set("k", 1, now)
            raise RuntimeError("abort")
    async with db.transaction() as session:
        assert await StateStore(session).get("k") is None
