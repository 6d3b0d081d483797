"""Files on Telegram: fetching a member's photo or document, and sending one.

A file is fetched with ``getFile`` (up to 20 MB), then downloaded from the file URL,
which contains the bot's token: it never leaves the adapter. A file is sent with
``sendPhoto`` (an image up to 10 MB) or ``sendDocument`` (up to 50 MB; a larger photo
goes as a document), with the message's text as its caption when it fits
(:data:`~bot.platforms.telegram.limits.CAPTION_LIMIT`); see
:data:`~bot.platforms.telegram.limits.FILE_LIMITS`.
"""

from __future__ import annotations

from typing import Any

from telegram import Bot, InputFile, Message
from telegram.constants import ParseMode

from bot.core.errors import PlatformError
from bot.core.types import Attachment, Media
from bot.platforms.telegram.errors import converted
from bot.platforms.telegram.limits import CAPTION_LIMIT, FILE_LIMITS

#: What the Bot API answers ``getFile`` for a file it will never hand over: one over its
#: download limit, or one it no longer knows.
_REFUSED = ("file is too big", "wrong file_id")


async def download(bot: Bot, media: Media) -> bytes | None:
    """The bytes of a file a member sent, or ``None`` if Telegram will not hand it over.

    Raises:
        PlatformError: the Bot API failed, and may not next time.
    """
    if media.ref is None or (media.size is not None and media.size > FILE_LIMITS.download):
        return None
    try:
        async with converted():
            file = await bot.get_file(media.ref)
            return bytes(await file.download_as_bytearray())
    except PlatformError as error:
        if any(refused in str(error).lower() for refused in _REFUSED):
            return None
        raise


async def send_file(bot: Bot, target: dict[str, Any], attachment: Attachment, caption: str | None) -> Message:
    """Send one file to ``target`` (``chat_id``, ``message_thread_id``), with an HTML caption."""
    upload = InputFile(attachment.data, filename=attachment.filename)
    text: dict[str, Any] = {"caption": caption, "parse_mode": ParseMode.HTML} if caption else {}
    async with converted():
        if attachment.is_image and len(attachment.data) <= FILE_LIMITS.image:
            return await bot.send_photo(photo=upload, **target, **text)
        return await bot.send_document(document=upload, **target, **text)


def caption_of(pieces: list[str], plain_length: int, captioned: bool) -> str | None:
    """The HTML caption a captioned message's file carries, if its text fits one."""
    if captioned and len(pieces) == 1 and plain_length <= CAPTION_LIMIT:
        return pieces[0]
    return None


async def edit_caption(bot: Bot, chat_id: int, message_id: int, caption: str) -> None:
    """Replace a file's caption (a relayed file's copy, whose original was edited).

    Args:
        caption: HTML of at most :data:`CAPTION_LIMIT` characters as a member reads it.
    """
    try:
        async with converted():
            await bot.edit_message_caption(
                chat_id=chat_id,
                message_id=message_id,
                caption=caption[:CAPTION_LIMIT],
                parse_mode=ParseMode.HTML,
            )
    except PlatformError as error:
        if "not modified" not in str(error):
            raise
