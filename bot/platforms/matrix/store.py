"""The adapter's own files under ``COPBOT_MATRIX__STORE_PATH``.

Next to matrix-nio's encryption store (device keys, Olm and Megolm sessions) the adapter
keeps the login (``credentials.json``, so the bot logs in once and keeps its device) and
the sync token (``sync-token``), which is written only once every event of a sync batch
has been handled. Each file is replaced atomically: a crash leaves the old one or the new.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Credentials:
    """A login the bot can restore: same device, same access token."""

    homeserver: str
    user_id: str
    device_id: str
    access_token: str


class AdapterStore:
    """Reads and writes the adapter's files in ``path`` (created if missing).

    Args:
        path: the store folder.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    @property
    def crypto_path(self) -> Path:
        """Where matrix-nio keeps its encryption store."""
        folder = self.path / "crypto"
        folder.mkdir(exist_ok=True)
        return folder

    def credentials(self, homeserver: str, user_id: str) -> Credentials | None:
        """The stored login for this account and homeserver, if any."""
        try:
            data = json.loads((self.path / "credentials.json").read_text())
            found = Credentials(**data)
        except (OSError, ValueError, TypeError):
            return None
        return found if (found.homeserver, found.user_id) == (homeserver, user_id) else None

    def save_credentials(self, credentials: Credentials) -> None:
        self._write("credentials.json", json.dumps(asdict(credentials)), private=True)

    def sync_token(self) -> str | None:
        """The token of the last sync whose events were all handled."""
        try:
            return (self.path / "sync-token").read_text().strip() or None
        except OSError:
            return None

    def save_sync_token(self, token: str) -> None:
        self._write("sync-token", token)

    def _write(self, name: str, text: str, *, private: bool = False) -> None:
        handle, temporary = tempfile.mkstemp(dir=self.path, prefix=f".{name}.")
        try:
            with os.fdopen(handle, "w") as file:
                file.write(text)
                file.flush()
                os.fsync(file.fileno())
            if private:
                os.chmod(temporary, 0o600)
            os.replace(temporary, self.path / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise


class FileSyncTokens:
    """The sync token in the store's ``sync-token`` file (a single process receives).

    Args:
        store: the adapter's store.
    """

    def __init__(self, store: AdapterStore) -> None:
        self.store = store

    async def load(self) -> str | None:
        return self.store.sync_token()

    async def save(self, token: str) -> None:
        await asyncio.to_thread(self.store.save_sync_token, token)


class SharedSyncTokens(Protocol):
    """Sync tokens by account, kept where every instance reads them (the database)."""

    async def load(self, account: str) -> str | None: ...

    async def save(self, account: str, token: str) -> None: ...


class AccountSyncTokens:
    """The sync token of one account, in a store that several instances share (the database).

    Args:
        shared: tokens by account (the shell hands the database's, ``storage.sync_tokens``).
        account: the bot's Matrix user id: another account does not resume from this one's token.
    """

    def __init__(self, shared: SharedSyncTokens, account: str) -> None:
        self.shared = shared
        self.account = account

    async def load(self) -> str | None:
        return await self.shared.load(self.account)

    async def save(self, token: str) -> None:
        await self.shared.save(self.account, token)
