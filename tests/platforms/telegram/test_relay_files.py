"""Files relayed between a prompt's Telegram topic and its console thread, as files.

The real Telegram adapter against the fake Bot API (``getFile``, the file download,
``sendPhoto``, ``sendDocument``) and the console, whose ``(file PATH)`` lines are files.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import select

from bot.core.clock import SystemClock
from bot.core.types import ChatRef, IncomingMessage, Media, MediaKind, UserRef
from bot.outbox import OutboxSender
from storage.models import OutboxAttachment, OutboxMessage, Reply
from tests.platforms.telegram.test_relay import ALICE, Mirrored, mirrored

__all__ = ["mirrored"]  # the fixture


async def _console_says(mirrored: Mirrored, line: str) -> None:
    await mirrored.console.feed(line, "amina")
    await mirrored.tg.bot.settle()


async def test_a_console_file_reaches_the_topic_as_a_document_or_photo_with_the_attribution_as_caption(
    mirrored: Mirrored, tmp_path: Path
) -> None:
    fake = mirrored.tg.fake
    messages_before = [method for method, _ in fake.calls].count("sendMessage")
    plan = tmp_path / "plan 2027.pdf"
    plan.write_bytes(b"%PDF-1.7 our plan")
    await _console_says(mirrored, f"[community/1] (file {plan}) Our 2027 plan")
    document = fake.to(fake.community_id, mirrored.topic)[-1]
    assert (document.kind, document.filename, document.data) == (
        "document",
        "plan 2027.pdf",
        b"%PDF-1.7 our plan",
    )
    assert document.caption == "amina (Console): Our 2027 plan"
    photo_path = tmp_path / "workshop.jpg"
    photo_path.write_bytes(b"\xff\xd8 workshop")
    await _console_says(mirrored, f"[community/1] (file {photo_path})")
    photo = fake.to(fake.community_id, mirrored.topic)[-1]
    assert (photo.kind, photo.data, photo.caption) == (
        "photo",
        b"\xff\xd8 workshop",
        "amina (Console) sent a photo.",
    )
    # each copy is one message, its file with the attribution as caption: no text beside it
    assert [method for method, _ in fake.calls].count("sendMessage") == messages_before
    async with mirrored.tg.bot.db.transaction() as session:
        assert list(await session.scalars(select(Reply.text))) == ["Our 2027 plan"]
        message_id = await session.scalar(select(Reply.message_id))
    assert message_id is not None
    # an edited caption follows with editMessageCaption (the copy has no text to edit)
    await mirrored.tg.bot.handle(
        IncomingMessage(
            event_id="edit",
            sender=UserRef("console", "amina", "amina"),
            chat=ChatRef("console", "community", "1"),
            text="Our 2027 plan, revised",
            message_id=message_id,
            edited=True,
            media=Media(MediaKind.DOCUMENT, plan.name, str(plan)),
        )
    )
    await mirrored.tg.bot.settle()
    assert (document.caption, document.edits) == ("amina (Console): Our 2027 plan, revised", 1)
    assert "editMessageCaption" in [method for method, _ in fake.calls]


async def test_a_file_too_large_to_fetch_or_to_send_is_a_note_saying_where_it_is(
    mirrored: Mirrored, tmp_path: Path
) -> None:
    fake = mirrored.tg.fake
    # Telegram's getFile hands over 20 MB at most: the file stays there, the copy says so
    huge = fake.document(b"", "recording.pdf", "application/pdf", size=25 * 1024 * 1024)
    update = fake.share(
        ALICE, huge, "The full recording", chat_id=fake.community_id, thread_id=mirrored.topic
    )
    assert await mirrored.settle(update) == [
        "[community/1] Alice (Telegram): The full recording "
        "(a document too large to copy here, recording.pdf, 26.2 MB: see it on Telegram)"
    ]
    assert "getFile" not in [method for method, _ in fake.calls]
    # a bot sends Telegram 50 MB at most: a larger console file is a note in the topic
    video = tmp_path / "archive.zip"
    with video.open("wb") as out:
        out.truncate(51 * 1024 * 1024)
    await _console_says(mirrored, f"[community/1] (file {video})")
    assert fake.texts(fake.community_id, mirrored.topic)[-1] == (
        "amina (Console) sent a document too large to copy here, archive.zip (53.5 MB): see it on Console."
    )
    assert "sendDocument" not in [method for method, _ in fake.calls]


async def test_a_file_whose_send_failed_is_sent_once_from_the_kept_bytes_after_a_restart(
    mirrored: Mirrored, tmp_path: Path
) -> None:
    fake, bot = mirrored.tg.fake, mirrored.tg.bot
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(b"%PDF-1.7 kept")
    fake.throttle(fake.community_id, 0.3)  # the first send is refused: 429
    await mirrored.console.feed(f"[community/1] (file {plan}) Our plan", "amina")
    await bot.drain()
    async with asyncio.timeout(5):
        while True:
            async with bot.db.transaction() as session:
                row = await session.scalar(select(OutboxMessage).where(OutboxMessage.platform == "telegram"))
                kept = await session.scalar(select(OutboxAttachment.data))
            if row is not None and row.attempts == 0 and row.last_error is not None:
                break
            await asyncio.sleep(0.02)
    assert kept == b"%PDF-1.7 kept"  # fetched once, kept with the row before the send
    assert bot.outbox.files.fetches == 1
    # the sender dies; the file is gone from this machine; a new sender sends the kept bytes
    await bot.outbox.stop()
    plan.unlink()
    bot.outbox = OutboxSender(bot.db, bot.platforms, SystemClock(), bot.catalogs)
    await bot.outbox.start()
    await bot.settle()
    documents = [sent for sent in fake.to(fake.community_id, mirrored.topic) if sent.kind == "document"]
    assert [(sent.data, sent.caption) for sent in documents] == [
        (b"%PDF-1.7 kept", "amina (Console): Our plan")
    ]
    assert bot.outbox.files.fetches == 0
    async with bot.db.transaction() as session:
        assert (
            await session.scalar(select(OutboxMessage.status).where(OutboxMessage.platform == "telegram"))
        ) == "sent"
