"""Members' own threads (``/thread``): one conversation with a copy on every platform.

A member thread is written with one copy row per platform that has a community chat,
in the unit of work of the ``/thread`` command; each platform is asked to open its copy
after the commit, and what it answered (the thread and its opening message) is recorded
in a unit of work of its own. A copy whose platform failed is dropped, so the thread
lives on the others. Messages in a copy are relayed to the others' like a prompt's
replies (:class:`~storage.dialogues.relays.RelayRepository`), but they are no dialogue
replies: nothing here refers to a prompt.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update

from bot.core.types import ChatRef
from storage.dialogues.relays import ThreadCopy
from storage.models import MemberThread, MemberThreadCopy
from storage.repository import SessionRepository

#: Telegram's limit for a forum topic's name; the other platforms take it too.
TITLE_LIMIT = 128


class MemberThreadRepository(SessionRepository):
    """Reads and writes members' threads and their copies within one unit of work."""

    async def create(self, title: str, person_id: int | None, chats: Iterable[ChatRef], now: datetime) -> int:
        """Store a new thread, to be opened in each of ``chats``; its id."""
        thread = MemberThread(title=title, person_id=person_id, created_at=now)
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
        """The member thread whose copy ``chat`` (with its thread id) is, if any."""
        if chat.thread_id is None:
            return None
        query = select(MemberThreadCopy.member_thread_id).where(
            MemberThreadCopy.platform == chat.platform,
            MemberThreadCopy.chat_id == chat.id,
            MemberThreadCopy.thread_id == chat.thread_id,
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
