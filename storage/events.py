"""Processed events: the ledger that makes every platform event take effect once."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter

from storage.models import ProcessedEvent

# Built once: the claim runs for every event, and a prepared statement skips
# SQLAlchemy's per-call statement construction and cache-key work.
_VALUES: dict[str, BindParameter[Any]] = {
    "platform": bindparam("platform"),
    "event_id": bindparam("event_id"),
    "processed_at": bindparam("processed_at"),
}
# On the Table, not the mapped class: an ORM insert given a parameter dict becomes a
# bulk insert, which reports no row count.
_TABLE = cast(Table, ProcessedEvent.__table__)
_CLAIM = {
    "postgresql": postgresql.insert(_TABLE).values(_VALUES).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(_TABLE).values(_VALUES).on_conflict_do_nothing(),
}


class ProcessedEvents:
    """Claims event ids inside the unit of work that handles them.

    The claim is written in the same transaction as the handler's effects: if the
    handler's work commits, so does the claim, and a redelivered event is skipped;
    if it rolls back, the event can be handled again.
    """

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event; ``False`` if it was recorded before (a redelivery)."""
        statement = _CLAIM[self.session.get_bind().dialect.name]
        result = await self.session.execute(
            statement, {"platform": platform, "event_id": event_id, "processed_at": now}
        )
        return bool(getattr(result, "rowcount", 0))

    async def prune(self, before: datetime) -> int:
        """Forget events processed before ``before``; returns how many."""
        result = await self.session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.processed_at < before)
        )
        return int(getattr(result, "rowcount", 0))
