"""What a platform keeps in the database, handed to it before it starts.

A platform's adapter knows no storage (platforms build on the kernel only); the shell
gives each what it declares it keeps:

* :class:`KeepsJoinRequests` (Telegram): pending join requests outlive a restart;
* :class:`KeepsSyncToken` (Matrix): with several instances, the sync token the next
  receiver resumes from (on SQLite the adapter's own store file keeps it);
* the console numbers its threads and messages itself, and goes on from the highest
  numbers stored.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.core.platform import Platform
from bot.platforms.console import ConsolePlatform
from storage.db import Database
from storage.join_requests import StoredJoinRequests
from storage.numbering import highest_message_number, highest_thread_number
from storage.sync_tokens import StoredSyncTokens


@runtime_checkable
class KeepsJoinRequests(Protocol):
    """A platform whose community chat takes join requests, kept in the database (Telegram)."""

    def keep_join_requests(self, book: StoredJoinRequests) -> None: ...


@runtime_checkable
class KeepsSyncToken(Protocol):
    """A platform that confirms what it received by a token (Matrix): shared instances keep it in the database."""

    def keep_sync_token(self, tokens: StoredSyncTokens) -> None: ...


async def hand_storage(platform: Platform, db: Database, *, shared: bool) -> None:
    """Give ``platform`` what it keeps in ``db``; ``shared``: other instances use ``db`` too."""
    if isinstance(platform, KeepsJoinRequests):
        platform.keep_join_requests(StoredJoinRequests(db, platform.name))
    if isinstance(platform, ConsolePlatform):
        platform.continue_after(
            await highest_thread_number(db, platform.name), await highest_message_number(db, platform.name)
        )
    if shared and isinstance(platform, KeepsSyncToken):
        platform.keep_sync_token(StoredSyncTokens(db, platform.name))
