"""How a relayed message reads in the other copies of its conversation.

A relayed copy names its author and the platform it was written on ("Amina Diallo
(Telegram): …"), in the community's language, the name in bold. A photo or document the
platform it was posted on can fetch (:attr:`Media.ref`) is copied with the attribution
as its caption, within both platforms' :class:`~bot.core.types.FileLimits`; a file too
large to fetch or to send is a note saying where it is ("see it on Telegram": a link is
no way out, a Telegram file URL contains the bot's token and a Matrix ``mxc://`` URI
works only on Matrix). A video, an audio message, or a file that cannot be fetched is a
note naming what it was, with its caption.
"""

from __future__ import annotations

from dataclasses import dataclass

from babel.units import format_unit

from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.text import Text, bold, fill
from bot.core.types import IncomingMessage, Media, MediaKind
from bot.services import Ctx

#: How a relayed text message reads.
ATTRIBUTION = N_("{name} ({platform}): {text}")

#: What a relayed file reads, by kind: (with a caption, without one).
_MEDIA_NOTES: dict[MediaKind, tuple[str, str]] = {
    MediaKind.PHOTO: (
        N_("{name} ({platform}) sent a photo: {text}"),
        N_("{name} ({platform}) sent a photo."),
    ),
    MediaKind.VIDEO: (
        N_("{name} ({platform}) sent a video: {text}"),
        N_("{name} ({platform}) sent a video."),
    ),
    MediaKind.AUDIO: (
        N_("{name} ({platform}) sent an audio message: {text}"),
        N_("{name} ({platform}) sent an audio message."),
    ),
    MediaKind.DOCUMENT: (
        N_("{name} ({platform}) sent a document, {file}: {text}"),
        N_("{name} ({platform}) sent a document, {file}."),
    ),
}


#: What a file too large to copy reads, by kind: (with a caption, without one).
_TOO_LARGE: dict[MediaKind, tuple[str, str]] = {
    MediaKind.PHOTO: (
        N_("{name} ({platform}): {text} (a photo too large to copy here, {size}: see it on {platform})"),
        N_("{name} ({platform}) sent a photo too large to copy here ({size}): see it on {platform}."),
    ),
    MediaKind.DOCUMENT: (
        N_(
            "{name} ({platform}): {text} (a document too large to copy here, {file}, {size}: see it on {platform})"
        ),
        N_(
            "{name} ({platform}) sent a document too large to copy here, {file} ({size}): see it on {platform}."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class FileCopy:
    """How a message with a file is copied to one platform.

    Attributes:
        text: the copy's text (the file's caption when ``media`` is set).
        media: the file to copy with it, or ``None`` when the copy is a note.
        note: the copy when the file cannot be fetched after all.
        too_large: the copy when the file turns out too large to copy.
    """

    text: Text
    media: Media | None = None
    note: Text | None = None
    too_large: Text | None = None


def file_copy(ctx: Ctx, text: str | None, media: Media, target: Platform | None) -> FileCopy:
    """The copy of a message that carried ``media``, for the platform ``target``.

    The file goes with it when the event's platform can fetch it and both platforms'
    limits allow its size (when known: a file of unknown size is measured once fetched).
    """
    note = attributed(ctx, text, media)
    if media.ref is None or media.kind not in _TOO_LARGE or target is None:
        return FileCopy(note)
    source = ctx.platform.file_limits
    too_large = _too_large(ctx, text, media)
    image = media.kind is MediaKind.PHOTO
    if media.size is not None and (
        media.size > source.download or not target.file_limits.sendable(media.size, image)
    ):
        return FileCopy(too_large)
    if source.download == 0 or not target.file_limits.sendable(1, image):
        return FileCopy(note)  # one of the two platforms handles no files
    return FileCopy(caption(ctx, text, media), media, note, too_large)


def caption(ctx: Ctx, text: str | None, media: Media | None) -> Text:
    """What a copy reads once edited: a copied file's caption, or the note that stands for it."""
    if media is not None and media.ref is not None and media.kind in _TOO_LARGE:
        return attributed(ctx, text) if text else attributed(ctx, None, media)
    return attributed(ctx, text, media)


def _too_large(ctx: Ctx, text: str | None, media: Media) -> Text:
    catalogs = ctx.services.catalogs
    community = catalogs.translator(catalogs.default)
    with_caption, without = _TOO_LARGE[media.kind]
    size = "—"
    if media.size is not None:
        size = format_unit(
            max(0.1, media.size / 1_000_000),
            "digital-megabyte",
            length="short",
            format="#,##0.#",
            locale=catalogs.default,
        )
    values: dict[str, object] = {
        "name": bold(ctx.actor.display_name),
        "platform": ctx.platform.display_name,
        "file": media.filename or "—",
        "size": size,
        "text": text or "",
    }
    return fill(community.gettext(with_caption if text else without), values)


def relayable(event: IncomingMessage) -> bool:
    """Whether the message has something to relay: text, or a file."""
    return event.text is not None or event.media is not None


def attributed(ctx: Ctx, text: str | None, media: Media | None = None) -> Text:
    """The copy of a message: its author's community name, platform and ``text``.

    Args:
        ctx: the unit of work of the message.
        text: the message's text, or the file's caption.
        media: the file the message carried, if any: the copy then says what it was.
    """
    catalogs = ctx.services.catalogs
    community = catalogs.translator(catalogs.default)
    values: dict[str, object] = {"name": bold(ctx.actor.display_name), "platform": ctx.platform.display_name}
    if media is None:
        template = ATTRIBUTION
    else:
        with_caption, without = _MEDIA_NOTES[media.kind]
        template = with_caption if text else without
        values["file"] = media.filename or "—"
    values["text"] = text or ""
    return fill(community.gettext(template), values)
