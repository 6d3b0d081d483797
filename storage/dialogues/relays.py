"""Mirrored conversations: which message was relayed where, and where its copies are.

A conversation mirrored across platforms (a prompt's threads, optionally the general
chats) has one copy per platform. A member's message in one copy is relayed into the
others: one ``relayed_messages`` row per source message and target chat, unique, written
in the same transaction as the outbox row that carries the copy. The copy's message id
on its platform is the outbox row's, set once the platform confirmed the send, so the
mapping needs no second write and cannot disagree with what was sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select

from bot.core.types import ChatRef, MessageRef
from storage.messages import CHAT
from storage.models import OutboxMessage, RelayedMessage
from storage.repository import SessionRepository


@dataclass(frozen=True, slots=True)
class MessageKey:
    """A message as its platform identifies it: message ids are unique within a chat."""

    platform: str
    chat: str
    message: str


@dataclass(frozen=True, slots=True)
class ThreadCopy:
    """One platform's copy of a mirrored conversation (a thread, or a general chat).

    Attributes:
        chat: the copy's chat and thread.
        opening: the id of the message that opened it there, if known.
    """

    chat: ChatRef
    opening: str | None = None


@dataclass(frozen=True, slots=True)
class RelayedCopy:
    """One relayed copy of a message, as far as it got.

    Attributes:
        target: the chat (and thread) the copy was relayed into.
        outbox_id: the outbox row that carries it.
        status: the outbox row's status (``pending`` until the platform confirmed it).
        message_id: the copy's id on its platform, once sent.
    """

    target: ChatRef
    outbox_id: int
    status: str
    message_id: str | None

    @property
    def ref(self) -> MessageRef | None:
        """The sent copy, to edit or delete it; ``None`` before it was sent."""
        return MessageRef(self.target, self.message_id) if self.message_id is not None else None


class RelayRepository(SessionRepository):
    """Reads and writes the relays of mirrored conversations within one unit of work."""

    async def record(
        self, source: MessageKey, copies: Iterable[tuple[ChatRef, int]], now: datetime, author: int | None
    ) -> None:
        """Remember that ``source``, written by person ``author``, was relayed: each target chat with its outbox row."""
        rows = [
            {
                "source_platform": source.platform,
                "source_chat": source.chat,
                "source_message": source.message,
                "target_platform": target.platform,
                "target_chat": target.id,
                "target_thread": target.thread_id,
                "outbox_id": outbox_id,
                "person_id": author,
                "created_at": now,
            }
            for target, outbox_id in copies
        ]
        if rows:
            await self.session.execute(insert(RelayedMessage), rows)

    async def copies_of(self, source: MessageKey) -> list[RelayedCopy]:
        """Every relayed copy of ``source``, in the order they were made."""
        query = (
            select(RelayedMessage, OutboxMessage.status, OutboxMessage.message_id)
            .join(OutboxMessage, OutboxMessage.id == RelayedMessage.outbox_id)
            .where(
                RelayedMessage.source_platform == source.platform,
                RelayedMessage.source_chat == source.chat,
                RelayedMessage.source_message == source.message,
            )
            .order_by(RelayedMessage.id)
        )
        return [
            RelayedCopy(
                ChatRef(relay.target_platform, relay.target_chat, relay.target_thread),
                relay.outbox_id,
                status,
                message_id,
            )
            for relay, status, message_id in await self.session.execute(query)
        ]

    async def source_of(self, copy: MessageKey) -> MessageKey | None:
        """The message that ``copy`` is a relayed copy of; ``None`` if it is no copy.

        A platform that shows the bot its own messages would hand the copies back as
        new messages: this is how they are recognised and never relayed again.
        """
        query = (
            select(RelayedMessage.source_platform, RelayedMessage.source_chat, RelayedMessage.source_message)
            .join(OutboxMessage, OutboxMessage.id == RelayedMessage.outbox_id)
            .where(
                OutboxMessage.platform == copy.platform,
                OutboxMessage.recipient_kind == CHAT,
                OutboxMessage.recipient_id == copy.chat,
                OutboxMessage.message_id == copy.message,
            )
            .limit(1)
        )
        row = (await self.session.execute(query)).first()
        return MessageKey(row[0], row[1], row[2]) if row is not None else None

    async def counterparts(self, message: MessageKey, targets: Sequence[ChatRef]) -> dict[ChatRef, str]:
        """Where ``message`` (an original or a relayed copy) is seen in each of ``targets``.

        Used to map an answer to a particular message onto each copy of the
        conversation: the original where it was written, its sent copies elsewhere.
        Targets where the copy is not sent yet are left out.
        """
        origin = await self.source_of(message) or message
        found: dict[ChatRef, str] = {}
        copies = {(copy.target.platform, copy.target.id): copy for copy in await self.copies_of(origin)}
        for target in targets:
            if (target.platform, target.id) == (origin.platform, origin.chat):
                found[target] = origin.message
            elif (copy := copies.get((target.platform, target.id))) is not None and copy.message_id:
                found[target] = copy.message_id
        return found
