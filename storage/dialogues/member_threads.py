"""Members' own threads (``/thread``): one conversation with a copy on every platform.

A member thread is written with one copy row per platform that has a community chat,
in the unit of work of the ``/thread`` command; each platform is asked to open its copy
after the commit, and what it answered (the thread and its opening message) is recorded
in a unit of work of its own. A copy whose platform failed is dropped, so the thread
lives on the others. Messages in a copy are relayed to the others' like a prompt's
replies (:class:`~storage.dialogues.relays.RelayRepository`), but they are no dialogue
replies: nothing here refers to a prompt. A thread keeps only how many messages were
written in it and when the last one was (for ``/threads``), never who wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update

from bot.core.types import ChatRef
from storage.dialogues.relays import ThreadCopy
from storage.models import MemberThread, MemberThreadCopy, Person
from storage.repository import SessionRepository

#: Telegram's limit for a forum topic's name; the other platforms take it too.
TITLE_LIMIT = 128


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """An open member thread as ``/threads`` lists it.

    Attributes:
        id: the thread's number.
        title: its title.
        starter: the display name of the person who opened it (empty once forgotten).
        messages: how many messages members wrote in it.
        last_activity: when the last one was written (or the thread opened).
    """

    id: int
    title: str
    starter: str
    messages: int
    last_activity: datetime


class MemberThreadRepository(SessionRepository):
    """Reads and writes members' threads and their copies within one unit of work."""

    async def create(self, title: str, person_id: int | None, chats: Iterable[ChatRef], now: datetime) -> int:
        """Store a new thread, to be opened in each of ``chats``; its id."""
        thread = MemberThread(title=title, person_id=person_id, created_at=now, last_activity_at=now)
        self.session.add(thread)
        await self.session.flush()
        self.session.add_all(
            MemberThreadCopy(member_thread_id=thread.id, platform=chat.platform, chat_id=chat.id)
            for chat in chats
        )
        await self.session.flush()
        return thread.id

    async def record_opened(self, thread_id: int, opening: ChatRef, message_id: str, now: datetime) -> None:
        """The platform opened the copy: ``opening`` is its chat and thread."""
        await self.session.execute(
            update(MemberThreadCopy)
            .where(
                MemberThreadCopy.member_thread_id == thread_id,
                MemberThreadCopy.platform == opening.platform,
                MemberThreadCopy.chat_id == opening.id,
            )
            .values(thread_id=opening.thread_id, message_id=message_id, opened_at=now)
        )

    async def drop_copy(self, thread_id: int, chat: ChatRef) -> None:
        """The platform could not open the copy: the thread lives on without it."""
        await self.session.execute(
            delete(MemberThreadCopy).where(
                MemberThreadCopy.member_thread_id == thread_id,
                MemberThreadCopy.platform == chat.platform,
                MemberThreadCopy.chat_id == chat.id,
            )
        )

    async def thread_at(self, chat: ChatRef) -> int | None:
        """The open member thread whose copy ``chat`` (with its thread id) is, if any."""
        if chat.thread_id is None:
            return None
        query = (
            select(MemberThreadCopy.member_thread_id)
            .join(MemberThread, MemberThread.id == MemberThreadCopy.member_thread_id)
            .where(
                MemberThreadCopy.platform == chat.platform,
                MemberThreadCopy.chat_id == chat.id,
                MemberThreadCopy.thread_id == chat.thread_id,
                MemberThread.closed_at.is_(None),
            )
        )
        return (await self.session.execute(query.limit(1))).scalar()

    async def copies(self, thread_id: int) -> list[ThreadCopy]:
        """The thread's copies opened so far, in the order they were written."""
        query = (
            select(MemberThreadCopy)
            .where(MemberThreadCopy.member_thread_id == thread_id, MemberThreadCopy.thread_id.is_not(None))
            .order_by(MemberThreadCopy.id)
        )
        return [
            ThreadCopy(ChatRef(copy.platform, copy.chat_id, copy.thread_id), copy.message_id)
            for copy in (await self.session.execute(query)).scalars()
        ]

    async def count_message(self, thread_id: int, now: datetime) -> None:
        """A member wrote in one of the thread's copies: one more message, active ``now``."""
        await self.session.execute(
            update(MemberThread)
            .where(MemberThread.id == thread_id)
            .values(message_count=MemberThread.message_count + 1, last_activity_at=now)
        )

    async def open_thread(self, thread_id: int) -> MemberThread | None:
        """Thread ``thread_id`` if it exists and is open."""
        thread = await self.session.get(MemberThread, thread_id)
        return thread if thread is not None and thread.closed_at is None else None

    async def open_threads(self, offset: int, limit: int) -> tuple[list[ThreadSummary], int]:
        """A page of the open threads, the most recently active first, and how many there are."""
        open_ = MemberThread.closed_at.is_(None)
        total = (
            await self.session.execute(select(func.count()).select_from(MemberThread).where(open_))
        ).scalar_one()
        query = (
            select(MemberThread, Person.display_name)
            .outerjoin(Person, Person.id == MemberThread.person_id)
            .where(open_)
            .order_by(MemberThread.last_activity_at.desc(), MemberThread.id.desc())
            .offset(offset)
            .limit(limit)
        )
        page = [
            ThreadSummary(thread.id, thread.title, name or "", thread.message_count, thread.last_activity_at)
            for thread, name in (await self.session.execute(query)).all()
        ]
        return page, total

    async def close(self, thread_id: int, now: datetime) -> list[ThreadCopy] | None:
        """Close an open thread; its opened copies, or ``None`` if no such thread is open."""
        closed = await self.session.execute(
            update(MemberThread)
            .where(MemberThread.id == thread_id, MemberThread.closed_at.is_(None))
            .values(closed_at=now)
            .returning(MemberThread.id)
        )
        if closed.first() is None:
            return None
        return await self.copies(thread_id)
