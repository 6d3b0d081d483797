"""Virtual dialogues: dialogues, their prompts, where each prompt was posted, and replies.

Posting a prompt happens once per place: :meth:`DialogueRepository.claim_post` inserts
the ``prompt_posts`` row (unique per prompt, platform and chat) before anything is sent,
and whoever inserted it is the only one who posts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Self, cast

from sqlalchemy import Table, delete, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dialogues.threads import PromptThreads, ThreadOf
from storage.models import (
    Dialogue,
    Person,
    Prompt,
    PromptPost,
    Reply,
)
from storage.repository import Shared
from storage.statements import for_session, insert_ignoring

#: The statuses a dialogue goes through; ``draft`` and ``cancelled`` are never posted.
STATUSES = ("draft", "scheduled", "open", "closed", "cancelled")

_POSTS = cast(Table, PromptPost.__table__)
_REPLIES = cast(Table, Reply.__table__)
_CLAIM = insert_ignoring(_POSTS, ("prompt_id", "platform", "chat_id", "claimed_at"))


@dataclass(frozen=True, slots=True)
class ExportedReply:
    author: str
    country: str | None
    platform: str
    created_at: datetime
    edited_at: datetime | None
    text: str


class DialogueRepository:
    """Reads and writes dialogues within one unit of work."""

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``, with the bot's threads already posted."""
        return cls(session, shared.get(PromptThreads))

    def __init__(self, session: AsyncSession, threads: PromptThreads | None = None) -> None:
        self.session = session
        self.threads = threads if threads is not None else PromptThreads()

    # -- dialogues --------------------------------------------------------------------

    async def create(
        self,
        *,
        title: dict[str, str],
        start: date,
        end: date,
        timezone: str,
        now: datetime,
        created_by: int | None = None,
        description: dict[str, str] | None = None,
        slug: str | None = None,
        status: str = "scheduled",
    ) -> Dialogue:
        dialogue = Dialogue(
            slug=slug,
            title=title,
            description=description or {},
            start_date=start,
            end_date=end,
            timezone=timezone,
            status=status,
            created_at=now,
            created_by=created_by,
        )
        self.session.add(dialogue)
        await self.session.flush()
        return dialogue

    async def get(self, dialogue_id: int) -> Dialogue | None:
        return await self.session.get(Dialogue, dialogue_id)

    async def by_slug(self, slug: str) -> Dialogue | None:
        return (
            await self.session.execute(select(Dialogue).where(Dialogue.slug == slug))
        ).scalar_one_or_none()

    async def listed(self, statuses: Sequence[str] = STATUSES) -> list[Dialogue]:
        """Dialogues with one of ``statuses``, by start date."""
        query = (
            select(Dialogue).where(Dialogue.status.in_(statuses)).order_by(Dialogue.start_date, Dialogue.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def newest(self, statuses: Sequence[str], offset: int, limit: int) -> tuple[list[Dialogue], int]:
        """A page of the dialogues with one of ``statuses``, newest first, and how many there are."""
        where = Dialogue.status.in_(statuses)
        query = (
            select(Dialogue)
            .where(where)
            .order_by(Dialogue.start_date.desc(), Dialogue.id.desc())
            .offset(offset)
            .limit(limit)
        )
        total = await self.session.scalar(select(func.count()).select_from(Dialogue).where(where))
        return list((await self.session.execute(query)).scalars()), int(total or 0)

    async def transition(self, dialogue_id: int, old: str, new: str) -> bool:
        """Move a dialogue from ``old`` to ``new``; ``False`` if it was not in ``old`` any more.

        The condition is part of the UPDATE, so of two concurrent jobs only one wins.
        """
        result = await self.session.execute(
            update(Dialogue).where(Dialogue.id == dialogue_id, Dialogue.status == old).values(status=new)
        )
        await self.session.flush()
        return bool(getattr(result, "rowcount", 0))

    # -- prompts ----------------------------------------------------------------------

    async def add_prompt(self, dialogue_id: int, text: dict[str, str], post_at: datetime) -> Prompt:
        """Add a prompt after the dialogue's last one: its position is never changed later.

        Deleting a prompt leaves a gap (2.1, 2.3); only the number of a last prompt that
        was deleted before it was posted can come back, and no thread or reply saw it.
        """
        position = await self.session.scalar(
            select(func.coalesce(func.max(Prompt.position), 0)).where(Prompt.dialogue_id == dialogue_id)
        )
        prompt = Prompt(dialogue_id=dialogue_id, position=int(position or 0) + 1, text=text, post_at=post_at)
        self.session.add(prompt)
        await self.session.flush()
        return prompt

    async def prompt(self, prompt_id: int) -> Prompt | None:
        return await self.session.get(Prompt, prompt_id)

    async def prompt_at(self, dialogue_id: int, position: int) -> Prompt | None:
        """The dialogue's prompt at ``position``: the ``P`` of ``D.P``."""
        query = select(Prompt).where(Prompt.dialogue_id == dialogue_id, Prompt.position == position)
        return (await self.session.execute(query.order_by(Prompt.id).limit(1))).scalar_one_or_none()

    async def prompts(self, dialogue_id: int) -> list[Prompt]:
        query = select(Prompt).where(Prompt.dialogue_id == dialogue_id).order_by(Prompt.post_at, Prompt.id)
        return list((await self.session.execute(query)).scalars())

    async def delete_prompt(self, prompt_id: int) -> None:
        await self.session.execute(delete(Prompt).where(Prompt.id == prompt_id))

    async def due_prompts(self, now: datetime) -> list[Prompt]:
        """Prompts of open dialogues whose time has come, oldest first."""
        query = (
            select(Prompt)
            .join(Dialogue, Dialogue.id == Prompt.dialogue_id)
            .where(Dialogue.status == "open", Prompt.post_at <= now, Prompt.never_posted.is_(False))
            .order_by(Prompt.post_at, Prompt.id)
        )
        return list((await self.session.execute(query)).scalars())

    async def upcoming_times(self, now: datetime) -> list[datetime]:
        """When prompts of live dialogues are next due (to schedule precise jobs)."""
        query = (
            select(Prompt.post_at)
            .join(Dialogue, Dialogue.id == Prompt.dialogue_id)
            .where(Dialogue.status.in_(("scheduled", "open")), Prompt.post_at > now)
        )
        return sorted(set((await self.session.execute(query)).scalars()))

    # -- posts ------------------------------------------------------------------------

    async def claim_post(self, prompt_id: int, platform: str, chat_id: str, now: datetime) -> bool:
        """Reserve posting a prompt to a chat; ``False`` if it was reserved before."""
        result = await self.session.execute(
            for_session(_CLAIM, self.session),
            {"prompt_id": prompt_id, "platform": platform, "chat_id": chat_id, "claimed_at": now},
        )
        return bool(getattr(result, "rowcount", 0))

    async def record_post(
        self,
        prompt_id: int,
        platform: str,
        chat_id: str,
        thread_id: str | None,
        message_id: str,
        now: datetime,
    ) -> None:
        await self.session.execute(
            update(PromptPost)
            .where(
                PromptPost.prompt_id == prompt_id,
                PromptPost.platform == platform,
                PromptPost.chat_id == chat_id,
            )
            .values(thread_id=thread_id, message_id=message_id, posted_at=now)
        )

    async def release_post(self, prompt_id: int, platform: str, chat_id: str) -> None:
        """Forget a claim whose post failed, so a later run tries again."""
        await self.session.execute(
            delete(PromptPost).where(
                PromptPost.prompt_id == prompt_id,
                PromptPost.platform == platform,
                PromptPost.chat_id == chat_id,
                PromptPost.posted_at.is_(None),
            )
        )

    async def posts(self, prompt_ids: Sequence[int]) -> list[PromptPost]:
        if not prompt_ids:
            return []
        query = select(PromptPost).where(PromptPost.prompt_id.in_(prompt_ids)).order_by(PromptPost.id)
        return list((await self.session.execute(query)).scalars())

    async def thread_of(self, platform: str, chat_id: str, thread_id: str) -> ThreadOf | None:
        """The prompt posted as the opening of a thread, if any."""
        key = (platform, chat_id, thread_id)
        found = self.threads.get(key)
        if found is not None:
            return found
        query = (
            select(Prompt.id, Prompt.dialogue_id)
            .join(PromptPost, PromptPost.prompt_id == Prompt.id)
            .where(
                PromptPost.platform == platform,
                PromptPost.chat_id == chat_id,
                PromptPost.thread_id == thread_id,
            )
        )
        row = (await self.session.execute(query)).first()
        if row is None:
            return None
        found = ThreadOf(row[0], row[1])
        self.threads.put(key, found)
        return found

    # -- replies ----------------------------------------------------------------------

    async def save_reply(
        self,
        *,
        prompt_id: int,
        person_id: int | None,
        platform: str,
        chat_id: str,
        message_id: str | None,
        text: str,
        now: datetime,
        edited: bool = False,
        while_open: int | None = None,
    ) -> bool:
        """Store a reply, or update the one stored for the same message (an edit).

        Args:
            while_open: a dialogue id: store only while that dialogue is open. The
                condition is part of the statement, so a reply racing the close is
                either stored before it or refused.

        Returns:
            Whether the reply was stored.
        """
        is_open = exists().where(Dialogue.id == while_open, Dialogue.status == "open")
        # A new message needs no lookup: a redelivered event is skipped by its claim.
        reply = await self._reply_for(platform, chat_id, message_id) if edited and message_id else None
        if reply is not None:
            if while_open is not None and not await self.session.scalar(select(is_open)):
                return False
            reply.text = text
            reply.edited_at = now
            return True
        row = {
            "prompt_id": prompt_id,
            "person_id": person_id,
            "platform": platform,
            "chat_id": chat_id,
            "message_id": message_id,
            "text": text,
            "created_at": now,
            "edited_at": now if edited else None,
        }
        if while_open is None:
            await self.session.execute(insert(_REPLIES), row)
            return True
        # One Core statement, the busiest write of a dialogue: INSERT ... SELECT ... WHERE open.
        values = select(*(literal(value, _REPLIES.c[name].type) for name, value in row.items())).where(
            is_open
        )
        result = await self.session.execute(insert(_REPLIES).from_select(list(row), values))
        return bool(getattr(result, "rowcount", 0))

    async def edit_reply(
        self, platform: str, chat_id: str, message_id: str, text: str, now: datetime
    ) -> bool | None:
        """Update the reply stored for an edited message, wherever the edit arrived.

        Returns:
            ``None`` when no reply is stored for the message, ``False`` when its dialogue
            is no longer open (the edit is refused), ``True`` once updated.
        """
        reply = await self._reply_for(platform, chat_id, message_id)
        if reply is None:
            return None
        dialogue = await self.session.scalar(
            select(Dialogue.status)
            .join(Prompt, Prompt.dialogue_id == Dialogue.id)
            .where(Prompt.id == reply.prompt_id)
        )
        if dialogue != "open":
            return False
        reply.text, reply.edited_at = text, now
        return True

    async def mark_deleted(self, platform: str, chat_id: str, message_id: str, now: datetime) -> bool:
        reply = await self._reply_for(platform, chat_id, message_id)
        if reply is None or reply.deleted_at is not None:
            return False
        reply.deleted_at = now
        await self.session.flush()
        return True

    async def _reply_for(self, platform: str, chat_id: str, message_id: str) -> Reply | None:
        query = (
            select(Reply)
            .where(Reply.platform == platform, Reply.chat_id == chat_id, Reply.message_id == message_id)
            .order_by(Reply.id.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def replies(self, prompt_ids: Sequence[int]) -> dict[int, list[ExportedReply]]:
        """The replies not deleted, per prompt, in order, with the author's name and country."""
        found: dict[int, list[ExportedReply]] = {prompt_id: [] for prompt_id in prompt_ids}
        if not prompt_ids:
            return found
        query = (
            select(Reply, Person.display_name, Person.country)
            .outerjoin(Person, Person.id == Reply.person_id)
            .where(Reply.prompt_id.in_(prompt_ids), Reply.deleted_at.is_(None))
            .order_by(Reply.created_at, Reply.id)
        )
        for reply, name, country in await self.session.execute(query):
            found[reply.prompt_id].append(
                ExportedReply(
                    name or "", country, reply.platform, reply.created_at, reply.edited_at, reply.text
                )
            )
        return found

    async def reply_counts(self, prompt_ids: Sequence[int]) -> dict[int, int]:
        """How many replies (not deleted) each prompt has; each stored once, where it was written."""
        counts = dict.fromkeys(prompt_ids, 0)
        if prompt_ids:
            query = (
                select(Reply.prompt_id, func.count())
                .where(Reply.prompt_id.in_(prompt_ids), Reply.deleted_at.is_(None))
                .group_by(Reply.prompt_id)
            )
            counts.update({prompt_id: int(n) for prompt_id, n in await self.session.execute(query)})
        return counts

    async def digest(self, dialogue_id: int) -> tuple[int, int, list[str]]:
        """Replies, distinct participants and their countries, for a closing message."""
        base = (
            select(Reply.person_id, Person.country)
            .join(Prompt, Prompt.id == Reply.prompt_id)
            .outerjoin(Person, Person.id == Reply.person_id)
            .where(Prompt.dialogue_id == dialogue_id, Reply.deleted_at.is_(None))
        )
        rows = list(await self.session.execute(base))
        people = {person for person, _ in rows if person is not None}
        countries = sorted({country for _, country in rows if country})
        return len(rows), len(people), countries
