"""Membership applications: the form being filled in, then the decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

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
