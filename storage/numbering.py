"""The numbers a platform handed out, for a platform that numbers threads and messages itself.

The console counts its threads and messages in memory; a new process would start again
at 1 and give a new thread or message the id of one already stored (a member thread's
copy taken for a prompt's thread, a message taken for one already relayed). The shell
reads the highest numbers stored here at start and the console continues after them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, select, union_all
from sqlalchemy.orm import InstrumentedAttribute

from storage.db import Database
from storage.models import MemberThreadCopy, OutboxMessage, PromptPost, RelayedMessage, Reply


async def highest_thread_number(db: Database, platform: str) -> int:
    """The highest numeric thread id ``platform`` gave a prompt's post or a member thread's copy."""
    return await _highest(
        db,
        (
            _ids(PromptPost.thread_id, PromptPost.platform == platform),
            _ids(MemberThreadCopy.thread_id, MemberThreadCopy.platform == platform),
        ),
    )


async def highest_message_number(db: Database, platform: str) -> int:
    """The highest numeric message id stored for ``platform``: posts, replies, relays, sent messages."""
    return await _highest(
        db,
        (
            _ids(PromptPost.message_id, PromptPost.platform == platform),
            _ids(MemberThreadCopy.message_id, MemberThreadCopy.platform == platform),
            _ids(Reply.message_id, Reply.platform == platform),
            _ids(RelayedMessage.source_message, RelayedMessage.source_platform == platform),
            _ids(OutboxMessage.message_id, OutboxMessage.platform == platform),
        ),
    )


def _ids(column: InstrumentedAttribute[Any], where: ColumnElement[bool]) -> Select[Any]:
    return select(column.label("id")).where(where, column.is_not(None))


async def _highest(db: Database, queries: Iterable[Select[Any]]) -> int:
    # Ids are strings; only the console's (all digits) matter, and it runs small
    # communities, so they are compared in Python rather than cast in two SQL dialects.
    async with db.transaction() as session:
        found = (await session.execute(union_all(*queries))).scalars()
        return max((int(value) for value in found if isinstance(value, str) and value.isdigit()), default=0)
