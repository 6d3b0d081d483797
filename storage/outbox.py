"""The durable outbox: every message for many recipients is a row until it is delivered.

Rows are written in the unit of work that decided to send them, one per recipient,
then delivered by :class:`bot.outbox.OutboxSender`. A row is marked sent only after the
platform confirmed it, so after a crash delivery resumes where it stopped: the few rows
that were in flight may be sent twice, no row is skipped.

Messages to users are addressed by ``UserRef`` (direct messages); messages addressed to
a ``ChatRef`` are group posts, paced by the platform's per-group limit.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.text import Text
from bot.core.types import ChatRef, MessageRef, OutgoingMessage, Recipient, UserRef
from storage import messages
from storage.models import Broadcast, OutboxMessage, UnreachableRecipient
from storage.outbox_files import OutboxFiles
from storage.repository import SessionRepository

PENDING, SENT, UNREACHABLE, FAILED = "pending", "sent", "unreachable", "failed"
#: A row withdrawn before it was sent (a relayed message whose original was deleted).
CANCELLED = "cancelled"
#: ``report_thread`` of a broadcast whose report goes to a person by direct message (a
#: moderator who asked in a chat members read): no thread id is empty, and once the
#: first report is sent, :meth:`Outbox.set_report` stores the direct chat it went to.
_TO_PERSON = ""
# A Core insert of many dicts is one executemany; the ORM would build an object per row.
_TABLE = cast(Table, OutboxMessage.__table__)


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a broadcast stands."""

    total: int
    sent: int
    unreachable: int
    failed: int

    @property
    def pending(self) -> int:
        return self.total - self.sent - self.unreachable - self.failed

    @property
    def done(self) -> bool:
        return self.pending == 0


