"""The files of outbox rows: fetched from the platform they were posted on, kept, then sent.

A relayed photo or document is written with its outbox row as where to fetch it
(:mod:`storage.outbox_files`). Before the row's first send, :class:`FileFetcher` asks the
platform the file was posted on for its bytes (:meth:`Platform.download`) and keeps them
with the row in a transaction of their own, so a retry, or a send after a restart, carries
the same file without fetching it again; the row keeps its idempotency key (Matrix
transaction ids), so a repeated send is still dropped there. A file that cannot be
fetched (its platform is not running, or cannot fetch it) goes as the note saying what it
was; a file too large for either platform's :class:`~bot.core.types.FileLimits` as the
note saying where it is.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace

from bot.core.platform import Platform
from bot.core.text import Text
from bot.core.types import Attachment, OutgoingMessage
from storage.db import Database
from storage.outbox_files import OutboxFiles, RelayedFile

log = logging.getLogger(__name__)


class FileFetcher:
    """Puts a row's file into its message, fetching and keeping it the first time.

    Args:
        db: the database.
        platforms: running platforms by name (the file's own fetches it).
    """

    def __init__(self, db: Database, platforms: Mapping[str, Platform]) -> None:
        self.db = db
        self.platforms = platforms
        #: Files fetched from their platforms (tests check a retry fetches nothing).
        self.fetches = 0

    async def with_file(
        self, message: OutgoingMessage, file: RelayedFile, target: Platform
    ) -> OutgoingMessage:
        """``message`` with ``file`` attached and its text as the caption, or one of its notes.

        Raises:
            PlatformError: fetching failed and may succeed later (the row is retried).
        """
        data: bytes | None
        if file.fetched:
            async with self.db.transaction() as session:
                data = await OutboxFiles(session).data(file.outbox_id)
        else:
            fetched = await self._fetch(file)
            if isinstance(fetched, Text):
                return _as_note(message, fetched)
            data = fetched
        if data is None:
            return _as_note(message, file.note)
        if not target.file_limits.sendable(len(data), file.is_image):
            return _as_note(message, file.too_large)
        if not file.fetched:
            async with self.db.transaction() as session:
                await OutboxFiles(session).keep(file.outbox_id, data)
        attachment = Attachment(file.filename, data, file.media_type)
        return replace(message, attachments=(attachment,), captioned=True)

    async def _fetch(self, file: RelayedFile) -> bytes | Text | None:
        """The file's bytes, or the note to send instead."""
        source = self.platforms.get(file.source_platform)
        size = file.media.size
        if source is not None and size is not None and size > source.file_limits.download:
            return file.too_large
        async with self.db.transaction() as session:
            kept = await OutboxFiles(session).fetched_elsewhere(file.source_platform, file.media.ref or "")
        if kept is not None:
            return kept
        if source is None:
            log.info(
                "outbox row %d: %s is not running; its file goes as a note",
                file.outbox_id,
                file.source_platform,
            )
            return file.note
        self.fetches += 1
        data = await source.download(file.media)
        if data is not None and len(data) > source.file_limits.download:
            return file.too_large
        return data


def _as_note(message: OutgoingMessage, note: Text) -> OutgoingMessage:
    return replace(message, text=note, attachments=(), captioned=False)
