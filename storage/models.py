"""The database schema, as typed SQLAlchemy 2 models.

Foundation tables:

* ``people``: a person, whatever platforms they use; their language and roles.
* ``identities``: the link table between a person and their platform accounts
  (``telegram:123``, ``matrix:@a:b``); one person may have several.
* ``role_grants``: roles granted to a person (admins come from the configuration).
* ``audit_log``: who did what, when, to whom, and why.
* ``processed_events``: ids of handled platform events, so each takes effect once.
* ``bot_state``: small named values the bot keeps between runs.
* ``wiki_entries``, ``wiki_translations``, ``wiki_search``: the wiki and what its
  full-text index sees.

Feature issues add their tables here and a migration under ``storage/migrations``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Date, ForeignKey, Index, MetaData, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from bot.core.types import UserRef
from storage.types import UtcDateTime

#: Constraint names that are stable across databases, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    locale: Mapped[str | None] = mapped_column(String(16))
    #: ISO 3166-1 alpha-2, from the approved application; shown in exports and stats.
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]
    #: Set while the person is banned: the bot ignores them and keeps them out.
    banned_at: Mapped[datetime | None]
    banned_reason: Mapped[str | None] = mapped_column(Text)

    identities: Mapped[list[Identity]] = relationship(back_populates="person", passive_deletes=True)
    roles: Mapped[list[RoleGrant]] = relationship(
        foreign_keys="RoleGrant.person_id", back_populates="person", passive_deletes=True
    )


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255), index=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    person: Mapped[Person] = relationship(back_populates="identities")

    @property
    def ref(self) -> UserRef:
        """This identity as the platforms know it, e.g. to send it a direct message."""
        return UserRef(self.platform, self.platform_user_id, self.display_name, self.language, self.username)


class RoleGrant(Base):
    __tablename__ = "role_grants"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[datetime]
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id], back_populates="roles")


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(300))
    actor_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ProcessedEvent(Base):
    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(index=True)


class BotState(Base):
    __tablename__ = "bot_state"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]


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


class PendingReply(Base):
    """An interactive reply committed with its event and not yet confirmed by the platform.

    Kept only for platforms that drop a repeated send with the same idempotency key
    (Matrix transaction ids): after a crash the bot sends what is left here again, and
    the platform makes that exactly once. Rows live for as long as a send takes.
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


# -- virtual dialogues (issue 4) --------------------------------------------------------


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
    __tablename__ = "prompts"
    __table_args__ = (Index("ix_prompts_post_at", "post_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dialogue_id: Mapped[int] = mapped_column(ForeignKey("dialogues.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: When to post it, in UTC.
    post_at: Mapped[datetime]

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


#: The condition of an application that still counts as its person's open one.
OPEN_APPLICATION = "status IN ('draft', 'submitted')"


class Application(Base):
    """A membership application: a form being filled in (``draft``), then a decision.

    ``progress`` is the conversation's place in the form (the step being asked, whether
    the person is editing from the summary, the choices toggled so far), written in the
    same transaction as the answer that moved it.
    """

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_person_status", "person_id", "status"),
        Index("ix_applications_status_updated", "status", "updated_at"),
        # One open application per person, whatever the race (two chats, two platforms).
        Index(
            "uq_applications_open_person",
            "person_id",
            unique=True,
            sqlite_where=text(OPEN_APPLICATION),
            postgresql_where=text(OPEN_APPLICATION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    #: The identity the person applied from: where they are told the decision.
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(255))
    #: draft, submitted, approved, rejected, cancelled, expired.
    status: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: Bumped by every write of the form: a write based on an older read is refused.
    version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    reminded_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_by_name: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(Text)


# -- wiki (issue 5) ----------------------------------------------------------------------

#: Schema objects made with raw SQL by migrations (full-text indexes): not models, so
#: Alembic's autogenerate must leave them alone (see :func:`made_by_models`).
RAW_TABLE_PREFIXES = ("wiki_fts", "wiki_title_fts")
RAW_COLUMNS = frozenset({"wiki_search.document", "wiki_search.facet_words"})
RAW_INDEXES = frozenset({"ix_wiki_search_document", "ix_wiki_search_facet_words"})


def made_by_models(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object``: compare only what the models describe."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table":
        return not name.startswith(RAW_TABLE_PREFIXES)
    if type_ == "column":
        return f"{obj.table.name}.{name}" not in RAW_COLUMNS
    if type_ == "index":
        return name not in RAW_INDEXES
    return True


class WikiEntry(Base):
    """One page of the community's knowledge base.

    ``kind`` is a :class:`storage.wiki.query.WikiKind`; ``language`` the language the
    entry is written in; ``deadline`` (opportunities) hides it from searches once passed.
    """

    __tablename__ = "wiki_entries"
    #: Serves counts by kind and finding past-deadline opportunities from the index alone
    #: (searches leave those out: see storage/wiki/search.py).
    __table_args__ = (Index("ix_wiki_entries_kind_deadline", "kind", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(1000))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    region: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str] = mapped_column(String(8))
    deadline: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]

    translations: Mapped[list[WikiTranslation]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )


class WikiTranslation(Base):
    """An entry's title, summary and body in another language."""

    __tablename__ = "wiki_translations"
    __table_args__ = (UniqueConstraint("entry_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("wiki_entries.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")

    entry: Mapped[WikiEntry] = relationship(back_populates="translations")


class WikiSearchDocument(Base):
    """What the full-text index sees of an entry (and its translations): folded words.

    Written by :class:`storage.wiki.repository.WikiRepository` on every change. SQLite indexes it in
    the FTS5 tables ``wiki_fts`` and ``wiki_title_fts`` (kept in sync by triggers); PostgreSQL in the generated
    ``tsvector`` columns ``document`` and ``facet_words`` (GIN indexes). Both made by the
    wiki migration with raw SQL.
    """

    __tablename__ = "wiki_search"

    entry_id: Mapped[int] = mapped_column(ForeignKey("wiki_entries.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    facets: Mapped[str] = mapped_column(Text, default="")
