"""The journal of interactive replies in flight (see :mod:`bot.reply_journal`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import OutgoingMessage
from storage import messages
from storage.models import PendingReply
from storage.statements import Prebuilt, insert_into

_TABLE = cast(Table, PendingReply.__table__)
_ADD = Prebuilt(
    insert_into(
        _TABLE,
        (
            "platform",
            "recipient_kind",
            "recipient_id",
            "thread_id",
            "payload",
            "idempotency_key",
            "created_at",
        ),
    )
)
#: Keys per DELETE: well under every database's limit on bound parameters.
_CHUNK = 500
_REMOVE = delete(_TABLE).where(_TABLE.c.idempotency_key.in_(bindparam("keys", expanding=True)))


@dataclass(frozen=True, slots=True)
class Pending:
    """A reply that was committed and may not have reached its platform."""

    message: OutgoingMessage
    created_at: datetime


class PendingReplies:
    """Adds, lists and removes journalled replies within one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, replies: Iterable[OutgoingMessage], now: datetime) -> None:
        """Journal ``replies``; each must carry its idempotency key and no attachment."""
        rows = []
        for reply in replies:
            if reply.idempotency_key is None:
                raise ValueError("a journalled reply needs an idempotency key")
            rows.append(
                {
                    **messages.recipient_columns(reply),
                    "payload": messages.encode(reply),
                    "idempotency_key": reply.idempotency_key,
                    "created_at": now,
                }
            )
        if rows:
            await _ADD.execute_many(self.session, rows)

    async def remove(self, keys: Collection[str]) -> int:
        """Forget the replies with these idempotency keys; returns how many were kept."""
        ordered = list(keys)
        removed = 0
        for start in range(0, len(ordered), _CHUNK):
            result = await self.session.execute(_REMOVE, {"keys": ordered[start : start + _CHUNK]})
            removed += int(getattr(result, "rowcount", 0))
        return removed

    async def of(self, platform: str) -> list[Pending]:
        """The journalled replies on ``platform``, in the order they were committed."""
        rows = await self.session.scalars(
            select(PendingReply).where(PendingReply.platform == platform).order_by(PendingReply.id)
        )
        return [Pending(messages.decode(row), row.created_at) for row in rows]
