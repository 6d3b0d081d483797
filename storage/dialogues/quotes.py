"""Dialogue replies the public web site may quote: only those of members who said yes.

A member says yes with ``/profile quoted on`` (``member_profiles.quote_publicly``); the
reply is then shown under their profile's name, the name the directory shows, and with
nothing else of them. A member without a profile never said yes; a banned member's
replies are never quoted; ``/forget`` deletes the replies and the profile alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.models import MemberProfile, Person, Reply
from storage.repository import SessionRepository


@dataclass(frozen=True, slots=True)
class QuotableReply:
    """A reply its author let the public site quote: their name, when, and the text."""

    author: str
    created_at: datetime
    text: str


class PublicQuotes(SessionRepository):
    """The quotable replies, within one unit of work."""

    async def of_prompts(self, prompt_ids: Sequence[int]) -> dict[int, list[QuotableReply]]:
        """The quotable replies (not deleted) of each prompt, oldest first."""
        found: dict[int, list[QuotableReply]] = {prompt_id: [] for prompt_id in prompt_ids}
        if not prompt_ids:
            return found
        query = (
            select(Reply, MemberProfile.name, Person.display_name)
            .join(MemberProfile, MemberProfile.person_id == Reply.person_id)
            .join(Person, Person.id == Reply.person_id)
            .where(
                Reply.prompt_id.in_(prompt_ids),
                Reply.deleted_at.is_(None),
                MemberProfile.quote_publicly,
                Person.banned_at.is_(None),
            )
            .order_by(Reply.created_at, Reply.id)
        )
        for reply, name, display_name in await self.session.execute(query):
            found[reply.prompt_id].append(QuotableReply(name or display_name, reply.created_at, reply.text))
        return found
