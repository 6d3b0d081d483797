"""The files outbox rows carry: relayed photos and documents, fetched once and kept.

A relayed file is written with its outbox row as where to fetch it (the platform it was
posted on and that platform's handle), with two notes to send instead: one for a file
that cannot be fetched, one for a file too large to copy. The sender
(:mod:`bot.outbox_files`) fetches the bytes before the row's first send and keeps them
here, so a retried or restarted send carries the same file without fetching it again.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, update

from bot.core.text import Text
from bot.core.types import Media, MediaKind
from storage import messages
from storage.models import OutboxAttachment
from storage.repository import SessionRepository

#: The name and type a file is sent with when its platform gives none (Telegram photos).
_DEFAULT_NAMES = {MediaKind.PHOTO: "photo.jpg"}
_DEFAULT_TYPES = {MediaKind.PHOTO: "image/jpeg"}


@dataclass(frozen=True, slots=True)
class RelayedFile:
    """A file an outbox row carries, as stored.

    Attributes:
        outbox_id: its row.
        source_platform: the platform it was posted on, which can fetch it.
        media: the file as that platform described it (its ``ref`` fetches it).
        note: the row's text when the file cannot be fetched.
        too_large: the row's text when the file is too large to copy.
        fetched: whether its bytes are kept already.
    """

    outbox_id: int
    source_platform: str
    media: Media
    note: Text
    too_large: Text
    fetched: bool

    @property
    def filename(self) -> str:
        return self.media.filename or _DEFAULT_NAMES.get(self.media.kind, "file")

    @property
    def media_type(self) -> str:
        return self.media.media_type or _DEFAULT_TYPES.get(self.media.kind, "application/octet-stream")

    @property
    def is_image(self) -> bool:
        return self.media.kind is MediaKind.PHOTO or self.media_type.startswith("image/")


class OutboxFiles(SessionRepository):
    """The ``outbox_attachments`` table."""

    async def attach(
        self, outbox_id: int, source_platform: str, media: Media, note: Text, too_large: Text
    ) -> None:
        """Record that row ``outbox_id`` carries ``media`` from ``source_platform``.

        Raises:
            ValueError: ``media`` has no ``ref`` to fetch it with.
        """
        if media.ref is None:
            raise ValueError("a file without a ref cannot be fetched")
        self.session.add(
            OutboxAttachment(
                outbox_id=outbox_id,
                source_platform=source_platform,
                source_ref=media.ref,
                kind=media.kind.value,
                filename=media.filename or _DEFAULT_NAMES.get(media.kind, "file"),
                media_type=media.media_type or _DEFAULT_TYPES.get(media.kind, "application/octet-stream"),
                size=media.size,
                note={"text": messages.encode_text(note)},
                too_large={"text": messages.encode_text(too_large)},
            )
        )
        await self.session.flush()

    async def of(self, outbox_ids: Collection[int]) -> dict[int, RelayedFile]:
        """The files of these rows (rows without one are left out), without their bytes."""
        if not outbox_ids:
            return {}
        rows = await self.session.execute(
            select(OutboxAttachment, OutboxAttachment.data.is_not(None)).where(
                OutboxAttachment.outbox_id.in_(list(outbox_ids))
            )
        )
        return {row.outbox_id: _relayed(row, bool(fetched)) for row, fetched in rows}

    async def data(self, outbox_id: int) -> bytes | None:
        """The bytes kept for a row's file, if they were fetched."""
        return await self.session.scalar(
            select(OutboxAttachment.data).where(OutboxAttachment.outbox_id == outbox_id)
        )

    async def fetched_elsewhere(self, source_platform: str, source_ref: str) -> bytes | None:
        """The bytes of the same file kept for another row (a file relayed to two platforms)."""
        return await self.session.scalar(
            select(OutboxAttachment.data)
            .where(
                OutboxAttachment.source_platform == source_platform,
                OutboxAttachment.source_ref == source_ref,
                OutboxAttachment.data.is_not(None),
            )
            .limit(1)
        )

    async def keep(self, outbox_id: int, data: bytes) -> None:
        """Keep the fetched bytes of a row's file."""
        await self.session.execute(
            update(OutboxAttachment).where(OutboxAttachment.outbox_id == outbox_id).values(data=data)
        )


def _relayed(row: OutboxAttachment, fetched: bool) -> RelayedFile:
    media = Media(MediaKind(row.kind), row.filename, row.source_ref, row.size, row.media_type)
    return RelayedFile(
        row.outbox_id,
        row.source_platform,
        media,
        messages.decode_text(row.note["text"]),
        messages.decode_text(row.too_large["text"]),
        fetched,
    )
