"""Processed events: the ledger that makes every platform event take effect once."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete

from storage.models import ProcessedEvent
from storage.repository import SessionRepository
from storage.statements import Prebuilt, insert_ignoring

_CLAIM = Prebuilt(
    insert_ignoring(cast(Table, ProcessedEvent.__table__), ("platform", "event_id", "processed_at"))
)


class ProcessedEvents(SessionRepository):
    """Claims event ids inside the unit of work that handles them.

    The claim is written in the same transaction as the handler's effects: if the
    handler's work commits, so does the claim, and a redelivered event is skipped;
    if it rolls back, the event can be handled again.
    """

    async def claim(self, platform: str, event_id: str, now: datetime) -> bool:
        """Record the event; ``False`` if it was recorded before (a redelivery)."""
        parameters = {"platform": platform, "event_id": event_id, "processed_at": now}
        return bool(await _CLAIM.execute(self.session, parameters))

    async def prune(self, before: datetime) -> int:
        """Forget events processed before ``before``; returns how many."""
        result = await self.session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.processed_at < before)
        )
        return int(getattr(result, "rowcount", 0))
