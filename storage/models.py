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

from sqlalchemy import JSON, Date, ForeignKey, Index, MetaData, String, Text, UniqueConstraint
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

    ``kind`` is a :class:`storage.wiki_query.WikiKind`; ``language`` the language the
    entry is written in; ``deadline`` (opportunities) hides it from searches once passed.
    """

    __tablename__ = "wiki_entries"
    #: Serves counts by kind and finding past-deadline opportunities from the index alone
    #: (searches leave those out: see storage/wiki_search.py).
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

    Written by :class:`storage.wiki.WikiRepository` on every change. SQLite indexes it in
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
