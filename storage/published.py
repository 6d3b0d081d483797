"""A fingerprint of what the public web site publishes: one small read, no page rendered.

``copbot run`` serving the site (:mod:`handlers.site.serving`) compares it with the one
of its last build and rebuilds only when it differs. It covers everything the pages show
(see :mod:`handlers.site.data`):

* the wiki: its version number, bumped by every write of an entry or a translation
  (:meth:`storage.wiki.repository.WikiRepository.version`);
* the published dialogues (open, upcoming, closed) as they read, and their prompts due
  by ``now`` (a prompt becoming due changes the site even before it is posted);
* the replies: how many, the newest, the latest edit and deletion (reply counts);
* the members who let the site quote them, under which name, and whether banned.

It may change when the pages do not (a reply to a draft dialogue): that costs a build
that writes nothing. It never stays the same when a page changes.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select

from storage.models import Dialogue, MemberProfile, Person, Prompt, Reply
from storage.repository import SessionRepository
from storage.wiki.repository import WikiRepository

#: The dialogue statuses the site shows; drafts and cancelled dialogues stay private.
PUBLISHED_STATUSES = ("scheduled", "open", "closed")


class PublishedState(SessionRepository):
    """Reads the fingerprint within one unit of work."""

    async def fingerprint(self, now: datetime) -> str:
        """A digest of what the site would publish at ``now``."""
        parts: list[object] = [await WikiRepository(self.session).version()]
        dialogues = (
            await self.session.execute(
                select(
                    Dialogue.id,
                    Dialogue.status,
                    Dialogue.title,
                    Dialogue.description,
                    Dialogue.start_date,
                    Dialogue.end_date,
                    Dialogue.timezone,
                )
                .where(Dialogue.status.in_(PUBLISHED_STATUSES))
                .order_by(Dialogue.id)
            )
        ).all()
        parts.append([tuple(row) for row in dialogues])
        prompts = await self.session.execute(
            select(Prompt.id, Prompt.dialogue_id, Prompt.position, Prompt.text, Prompt.post_at)
            .where(Prompt.dialogue_id.in_([row.id for row in dialogues]), Prompt.post_at <= now)
            .order_by(Prompt.id)
        )
        parts.append([tuple(row) for row in prompts])
        replies = await self.session.execute(
            select(
                func.count(Reply.id),
                func.max(Reply.id),
                func.max(Reply.edited_at),
                func.max(Reply.deleted_at),
            )
        )
        parts.append(tuple(replies.one()))
        quoted = await self.session.execute(
            select(MemberProfile.person_id, MemberProfile.name, Person.display_name, Person.banned_at)
            .join(Person, Person.id == MemberProfile.person_id)
            .where(MemberProfile.quote_publicly)
            .order_by(MemberProfile.person_id)
        )
        parts.append([tuple(row) for row in quoted])
        return hashlib.sha256(repr(parts).encode()).hexdigest()