class Outbox(SessionRepository):
    """Writes and reads outbox rows within one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session)
        #: Rows added through this repository (the sender is woken when it commits).
        self.added = 0

    @property
    def files(self) -> OutboxFiles:
        """The files rows carry (relayed photos and documents)."""
        return OutboxFiles(self.session)

    async def start_broadcast(
        self,
        kind: str,
        now: datetime,
        *,
        created_by: str | None = None,
        locale: str = "en",
        report_to: Recipient | None = None,
    ) -> Broadcast:
        """Open a broadcast; its rows are added with :meth:`enqueue`.

        Args:
            kind: what it is (``announcement``, ``prompt``, ``reminder``).
            now: the current time.
            created_by: who started it (platform-qualified id).
            locale: the language of its progress report.
            report_to: where its progress is shown: the moderator's chat, or the
                moderator by direct message.
        """
        broadcast = Broadcast(
            kind=kind,
            created_at=now,
            created_by=created_by,
            locale=locale,
            report_platform=report_to.platform if report_to else None,
            report_chat=report_to.id if report_to else None,
            report_thread=_TO_PERSON if isinstance(report_to, UserRef) else report_to and report_to.thread_id,
        )
        self.session.add(broadcast)
        await self.session.flush()
        return broadcast

    async def broadcast(
        self,
        kind: str,
        messages: Iterable[OutgoingMessage],
        now: datetime,
        *,
        created_by: str | None = None,
        locale: str = "en",
        report_to: Recipient | None = None,
    ) -> tuple[Broadcast, list[int]]:
        """Open a broadcast (see :meth:`start_broadcast`) and queue one row per message in it.

        Returns:
            The broadcast and the ids of its rows, in the order of ``messages``.
        """
        opened = await self.start_broadcast(
            kind, now, created_by=created_by, locale=locale, report_to=report_to
        )
        return opened, await self.enqueue(messages, now, broadcast=opened)

    async def enqueue(
        self, messages: Iterable[OutgoingMessage], now: datetime, *, broadcast: Broadcast | None = None
    ) -> list[int]:
        """Add one row per message; recipients known to be unreachable are recorded as such.

        Returns:
            The ids of the rows added, in the order of ``messages``.
        """
        rows = [self._row(message, now, broadcast) for message in messages]
        unreachable = await self._unreachable({(row["platform"], row["recipient_id"]) for row in rows})
        for row in rows:
            if (row["platform"], row["recipient_id"]) in unreachable:
                row["status"] = UNREACHABLE
        ids: list[int] = []
        if rows:
            # one multi-row INSERT ... RETURNING per batch on SQLite and PostgreSQL alike
            result = await self.session.execute(
                insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True), rows
            )
            ids = list(result.scalars())
            self.added += len(rows)
        if broadcast is not None:
            broadcast.total += len(rows)
            await self.session.flush()
        return ids

    @staticmethod
    def _row(message: OutgoingMessage, now: datetime, broadcast: Broadcast | None) -> dict[str, Any]:
        return {
            "broadcast_id": broadcast.id if broadcast is not None else None,
            **messages.recipient_columns(message),
            "payload": messages.encode(message),
            "idempotency_key": message.idempotency_key or uuid.uuid4().hex,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": None,
            "created_at": now,
        }

    async def _unreachable(self, recipients: Collection[tuple[str, str]]) -> set[tuple[str, str]]:
        by_platform: dict[str, list[str]] = {}
        for platform, recipient in recipients:
            by_platform.setdefault(platform, []).append(recipient)
        found: set[tuple[str, str]] = set()
        for platform, ids in by_platform.items():
            for start in range(0, len(ids), 500):
                rows = await self.session.scalars(
                    select(UnreachableRecipient.recipient_id).where(
                        UnreachableRecipient.platform == platform,
                        UnreachableRecipient.recipient_id.in_(ids[start : start + 500]),
                    )
                )
                found.update((platform, recipient) for recipient in rows)
        return found

    async def due(
        self, now: datetime, limit: int, exclude: Collection[int] = (), *, lock: bool = False
    ) -> list[OutboxMessage]:
        """Pending rows whose time has come, oldest first, except ``exclude`` (in flight).

        ``now`` is real time: delivery happens in real time even when the bot's clock
        is a test's controllable one. With ``lock`` (several instances, PostgreSQL) the
        rows are locked until the transaction ends, and rows another instance's
        transaction holds are skipped (``FOR UPDATE SKIP LOCKED``).
        """
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.status == PENDING,
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now),
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if exclude:
            query = query.where(OutboxMessage.id.not_in(list(exclude)))
        if lock:
            query = query.with_for_update(skip_locked=True)
        return list(await self.session.scalars(query))

    async def pending(self) -> int:
        """How many rows wait for delivery."""
        return int(
            await self.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == PENDING)
            )
            or 0
        )

    async def mark_sent(self, row_id: int, now: datetime, message_id: str | None) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(status=SENT, sent_at=now, message_id=message_id, attempts=OutboxMessage.attempts + 1)
        )

    async def mark_unreachable(self, row_id: int, now: datetime, reason: str) -> None:
        """The recipient cannot be reached: record the row and skip them from now on."""
        row = await self.session.get(OutboxMessage, row_id)
        if row is None:
            return
        row.status, row.last_error = UNREACHABLE, reason
        await self.mark_unreachable_recipient(row.platform, row.recipient_id, now, reason)

    async def mark_unreachable_recipient(
        self, platform: str, recipient_id: str, now: datetime, reason: str
    ) -> None:
        """The recipient blocked the bot (a 403, or the platform says so): skip them from now on."""
        if await self.session.get(UnreachableRecipient, (platform, recipient_id)) is None:
            self.session.add(
                UnreachableRecipient(platform=platform, recipient_id=recipient_id, since=now, reason=reason)
            )
        await self.session.flush()

    async def mark_reachable(self, platform: str, recipient_id: str) -> None:
        """The recipient is back (unblocked the bot)."""
        await self.session.execute(
            delete(UnreachableRecipient).where(
                UnreachableRecipient.platform == platform, UnreachableRecipient.recipient_id == recipient_id
            )
        )

    async def attempts(self, row_id: int) -> int:
        """How often a row was tried."""
        return int(
            await self.session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == row_id)) or 0
        )

    async def retry_at(self, row_id: int, at: datetime, error: str, *, count_attempt: bool = True) -> int:
        """Try the row again at ``at``; returns its attempts so far."""
        row = await self.session.get(OutboxMessage, row_id)
        if row is None:
            return 0
        row.next_attempt_at, row.last_error = at, error
        if count_attempt:
            row.attempts += 1
        await self.session.flush()
        return row.attempts

    async def defer(self, row_ids: Collection[int], at: datetime) -> None:
        """Push rows that must wait for their chat's pace out of the due set."""
        if row_ids:
            await self.session.execute(
                update(OutboxMessage).where(OutboxMessage.id.in_(list(row_ids))).values(next_attempt_at=at)
            )

    async def mark_failed(self, row_id: int, error: str) -> None:
        await self.session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row_id).values(status=FAILED, last_error=error)
        )

    async def rewrite_pending(self, row_id: int, text: Text) -> bool:
        """Give a row not yet sent a new text (its original was edited meanwhile).

        Returns:
            Whether the row was still pending; a sent row's message must be edited on
            its platform instead.
        """
        row = await self.session.get(OutboxMessage, row_id)
        if row is None or row.status != PENDING:
            return False
        row.payload = messages.encode(replace(messages.decode(row), text=text, idempotency_key=None))
        await self.session.flush()
        return True

    async def cancel_pending(self, row_id: int) -> bool:
        """Withdraw a row not yet sent; returns whether it was still pending."""
        result = await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
            .values(status=CANCELLED)
        )
        return bool(getattr(result, "rowcount", 0))

    async def progress(self, broadcast_id: int) -> Progress:
        counts = dict(
            (
                await self.session.execute(
                    select(OutboxMessage.status, func.count())
                    .where(OutboxMessage.broadcast_id == broadcast_id)
                    .group_by(OutboxMessage.status)
                )
            ).all()
        )
        total = sum(counts.values())
        return Progress(total, counts.get(SENT, 0), counts.get(UNREACHABLE, 0), counts.get(FAILED, 0))

    async def set_report(self, broadcast_id: int, ref: MessageRef) -> None:
        """Remember the status message that shows a broadcast's progress."""
        await self.session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(
                report_platform=ref.chat.platform,
                report_chat=ref.chat.id,
                report_thread=ref.chat.thread_id,
                report_message=ref.id,
            )
        )

    async def open_broadcasts(self) -> list[Broadcast]:
        return list(await self.session.scalars(select(Broadcast).where(Broadcast.finished_at.is_(None))))

    async def finish(self, broadcast_id: int, now: datetime) -> None:
        await self.session.execute(
            update(Broadcast).where(Broadcast.id == broadcast_id).values(finished_at=now)
        )


def report_recipient(broadcast: Broadcast) -> Recipient | None:
    """Where ``broadcast``'s progress report goes, if anywhere."""
    if broadcast.report_platform is None or broadcast.report_chat is None:
        return None
    if broadcast.report_thread == _TO_PERSON:
        return UserRef(broadcast.report_platform, broadcast.report_chat)
    return ChatRef(broadcast.report_platform, broadcast.report_chat, broadcast.report_thread)
