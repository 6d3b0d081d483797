"""How a relayed message reads in the other copies of its conversation.

A relayed copy names its author and the platform it was written on ("Amina Diallo
(Telegram): …"), in the community's language, the name in bold. A photo, video, audio
message or document is relayed as a note naming what it was, with its caption: the file
itself stays where it was posted. Relaying the bytes would need the outbox to carry
files and each adapter to download them, and a link is no way out (a Telegram file URL
contains the bot's token; Matrix media needs an account on the homeserver).
"""

from __future__ import annotations

from bot.core.i18n import N_
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
