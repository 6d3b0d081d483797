"""Entries members suggest for the wiki (``/wiki_suggest``), and the moderators' decisions.

A suggestion holds the entry's fields as validated when it was sent; accepting it puts
them through :class:`~storage.wiki.repository.WikiRepository` like ``/wiki_add``. A
decision is claimed atomically: only a pending suggestion can be decided, so of two
moderators acting at once one decides and the other is told who did.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update

from storage.models import WikiSuggestion
from storage.repository import SessionRepository

#: The name of the ``/wiki_suggest`` form in draft keys (``bot_state``): its drafts are
#: erased with their person (see :mod:`storage.members.privacy`).
SUGGESTION_FORM = "wiki.suggest"


class SuggestionStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class WikiSuggestions(SessionRepository):
    """Wiki suggestions within one unit of work."""

    async def add(
        self,
        person_id: int,
        account: tuple[str, str],
        fields: dict[str, Any],
        now: datetime,
    ) -> WikiSuggestion:
        """Store a new pending suggestion.

        Args:
            person_id: who suggested it.
            account: the platform and user id it was sent from, where the decision is told.
            fields: the entry, as :meth:`WikiEntryData.model_dump` gives it in JSON mode.
            now: when it was sent.
        """
        platform, user_id = account
        suggestion = WikiSuggestion(
            person_id=person_id,
            platform=platform,
            platform_user_id=user_id,
            title=str(fields.get("title") or ""),
            fields=dict(fields),
            status=SuggestionStatus.PENDING.value,
            created_at=now,
        )
        self.session.add(suggestion)
        await self.session.flush()
        return suggestion

    async def get(self, suggestion_id: int) -> WikiSuggestion | None:
        return await self.session.get(WikiSuggestion, suggestion_id)

    async def count_pending(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count())
                .select_from(WikiSuggestion)
                .where(WikiSuggestion.status == SuggestionStatus.PENDING.value)
            )
            or 0
        )

    async def pending(self, limit: int, offset: int = 0) -> Sequence[WikiSuggestion]:
        """Pending suggestions, oldest first."""
        return (
            await self.session.scalars(
                select(WikiSuggestion)
                .where(WikiSuggestion.status == SuggestionStatus.PENDING.value)
                .order_by(WikiSuggestion.id)
                .limit(limit)
                .offset(offset)
            )
        ).all()

    async def decide(
        self,
        suggestion: WikiSuggestion,
        status: SuggestionStatus,
        now: datetime,
        by: tuple[int | None, str],
        reason: str | None,
    ) -> bool:
        """Record a decision on a pending suggestion, atomically.

        Args:
            suggestion: the suggestion decided (read again afterwards).
            status: accepted or rejected.
            now: when.
            by: the moderator's person id and name.
            reason: why it was rejected.

        Returns:
            ``False`` if it was no longer pending (someone decided first).
        """
        person_id, name = by
        result = await self.session.execute(
            update(WikiSuggestion)
            .where(
                WikiSuggestion.id == suggestion.id,
                WikiSuggestion.status == SuggestionStatus.PENDING.value,
            )
            .values(
                status=status.value,
                decided_at=now,
                reviewed_by=person_id,
                reviewed_by_name=name,
                reason=reason,
            )
            .execution_options(synchronize_session=False)
        )
        await self.session.refresh(suggestion)
        return bool(getattr(result, "rowcount", 0))
