"""The audit log: who did what, when, to whom and why."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select

from storage.models import AuditEntry
from storage.repository import SessionRepository
from storage.statements import Prebuilt, insert_into

# Prebuilt: every submitted application is audited in its event's transaction.
_APPEND = Prebuilt(
    insert_into(
        cast(Table, AuditEntry.__table__),
        ("at", "actor", "actor_person_id", "action", "target", "reason", "details"),
    )
)


class AuditLog(SessionRepository):
    """Appends to and reads the audit log within one unit of work."""

    async def record(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        actor_person_id: int | None = None,
        target: str | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """Append an entry.

        Args:
            at: when it happened.
            actor: the platform-qualified id of who did it (``telegram:123``), or ``system``.
            action: a dotted verb, e.g. ``application.approve``, ``role.grant``.
            actor_person_id: the actor's person id, when they have one.
            target: what it was done to (an application id, a user key).
            reason: the reason given, verbatim.
            details: anything else worth keeping (JSON).
        """
        await _APPEND.execute(
            self.session,
            {
                "at": at,
                "actor": actor,
                "actor_person_id": actor_person_id,
                "action": action,
                "target": target,
                "reason": reason,
                "details": details or {},
            },
        )

    async def recent(self, limit: int = 20, offset: int = 0, action: str | None = None) -> list[AuditEntry]:
        """The newest entries first."""
        query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        if action is not None:
            query = query.where(AuditEntry.action == action)
        return list(await self.session.scalars(query.limit(limit).offset(offset)))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(AuditEntry)) or 0)
