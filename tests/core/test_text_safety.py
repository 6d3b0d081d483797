"""Text is cleaned where the kernel's value types are built: nothing later sees what breaks storage."""

from __future__ import annotations

import pytest

from bot.core.text_safety import REPLACEMENT, clean_optional, clean_text
from bot.core.types import ChatRef, IncomingMessage, JoinRequest, Media, MediaKind, UserRef


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("plain words, ñ, 中文, emoji 🎉", "plain words, ñ, 中文, emoji 🎉"),
        ("a\x00b", "ab"),
        ("bell\x07 escape\x1b[31m", "bell escape[31m"),
        ("tab\tand\nline", "tab\tand\nline"),
        ("windows\r\nline\rend", "windows\nline\nend"),
        ("lone \ud800 high", f"lone {REPLACEMENT} high"),
        ("lone \udfff low", f"lone {REPLACEMENT} low"),
        ("\x00", ""),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # what a database driver does with it


def test_clean_text_returns_safe_text_itself() -> None:
    text = "nothing to clean here"
    assert clean_text(text) is text
    assert clean_optional(None) is None


def test_every_text_field_of_an_incoming_event_is_cleaned() -> None:
    sender = UserRef("telegram", "1\x00", "Eve\ud800\x00", "es\x00", "eve\x1f")
    assert (sender.id, sender.display_name, sender.language, sender.username) == (
        "1",
        f"Eve{REPLACEMENT}",
        "es",
        "eve",
    )
    chat = ChatRef("telegram", "c\x00", "t\x00")
    assert (chat.id, chat.thread_id) == ("c", "t")
    message = IncomingMessage(
        event_id="e\x00",
        sender=sender,
        chat=chat,
        text="/wiki \x00\ud800",
        message_id="m\x00",
        reply_to="r\x00",
        button="wiki:\x00page",
        media=Media(MediaKind.DOCUMENT, "report\x00.pdf\ud800", "ref\x00", 3, "text/plain\x00"),
    )
    assert (message.event_id, message.text, message.message_id, message.reply_to, message.button) == (
        "e",
        f"/wiki {REPLACEMENT}",
        "m",
        "r",
        "wiki:page",
    )
    assert message.media is not None
    assert (message.media.filename, message.media.ref, message.media.media_type) == (
        f"report.pdf{REPLACEMENT}",
        "ref",
        "text/plain",
    )
    request = JoinRequest(event_id="j", sender=sender, chat=chat, reason="let me in\x00\ud800")
    assert request.reason == f"let me in{REPLACEMENT}"
