"""Requests to join a community chat that wait for an answer, kept across restarts.

A platform adapter cannot reach storage (the layers), so the shell hands it a
:class:`StoredJoinRequests` for its platform: the adapter writes a request when it
arrives, forgets it once approved, and reads those still waiting when it starts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from storage.db import Database
from storage.models import JoinRequestRow


class StoredJoinRequests:
    """The pending join requests of one platform, each call in a transaction of its own.

    Join requests are rare (one per applicant), so a commit each costs nothing that matters.

    Args:
        db: the database.
        platform: the platform whose requests these are.
    """

    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    async def remember(self, user_id: str, chat_id: str, user_chat_id: str, at: datetime) -> None:
        """Keep ``user_id``'s request to join ``chat_id`` (a repeated request replaces it)."""
        async with self.db.transaction() as session:
            await session.merge(
                JoinRequestRow(
                    platform=self.platform,
                    user_id=user_id,
                    chat_id=chat_id,
                    user_chat_id=user_chat_id,
                    requested_at=at,
                )
            )

    async def forget(self, user_id: str) -> None:
        """The request was answered (or is gone): it is no longer kept."""
        async with self.db.transaction() as session:
            await session.execute(
                delete(JoinRequestRow).where(
                    JoinRequestRow.platform == self.platform, JoinRequestRow.user_id == user_id
                )
            )

    async def waiting(self, since: datetime) -> dict[str, str]:
        """The requests made since ``since``, by user id: the chat to write to the requester in.

        Older ones are removed: the platform has let them lapse, or nobody will answer them.
        """
        async with self.db.transaction() as session:
            await session.execute(
                delete(JoinRequestRow).where(
                    JoinRequestRow.platform == self.platform, JoinRequestRow.requested_at < since
                )
            )
            rows = await session.scalars(
                select(JoinRequestRow).where(JoinRequestRow.platform == self.platform)
            )
            return {row.user_id: row.user_chat_id for row in rows}
