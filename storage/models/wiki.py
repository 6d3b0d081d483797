"""The wiki (issue 5): entries, their translations, what the full-text index sees, members' suggestions.

The full-text indexes themselves are made by the wiki migration with raw SQL (see
:func:`storage.models.base.made_by_models`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base


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


class WikiSuggestion(Base):
    """An entry a member suggested with ``/wiki_suggest``, waiting for or past a moderator's decision.

    ``fields`` holds the entry as :class:`storage.wiki.data.WikiEntryData` in JSON form;
    ``status`` is ``pending``, ``accepted`` or ``rejected``. The account it was sent from
    is where the member is told the decision.
    """

    __tablename__ = "wiki_suggestions"
    __table_args__ = (Index("ix_wiki_suggestions_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(300))
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    reviewed_by_name: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
