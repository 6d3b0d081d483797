"""Sync tokens kept in the database, for a platform that several instances take turns receiving.

Matrix confirms what a client has received by the ``next_batch`` token it syncs from next.
When one instance receives at a time (under a lease) and another takes over, the newcomer
must resume from the last token whose events were all handled, wherever that was handled:
a token in one machine's files would make the next holder start over (events handled
again) or start from now (events lost). The adapter cannot reach storage (the layers),
so the shell hands it a :class:`StoredSyncTokens`.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from storage.db import Database
from storage.state import StateStore

#: ``bot_state.key``'s length.
KEY_LENGTH = 100


class StoredSyncTokens:
    """One platform's sync tokens by account, in ``bot_state``, each call a transaction of its own.

    One write per sync batch that carried events (and per long poll that timed out), a few
    per second at the busiest: a small row, rewritten.

    Args:
        db: the database.
        platform: the platform whose tokens these are.
    """

    def __init__(self, db: Database, platform: str) -> None:
        self.db = db
        self.platform = platform

    def _key(self, account: str) -> str:
        key = f"sync-token.{self.platform}.{account}"
        if len(key) > KEY_LENGTH:  # a long user id: its digest names it as well
            key = f"sync-token.{self.platform}.{hashlib.sha256(account.encode()).hexdigest()}"
        return key

    async def load(self, account: str) -> str | None:
        """The last confirmed token of ``account``, if any."""
        async with self.db.transaction() as session:
            token = await StateStore(session).get(self._key(account))
        return token if isinstance(token, str) and token else None

    async def save(self, account: str, token: str) -> None:
        """Confirm ``token``: every event before it has been handled."""
        async with self.db.transaction() as session:
            await StateStore(session).set(self._key(account), token, datetime.now(UTC))
