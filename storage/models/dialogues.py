"""Virtual dialogues (issue 4): prompts posted on their dates, where they went, the replies."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


class Dialogue(Base):
    """A series of prompts posted on their dates; dates are in the dialogue's time zone."""

    __tablename__ = "dialogues"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A stable key for programme files: importing the same file again updates this row.
    slug: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: Language code -> text, e.g. ``{"en": "...", "es": "..."}``.
    title: Mapped[dict[str, Any]] = mapped_column(default=dict)
    description: Mapped[dict[str, Any]] = mapped_column(default=dict)
    start_date: Mapped[date]
    end_date: Mapped[date]
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: draft, scheduled, open, closed or cancelled.
    status: Mapped[str] = mapped_column(String(16), default="scheduled", index=True)
    created_at: Mapped[datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    prompts: Mapped[list[Prompt]] = relationship(
        back_populates="dialogue", order_by="Prompt.position", passive_deletes=True
    )


class Prompt(Base):
    """One prompt of a dialogue, numbered ``D.P`` by its position (unique in the dialogue)."""

    __tablename__ = "prompts"
    __table_args__ = (
        Index("ix_prompts_post_at", "post_at"),
        Index("ix_prompts_dialogue_position", "dialogue_id", "position", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: When to post it, in UTC.
    post_at: Mapped[datetime]
    #: Imported after its time had passed: part of the programme's record, never posted
    #: (``copbot dialogue import`` of a programme already under way).
    never_posted: Mapped[bool] = mapped_column(default=False, server_default=false())

    dialogue: Mapped[Dialogue] = relationship(back_populates="prompts")


class PromptPost(Base):
    """Where a prompt was posted. The unique key is the claim that makes a post happen once."""

    __tablename__ = "prompt_posts"
    __table_args__ = (
        UniqueConstraint("prompt_id", "platform", "chat_id"),
        Index("ix_prompt_posts_thread", "platform", "chat_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(255))
    #: Set once the platform answered; ``None`` while the post is being made.
    thread_id: Mapped[str | None] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(255))
    claimed_at: Mapped[datetime]
    posted_at: Mapped[datetime | None]


class Reply(Base):
    __tablename__ = "replies"
    __table_args__ = (Index("ix_replies_message", "platform", "chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class DialogueSubscription(Base):
    """A member who gets every prompt by direct message too."""

    __tablename__ = "dialogue_subscriptions"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime]


class PromptCopy(Base):
    """A prompt sent to a subscriber by direct message, through the outbox.

    The outbox row knows the recipient and, once delivered, the platform's message id:
    answering that message is a reply to the prompt.
    """

    __tablename__ = "prompt_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompts.id", ondelete="CASCADE"), index=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), unique=True)


class RelayedMessage(Base):
    """A member's message copied into another platform's copy of its conversation.

    A prompt's thread (or, when mirrored, the general chat) has one copy per platform;
    each message written in one copy is relayed into the others, one row per source
    message and target chat. The unique key makes each relay happen once; the copy
    travels as an outbox row, whose ``message_id`` (set once the platform confirmed the
    send) identifies the copy on its platform: to edit or delete it, to answer it, and
    to recognise it should the platform echo it back.
    """

    __tablename__ = "relayed_messages"
    __table_args__ = (
        UniqueConstraint(
            "source_platform", "source_chat", "source_message", "target_platform", "target_chat"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_platform: Mapped[str] = mapped_column(String(16))
    source_chat: Mapped[str] = mapped_column(String(255))
    source_message: Mapped[str] = mapped_column(String(255))
    target_platform: Mapped[str] = mapped_column(String(16))
    target_chat: Mapped[str] = mapped_column(String(255))
    target_thread: Mapped[str | None] = mapped_column(String(255))
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), unique=True)
    #: Who wrote the source message: ``/forget`` finds their copies by it.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]


class MemberThread(Base):
    """A discussion a member opened with ``/thread``: one conversation, a copy per platform.

    It belongs to no dialogue: messages written in it are relayed between its copies
    (``relayed_messages``) but are never dialogue replies. Only how many messages were
    written and when the last one was are kept, not who wrote them nor what.
    """

    __tablename__ = "member_threads"
    __table_args__ = (Index("ix_member_threads_open_activity", "closed_at", "last_activity_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]
    #: Messages members wrote in any copy (the opening not counted).
    message_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_activity_at: Mapped[datetime]
    #: Set by a moderator's ``/thread_close``; a closed thread is no longer relayed or listed.
    closed_at: Mapped[datetime | None]


class MemberThreadCopy(Base):
    """A member thread's copy on one platform's community chat.

    The row is written with the thread, before the platform is asked to open it; the
    thread and opening message ids are set once the platform answered.
    """

    __tablename__ = "member_thread_copies"
    __table_args__ = (
        UniqueConstraint("member_thread_id", "platform", "chat_id"),
        Index("ix_member_thread_copies_thread", "platform", "chat_id", "thread_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_thread_id: Mapped[int] = mapped_column(ForeignKey("member_threads.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[str | None] = mapped_column(String(255))
    message_id: Mapped[str | None] = mapped_column(String(255))
    opened_at: Mapped[datetime | None]
