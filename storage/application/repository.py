"""Membership applications: form sessions in progress and the decisions on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Self

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import UserRef
from storage.application.draft_cache import Draft, DraftCache, StaleDraft
from storage.application.reviewers import reviewers
from storage.application.statements import (
    CLOSE,
    CLOSE_WITH_ANSWERS,
    LATEST_STATUS_OF,
    OPEN_OF,
    OPEN_OF_LOCKED,
    SAVE,
    START,
)
from storage.application.status import OPEN as OPEN
from storage.application.status import Status as Status
from storage.models import Application
from storage.repository import Shared


class ApplicationAlreadyOpen(Exception):
    """A person may have one open application; this one has one already."""


class ApplicationRepository:
    """Reads and writes applications within one unit of work.

    Args:
        session: the unit of work's session.
        drafts: a process-wide :class:`DraftCache`, if the caller keeps one.
    """

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``, with the bot's forms in progress."""
        return cls(session, shared.get(DraftCache))

    def __init__(self, session: AsyncSession, drafts: DraftCache | None = None) -> None:
        self.session = session
        self.drafts = drafts
        # Looked up in this unit of work: the form-session filter and the form handler
        # ask for the same draft.
        self._seen: dict[int, Draft | None] = {}
        # What the same query said of a submitted application (see awaiting_decision),
        # and of one sent back for changes (see returned_to).
        self._waiting: dict[int, int | None] = {}
        self._returned: dict[int, int | None] = {}

    async def get(self, application_id: int, *, fresh: bool = False) -> Application | None:
        """The application; ``fresh`` reads it again even if this unit of work has it already
        (a statement such as :meth:`close` changed the row behind the loaded object)."""
        return await self.session.get(Application, application_id, populate_existing=fresh)

    async def draft_of(self, person_id: int) -> Draft | None:
        """The form the person is filling in, if any."""
        if person_id in self._seen:
            return self._seen[person_id]
        found = self.drafts.get(person_id) if self.drafts is not None else None
        if found is None:
            # A person has at most one open application (uq_applications_open_person):
            # the one query tells a draft from one awaiting a decision.
            locked = self.drafts is not None and not self.drafts.exclusive
            query = OPEN_OF_LOCKED if locked else OPEN_OF
            rows = await query.rows(self.session, {"person": person_id})
            application_id, status, answers, progress, version = rows[0] if rows else (None,) * 5
            if status == Status.DRAFT.value:
                found = Draft(application_id, person_id, dict(answers), dict(progress), version)
            self._waiting[person_id] = application_id if status == Status.SUBMITTED else None
            self._returned[person_id] = application_id if status == Status.NEEDS_CHANGES else None
        self._seen[person_id] = found
        return found

    async def awaiting_decision(self, person_id: int) -> int | None:
        """The id of the person's application awaiting the moderators' decision, if any."""
        if person_id not in self._waiting and await self.draft_of(person_id) is not None:
            return None  # a draft is open, and a person has one open application at most
        return self._waiting.get(person_id)

    async def returned_to(self, person_id: int) -> int | None:
        """The id of the person's application sent back to them for changes, if any."""
        if person_id not in self._returned and await self.draft_of(person_id) is not None:
            return None
        return self._returned.get(person_id)

    async def latest_of(self, person_id: int) -> Application | None:
        return await self.session.scalar(
            select(Application)
            .where(Application.person_id == person_id)
            .order_by(Application.id.desc())
            .limit(1)
        )

    async def latest_if(self, person_id: int, status: Status) -> Application | None:
        """The person's latest application if it has ``status``.

        Cheaper than :meth:`latest_of` when it usually has not (a first application):
        the id and status are read by a Core statement, the whole row only when it has.
        """
        rows = await LATEST_STATUS_OF.rows(self.session, {"person": person_id})
        if not rows or rows[0][1] != status.value:
            return None
        return await self.session.get(Application, rows[0][0])

    async def approved_of(self, person_id: int) -> Application | None:
        """The person's latest approved application (their answers as a member), if any."""
        return await self.session.scalar(
            select(Application)
            .where(Application.person_id == person_id, Application.status == Status.APPROVED.value)
            .order_by(Application.id.desc())
            .limit(1)
        )

    async def start(
        self, person_id: int, user: UserRef, now: datetime, answers: dict[str, Any] | None = None
    ) -> Draft:
        """Open a new draft for the person, reachable at ``user``, with ``answers`` filled in.

        Raises:
            ApplicationAlreadyOpen: the person has an open application (another of their
                chats or platforms opened it at the same moment).
        """
        application_id = await START.scalar(
            self.session,
            {
                "person_id": person_id,
                "platform": user.platform,
                "platform_user_id": user.id,
                "status": Status.DRAFT.value,
                "answers": dict(answers or {}),
                "progress": {},
                "version": 0,
                "created_at": now,
                "updated_at": now,
            },
        )
        if application_id is None:  # uq_applications_open_person
            raise ApplicationAlreadyOpen(person_id)
        draft = Draft(application_id, person_id, dict(answers or {}), {}, 0)
        self._seen[person_id] = draft
        return draft

    async def save(
        self, draft: Draft, now: datetime, *, answers: dict[str, Any], progress: dict[str, Any]
    ) -> Draft:
        """Store the form's answers and place; returns the draft as it now is.

        Raises:
            StaleDraft: the draft was written since it was read (another event of the person).
        """
        self._forget(draft.person_id)
        written = await SAVE.execute(
            self.session,
            {
                "draft": draft.id,
                "read": draft.version,
                "answers": answers,
                "progress": progress,
                "written": draft.version + 1,
                "now": now,
            },
        )
        if not written:
            raise StaleDraft(draft.id)
        saved = Draft(draft.id, draft.person_id, dict(answers), dict(progress), draft.version + 1)
        self._seen[draft.person_id] = saved
        return saved

    async def close(
        self, draft: Draft, status: Status, now: datetime, *, answers: dict[str, Any] | None = None
    ) -> None:
        """End a draft: submitted (with its final ``answers``), cancelled or expired."""
        if self.drafts is not None:
            self.drafts.bury(draft)
        self._seen[draft.person_id] = None
        self._waiting[draft.person_id] = draft.id if status is Status.SUBMITTED else None
        values: dict[str, Any] = {
            "draft": draft.id,
            "status": status.value,
            "now": now,
            "written": draft.version + 1,
            "submitted_at": now if status is Status.SUBMITTED else None,
        }
        if answers is None:
            await CLOSE.execute(self.session, values)
        else:
            await CLOSE_WITH_ANSWERS.execute(self.session, {**values, "answers": answers, "progress": {}})

    async def mark_reminded(self, application_id: int, now: datetime) -> None:
        await self.session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )

    def _forget(self, person_id: int) -> None:
        if self.drafts is not None:
            self.drafts.forget(person_id)

    async def decide(
        self,
        application_id: int,
        status: Status,
        now: datetime,
        by: int | None,
        by_name: str,
        reason: str | None,
    ) -> bool:
        """Record a decision on a submitted application, atomically.

        Returns:
            ``False`` if the application was not awaiting a decision (someone decided first).
        """
        result = await self.session.execute(
            update(Application)
            .where(Application.id == application_id, Application.status == Status.SUBMITTED.value)
            .values(
                status=status.value,
                decided_at=now,
                decided_by=by,
                decided_by_name=by_name,
                reason=reason,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        decided = bool(getattr(result, "rowcount", 0))
        if decided:
            application = await self.get(application_id)
            if application is not None:
                await self.session.refresh(application)
        return decided

    async def request_changes(self, application_id: int, now: datetime) -> bool:
        """Send a submitted application back to its applicant, atomically.

        Returns:
            ``False`` if the application was not awaiting a decision (someone acted first).
        """
        result = await self.session.execute(
            update(Application)
            .where(Application.id == application_id, Application.status == Status.SUBMITTED.value)
            .values(status=Status.NEEDS_CHANGES.value, updated_at=now, reminded_at=None)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def reopen(self, application_id: int, now: datetime) -> Draft | None:
        """Make an application sent back for changes the applicant's draft again, answers kept.

        Returns:
            the draft, or ``None`` if the application was not waiting for changes.
        """
        found = await self.get(application_id)
        if found is None:
            return None
        await self.session.refresh(found)
        if found.status != Status.NEEDS_CHANGES.value:
            return None
        # the summary is shown: no step is being asked or toggled
        found.status, found.progress, found.updated_at = Status.DRAFT.value, {}, now
        found.version += 1
        await self.session.flush()
        self._forget(found.person_id)
        draft = Draft.of(found)
        self._seen[found.person_id] = draft
        self._returned[found.person_id] = None
        return draft

    async def pending(self, limit: int, offset: int = 0) -> list[Application]:
        """Applications awaiting a decision, oldest first."""
        result = await self.session.scalars(
            select(Application)
            .where(Application.status == Status.SUBMITTED.value)
            .order_by(Application.submitted_at, Application.id)
            .limit(limit)
            .offset(offset)
        )
        return list(result)

    async def count_pending(self) -> int:
        query = (
            select(func.count()).select_from(Application).where(Application.status == Status.SUBMITTED.value)
        )
        return int(await self.session.scalar(query) or 0)

    async def submitted_before(self, moment: datetime) -> list[Application]:
        """Applications awaiting a decision since before ``moment``."""
        result = await self.session.scalars(
            select(Application)
            .where(Application.status == Status.SUBMITTED.value, Application.submitted_at < moment)
            .order_by(Application.submitted_at, Application.id)
        )
        return list(result)

    async def delete_rejected_before(self, moment: datetime) -> int:
        """Delete applications rejected before ``moment``; returns how many."""
        result = await self.session.execute(
            delete(Application).where(
                Application.status == Status.REJECTED.value, Application.decided_at < moment
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def idle_drafts(self, moment: datetime) -> list[Application]:
        """Drafts with no answer since before ``moment``."""
        result = await self.session.scalars(
            select(Application)
            .where(Application.status == Status.DRAFT.value, Application.updated_at < moment)
            .order_by(Application.id)
        )
        return list(result)

    async def reload(self, application: Application) -> None:
        """Read ``application`` again from the database (another event may have changed it)."""
        await self.session.refresh(application)

    async def reviewers(self, admins: Sequence[str]) -> list[tuple[UserRef, str | None]]:
        """Everyone who reviews applications, with their chosen language (see :func:`reviewers`)."""
        return await reviewers(self.session, admins)
