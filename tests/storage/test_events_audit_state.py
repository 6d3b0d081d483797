from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.audit import AuditLog
from storage.db import Database
from storage.events import ProcessedEvents
from storage.state import StateStore

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


async def test_an_event_is_claimed_once_per_platform(db: Database) -> None:
    async with db.transaction() as session:
        events = ProcessedEvents(session)
        assert await events.claim("telegram", "42", NOW)
        assert not await events.claim("telegram", "42", NOW)
        assert await events.claim("matrix", "42", NOW)
    async with db.transaction() as session:
        assert not await ProcessedEvents(session).claim("telegram", "42", NOW)


async def test_a_rolled_back_claim_can_be_claimed_again(db: Database) -> None:
    try:
        async with db.transaction() as session:
            await ProcessedEvents(session).claim("telegram", "7", NOW)
            raise RuntimeError
    except RuntimeError:
        pass
    async with db.transaction() as session:
        assert await ProcessedEvents(session).claim("telegram", "7", NOW)


async def test_old_claims_are_pruned(db: Database) -> None:
    async with db.transaction() as session:
        events = ProcessedEvents(session)
        await events.claim("console", "old", NOW - timedelta(days=30))
        await events.claim("console", "new", NOW)
        assert await events.prune(NOW - timedelta(days=14)) == 1
        assert await events.claim("console", "old", NOW)
        assert not await events.claim("console", "new", NOW)


async def test_audit_entries_are_kept_newest_first(db: Database) -> None:
    async with db.transaction() as session:
        audit = AuditLog(session)
        await audit.record(at=NOW, actor="console:mod", action="role.grant", target="console:amina")
        await audit.record(
            at=NOW + timedelta(minutes=1),
            actor="console:mod",
            action="application.reject",
            target="application:3",
            reason="incomplete <b>answers</b>",
            details={"answers": 3},
        )
    async with db.transaction() as session:
        audit = AuditLog(session)
        entries = await audit.recent()
        assert [e.action for e in entries] == ["application.reject", "role.grant"]
        assert entries[0].reason == "incomplete <b>answers</b>"
        assert entries[0].details == {"answers": 3}
        assert entries[0].at == NOW + timedelta(minutes=1)
        assert [e.action for e in await audit.recent(action="role.grant")] == ["role.grant"]
        assert await audit.count() == 2


async def test_state_values_round_trip(db: Database) -> None:
    async with db.transaction() as session:
        state = StateStore(session)
        assert await state.get("sync", "none") == "none"
        await state.set("sync", {"token": "s1"}, NOW)
        await state.set("sync", {"token": "s2"}, NOW)
    async with db.transaction() as session:
        assert await StateStore(session).get("sync") == {"token": "s2"}
