"""Membership applications: the form being filled in, then its review and the decision.

* ``applications``: one row per application, the form's draft included.
* ``application_events``: what happened in its review (submitted, a question asked,
  answers changed, the decision), kept with the application and deleted with it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base

#: The condition of an application that still counts as its person's open one.
OPEN_APPLICATION = "status IN ('draft', 'submitted', 'needs_changes')"


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
    #: draft, submitted, needs_changes, approved, rejected, cancelled, expired.
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


class ApplicationEvent(Base):
    """One step of an application's review, as ``/application`` shows it.

    Applicants' answers are personal data: the events that copy them go with the
    application when it is deleted (``ON DELETE CASCADE``), unlike the audit log.
    """

    __tablename__ = "application_events"
    __table_args__ = (Index("ix_application_events_application", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    at: Mapped[datetime]
    #: submitted, asked, resubmitted, approved, rejected.
    kind: Mapped[str] = mapped_column(String(16))
    actor_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(255))
    #: The question asked or the reason given, as written.
    note: Mapped[str | None] = mapped_column(Text)
    #: ``asked``: ``{"answers": ...}`` as they stood; ``resubmitted``: ``{"changes": {field: [old, new]}}``.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
