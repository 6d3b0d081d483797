"""Membership applications: form sessions in progress and the decisions on them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Role, UserRef
from storage.models import Application, Identity, Person, RoleGrant


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


#: Statuses of an application that still counts as the person's open one.
OPEN = (Status.DRAFT, Status.SUBMITTED)


class ApplicationRepository:
    """Reads and writes applications within one unit of work."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, application_id: int) -> Application | None:
        return await self.session.get(Application, application_id)

    async def draft_of(self, person_id: int) -> Application | None:
        """The form the person is filling in, if any."""
        return await self._of(person_id, (Status.DRAFT,))

    async def open_of(self, person_id: int) -> Application | None:
        """The person's application in progress or awaiting a decision, if any."""
        return await self._of(person_id, OPEN)

    async def latest_of(self, person_id: int) -> Application | None:
        return await self.session.scalar(
            select(Application)
            .where(Application.person_id == person_id)
            .order_by(Application.id.desc())
            .limit(1)
        )

    async def _of(self, person_id: int, statuses: Sequence[Status]) -> Application | None:
        return await self.session.scalar(
            select(Application)
            .where(Application.person_id == person_id, Application.status.in_([s.value for s in statuses]))
            .order_by(Application.id.desc())
            .limit(1)
        )

    async def start(self, person_id: int, user: UserRef, now: datetime) -> Application:
        """Open a new draft for the person, reachable at ``user``."""
        application = Application(
            person_id=person_id,
            platform=user.platform,
            platform_user_id=user.id,
            status=Status.DRAFT.value,
            answers={},
            progress={},
            created_at=now,
            updated_at=now,
        )
        self.session.add(application)
        await self.session.flush()
        return application

    async def save(
        self, application: Application, now: datetime, *, answers: dict[str, Any], progress: dict[str, Any]
    ) -> None:
        """Store the form's answers and place (new dicts, so the JSON columns are written)."""
        application.answers = dict(answers)
        application.progress = dict(progress)
        application.updated_at = now
        application.reminded_at = None
        await self.session.flush()

    async def set_status(self, application: Application, status: Status, now: datetime) -> None:
        application.status = status.value
        application.updated_at = now
        if status is Status.SUBMITTED:
            application.submitted_at = now
        await self.session.flush()

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

    async def idle_drafts(self, moment: datetime) -> list[Application]:
        """Drafts with no answer since before ``moment``."""
        result = await self.session.scalars(
            select(Application)
            .where(Application.status == Status.DRAFT.value, Application.updated_at < moment)
            .order_by(Application.id)
        )
        return list(result)


async def reviewers(session: AsyncSession, admins: Sequence[str]) -> list[tuple[UserRef, str | None]]:
    """Everyone who reviews applications, with their chosen language.

    Moderators and admins by stored grant, plus the configured admins (``console:admin``)
    even if the bot has never met them.

    Returns:
        ``(identity, person's locale)`` pairs, one per platform identity.
    """
    labels = [Role.MODERATOR.label, Role.ADMIN.label]
    granted = select(RoleGrant.person_id).where(RoleGrant.role.in_(labels))
    configured = [
        and_(Identity.platform == platform, Identity.platform_user_id == user_id)
        for platform, _, user_id in (key.partition(":") for key in admins)
    ]
    rows = await session.execute(
        select(Identity, Person.locale)
        .join(Person, Person.id == Identity.person_id)
        .where(or_(Identity.person_id.in_(granted), *configured))
        .order_by(Identity.id)
    )
    found: dict[str, tuple[UserRef, str | None]] = {}
    for identity, locale in rows.all():
        found[identity.ref.key] = (identity.ref, locale)
    for key in admins:
        platform, _, user_id = key.partition(":")
        found.setdefault(key, (UserRef(platform, user_id), None))
    return list(found.values())
