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


@pytest.mark.postgres
async def test_two_processes_starting_on_an_empty_postgresql_database_migrate_once(
    postgres_schema: str,  # skips when PostgreSQL is unreachable
) -> None:
    import asyncio
    import uuid

    from alembic.script import ScriptDirectory

    from storage.db import alembic_config
    from tests.conftest import POSTGRES_URL

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    admin = Database(POSTGRES_URL)
    try:
        for _ in range(5):
            schema = f"copbot_race_{uuid.uuid4().hex[:10]}"
            async with admin.engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            first, second = (
                Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
                for _ in range(2)
            )
            try:
                await asyncio.gather(first.upgrade(), second.upgrade())
                assert await first.current_revision() == head
                assert await second.current_revision() == head
            finally:
                await first.dispose()
                await second.dispose()
                async with admin.engine.begin() as connection:
                    await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        await admin.dispose()


async def test_two_processes_starting_on_an_empty_sqlite_file_migrate_once(tmp_path: Path) -> None:
    import asyncio

    url = f"sqlite+aiosqlite:///{tmp_path / 'race.db'}"
    first, second = Database(url), Database(url)
    try:
        await asyncio.gather(first.upgrade(), second.upgrade())
        assert await first.current_revision() == await second.current_revision() is not None
    finally:
        await first.dispose()
        await second.dispose()


def test_the_head_read_from_the_files_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, head_revision

    assert head_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


async def test_a_schema_behind_the_head_is_still_migrated(tmp_path: Path) -> None:
    from storage.db import head_revision

    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await db.upgrade("0020")
        assert await db.current_revision() == "0020"
        await db.upgrade()
        assert await db.current_revision() == head_revision()
    finally:
        await db.dispose()


def test_a_start_on_a_new_or_current_sqlite_schema_does_not_load_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    program = (
        "import asyncio, sys\n"
        "from storage.db import Database\n"
        "async def main():\n"
        f"    db = Database({url!r})\n"
        "    await db.upgrade()\n"
        "    await db.dispose()\n"
        "asyncio.run(main())\n"
        "print('alembic' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parents[2]
    first = subprocess.run(
        [sys.executable, "-c", program], cwd=root, capture_output=True, text=True, check=True
    )
    again = subprocess.run(
        [sys.executable, "-c", program], cwd=root, capture_output=True, text=True, check=True
    )
    assert first.stdout.strip() == "False"  # a new database: built from the schema snapshot
    assert again.stdout.strip() == "False"  # at head: recognised without Alembic
