"""A person's id is never given twice: SQLite's ``people`` is rebuilt with AUTOINCREMENT (0018)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text

from bot.core.types import Role, UserRef
from storage.audit import AuditLog
from storage.db import Database, _run_alembic
from storage.members.privacy import PersonalData
from storage.models import AuditEntry, Identity, RoleGrant
from storage.users import UserRepository

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


async def _newcomer(db: Database, name: str) -> int:
    async with db.transaction() as session:
        return (await UserRepository(session).resolve(UserRef("console", name, name), NOW)).person_id


async def test_rebuilding_people_keeps_every_row_that_refers_to_them(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await db.upgrade("0018")
        async with db.transaction() as session:
            users = UserRepository(session)
            for name in ("a", "b", "c"):
                person = (await users.resolve(UserRef("console", name, name), NOW)).person_id
                await users.grant(person, Role.MEMBER, NOW)
                await AuditLog(session).record(
                    at=NOW, actor=f"console:{name}", actor_person_id=person, action="test"
                )
        await db.upgrade()
        async with db.transaction() as session:
            assert await session.scalar(select(func.count()).select_from(Identity)) == 3
            assert await session.scalar(select(func.count()).select_from(RoleGrant)) == 3
            assert list(
                await session.scalars(select(AuditEntry.actor_person_id).order_by(AuditEntry.id))
            ) == [
                1,
                2,
                3,
            ]
            schema = await session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'people'"))
            assert "AUTOINCREMENT" in str(schema)
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
            assert await PersonalData(session).forget(3, NOW) is not None
        assert await _newcomer(db, "d") == 4
        # and back: the plain table again, still with every row
        async with db.engine.begin() as connection:
            await connection.run_sync(_run_alembic, "downgrade", "0018")
        async with db.transaction() as session:
            schema = await session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'people'"))
            assert "AUTOINCREMENT" not in str(schema)
            assert await session.scalar(select(func.count()).select_from(Identity)) == 3
            assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await db.dispose()


async def test_a_forgotten_persons_id_is_never_given_again(db: Database) -> None:
    """People 1, 2, 3; 3 is forgotten; the next newcomer is 4, not 3 again (on both databases)."""
    assert [await _newcomer(db, name) for name in ("a", "b", "c")] == [1, 2, 3]
    async with db.transaction() as session:
        assert await PersonalData(session).forget(3, NOW) is not None
    assert await _newcomer(db, "d") == 4
