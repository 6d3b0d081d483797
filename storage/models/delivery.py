"""Messages on their way out: broadcasts, the outbox and its files, journalled replies, unreachable recipients."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Broadcast(Base):
    """A message for many recipients, delivered through the outbox, with a progress report."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(300))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    report_platform: Mapped[str | None] = mapped_column(String(16))
    report_chat: Mapped[str | None] = mapped_column(String(255))
    report_thread: Mapped[str | None] = mapped_column(String(255))
    report_message: Mapped[str | None] = mapped_column(String(255))
    total: Mapped[int] = mapped_column(default=0)
    finished_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One message to one recipient, kept until the platform confirmed it."""

    __tablename__ = "outbox"
    # Due rows are taken oldest first among the pending: an index in that order.
    __table_args__ = (
        Index("ix_outbox_due", "status", "id"),
        # An answer to a delivered message is looked up by what the platform reports.
        Index("ix_outbox_delivered", "platform", "recipient_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(16))
    recipient_kind: Mapped[str] = mapped_column(String(4))
    recipient_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    #: ``None``: due at once. Set by the sender, in real time, for retries and pacing.
    next_attempt_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str | None] = mapped_column(Text)


class OutboxAttachment(Base):
    """The file an outbox row carries: a photo or document relayed from another platform.

    Written with its row, as where to fetch the file (``source_platform``, ``source_ref``);
    the sender fetches it before the first send and keeps the bytes here, so a retry or
    a restart sends the same file without fetching it again. When the file cannot be
    copied, the row is sent with one of the two notes instead.
    """

    __tablename__ = "outbox_attachments"

    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), primary_key=True)
    source_platform: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(12))
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(255))
    size: Mapped[int | None]
    data: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    #: The message's payload when the file cannot be fetched: the note saying what it was.
    note: Mapped[dict[str, Any]]
    #: The message's payload when the file is too large to copy: the note saying where it is.
    too_large: Mapped[dict[str, Any]]


class PendingReply(Base):
    """An interactive reply committed with its event and not yet confirmed by the platform.

    Kept for every platform but the console: after a crash the bot sends what is left here
    again. Matrix drops a repeat with the same idempotency key (exactly once); on Telegram
    only the sends in flight at the crash can arrive twice. Rows live for as long as a
    send takes.
    """

    __tablename__ = "pending_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    recipient_kind: Mapped[str] = mapped_column(String(4))
    recipient_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class UnreachableRecipient(Base):
    """Someone who blocked the bot (Telegram 403) or cannot be reached: skipped until they return."""

    __tablename__ = "unreachable_recipients"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    recipient_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    since: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)
