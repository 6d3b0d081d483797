"""What happened in an application's review: submitted, questions asked, answers changed, decisions.

``/application <id>`` shows these events in order; the moderators' question and the
answers as they stood when it was asked are read back from them when the applicant
resubmits, to show what changed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, bindparam, select

from storage.models import ApplicationEvent
from storage.repository import SessionRepository
from storage.statements import Prebuilt, insert_into

_EVENTS = cast(Table, ApplicationEvent.__table__)
# Prebuilt: both run at every submission.
_LATEST_KIND = Prebuilt(
    select(_EVENTS.c.id, _EVENTS.c.kind)
    .where(_EVENTS.c.application_id == bindparam("application"))
    .order_by(_EVENTS.c.id.desc())
    .limit(1)
)
_RECORD = Prebuilt(
    insert_into(_EVENTS, ("application_id", "at", "kind", "actor_person_id", "actor_name", "note", "details"))
)


class Step(StrEnum):
    """The kinds of event in an application's review."""

    SUBMITTED = "submitted"
    ASKED = "asked"
    RESUBMITTED = "resubmitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ApplicationHistory(SessionRepository):
    """Reads and writes applications' review events within one unit of work."""

    async def record(
        self,
        application_id: int,
        step: Step,
        at: datetime,
        *,
        by: int | None = None,
        by_name: str | None = None,
        note: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Add one event to the application's history.

        Args:
            application_id: the application.
            step: what happened.
            at: when.
            by: the person who did it (the applicant or a moderator).
            by_name: their name as shown then (kept if the person is deleted).
            note: the question or the reason, as written.
            details: the answers when a question was asked, or what changed on resubmission.
        """
        await _RECORD.execute(
            self.session,
            {
                "application_id": application_id,
                "at": at,
                "kind": step.value,
                "actor_person_id": by,
                "actor_name": by_name,
                "note": note,
                "details": details or {},
            },
        )

    async def of(self, application_id: int) -> list[ApplicationEvent]:
        """Every event of the application, oldest first."""
        result = await self.session.scalars(
            select(ApplicationEvent)
            .where(ApplicationEvent.application_id == application_id)
            .order_by(ApplicationEvent.id)
        )
        return list(result)

    async def pending_question(self, application_id: int) -> ApplicationEvent | None:
        """The moderators' question if it is the application's latest event (not answered yet).

        Asked at every submission, usually of an application with no question: the
        latest event's kind is read by a Core statement, the event itself only when it is one.
        """
        rows = await _LATEST_KIND.rows(self.session, {"application": application_id})
        if not rows or rows[0][1] != Step.ASKED.value:
            return None
        return await self.session.get(ApplicationEvent, rows[0][0])

    async def last_question(self, application_id: int) -> ApplicationEvent | None:
        """The latest question the moderators asked about the application, if any."""
        return await self.session.scalar(
            select(ApplicationEvent)
            .where(
                ApplicationEvent.application_id == application_id,
                ApplicationEvent.kind == Step.ASKED.value,
            )
            .order_by(ApplicationEvent.id.desc())
            .limit(1)
        )
