"""Mirrored threads through the real Telegram adapter (the fake Bot API) and the console.

A prompt is posted as a forum topic on Telegram and as a thread on the console; replies
written on either side appear on the other, edits follow with ``editMessageText``,
deletions with ``deleteMessage``, and an answer to a relayed copy answers the original.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import CopBot
from bot.config import Settings
from bot.core.types import ChatRef, IncomingMessage, MessageDeleted, Role, UserRef
from bot.platforms.telegram.platform import TelegramPlatform
from handlers.dialogues.timers import DialogueTimers
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.models import OutboxMessage, PromptPost, Reply
from storage.users import UserRepository
from tests.fakes import FakeClock, RecordingConsole
from tests.platforms.telegram.fake import FakeRequest, FakeTelegram
from tests.platforms.telegram.test_platform import Running, telegram_settings

ALICE = 2


@dataclass
class Mirrored:
    tg: Running
    console: RecordingConsole
    topic: int

    async def settle(self, update_id: int | None = None) -> list[str]:
        """Handle an update (if any) and deliver the outbox; the console's new lines."""
        if update_id is not None:
            await self.tg.settle(update_id)
        await self.tg.bot.settle()
        return self.console.take()


@pytest.fixture
async def mirrored(db: Database, tmp_path: Path) -> AsyncIterator[Mirrored]:
    fake = FakeTelegram()
    fake.user(ALICE, "Alice")
    clock = FakeClock()
    settings = Settings(
        database_url=str(db.url.render_as_string(hide_password=False)),
        admins=("console:admin",),
        sample_data=False,
        files_dir=tmp_path / "files",
    )
    platform = TelegramPlatform(telegram_settings(fake), settings, request=FakeRequest(fake))
    platform.poll_timeout = 1
    console = RecordingConsole(tmp_path / "files")
    bot = CopBot(settings, [console, platform], clock=clock, db=db)
    await bot.start(migrate=False)
    now = clock.now()
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        dialogue = await repo.create(
            title={"en": "Current Situation"},
            start=date(2026, 9, 22),
            end=date(2026, 10, 17),
            timezone="UTC",
            now=now,
        )
        await repo.add_prompt(dialogue.id, {"en": "What changed?"}, now)
        users = UserRepository(session)
        for ref in (UserRef("telegram", str(ALICE), "Alice"), UserRef("console", "amina", "amina")):
            await users.grant((await users.resolve(ref, now)).person_id, Role.MEMBER, now)
    await bot.shared.get(DialogueTimers).run()
    await bot.settle()
    async with db.transaction() as session:
        topic = await session.scalar(select(PromptPost.thread_id).where(PromptPost.platform == "telegram"))
    assert topic is not None
    console.take()
    yield Mirrored(Running(fake, platform, bot), console, int(topic))
    await bot.stop()
    assert fake.unknown == []


async def _message_id(db: Database, text: str) -> str:
    async with db.transaction() as session:
        found = await session.scalar(select(Reply.message_id).where(Reply.text == text))
    assert found is not None
    return found


async def _copy_id(db: Database, platform: str) -> str:
    async with db.transaction() as session:
        found = await session.scalar(
            select(OutboxMessage.message_id)
            .where(OutboxMessage.platform == platform)
            .order_by(OutboxMessage.id.desc())
        )
    assert found is not None
    return found


async def test_a_telegram_reply_reaches_the_console_and_its_edit_follows(mirrored: Mirrored) -> None:
    fake, db = mirrored.tg.fake, mirrored.tg.bot.db
    update = fake.say(ALICE, "Budgets shrank.", chat_id=fake.community_id, thread_id=mirrored.topic)
    assert await mirrored.settle(update) == ["[community/1] Alice (Telegram): Budgets shrank."]
    original = await _message_id(db, "Budgets shrank.")
    copy = await _copy_id(db, "console")
    update = fake.edit(
        ALICE, int(original), "Budgets shrank by half.", chat_id=fake.community_id, thread_id=mirrored.topic
    )
    assert await mirrored.settle(update) == [
        f"[community/1] (edited #{copy}) Alice (Telegram): Budgets shrank by half."
    ]
    # an answer on the console to the relayed copy answers Alice's message on Telegram
    await mirrored.tg.bot.handle(
        IncomingMessage(
            event_id="answer",
            sender=UserRef("console", "amina", "amina"),
            chat=ChatRef("console", "community", "1"),
            text="Ours too.",
            message_id="c-1",
            reply_to=copy,
        )
    )
    await mirrored.settle()
    relayed = fake.to(fake.community_id, mirrored.topic)[-1]
    assert relayed.text == "amina (Console): Ours too."
    assert "<b>amina</b>" in relayed.html
    assert relayed.reply_to == int(original)


async def test_a_console_reply_reaches_the_topic_and_edits_and_deletions_follow(mirrored: Mirrored) -> None:
    fake = mirrored.tg.fake
    await mirrored.console.feed("[community/1] So did ours.", "amina")
    await mirrored.settle()
    relayed = fake.to(fake.community_id, mirrored.topic)[-1]
    assert relayed.text == "amina (Console): So did ours."
    message_id = await _message_id(mirrored.tg.bot.db, "So did ours.")
    await mirrored.tg.bot.handle(
        IncomingMessage(
            event_id="edit",
            sender=UserRef("console", "amina", "amina"),
            chat=ChatRef("console", "community", "1"),
            text="So did ours, by a third.",
            message_id=message_id,
            edited=True,
        )
    )
    await mirrored.settle()
    assert (relayed.text, relayed.edits) == ("amina (Console): So did ours, by a third.", 1)
    await mirrored.tg.bot.handle(
        MessageDeleted(
            event_id="delete",
            sender=UserRef("console", "amina", "amina"),
            chat=ChatRef("console", "community"),
            message_id=message_id,
        )
    )
    await mirrored.settle()
    assert relayed not in fake.sent


async def test_a_file_in_the_topic_reaches_the_console_as_a_file_and_its_caption_is_the_reply(
    mirrored: Mirrored,
) -> None:
    fake, db = mirrored.tg.fake, mirrored.tg.bot.db
    document = fake.document(b"%PDF-1.7 plan", "plan.pdf", "application/pdf")
    update = fake.share(ALICE, document, "Our 2027 plan", chat_id=fake.community_id, thread_id=mirrored.topic)
    lines = await mirrored.settle(update)
    assert lines[0] == "[community/1] Alice (Telegram): Our 2027 plan"
    assert lines[1].startswith("[community/1] (file) ")
    assert Path(lines[1].removeprefix("[community/1] (file) ")).read_bytes() == b"%PDF-1.7 plan"
    update = fake.share(
        ALICE, fake.photo(b"\xff\xd8 jpeg"), chat_id=fake.community_id, thread_id=mirrored.topic
    )
    lines = await mirrored.settle(update)
    assert lines[0] == "[community/1] Alice (Telegram) sent a photo."
    assert Path(lines[1].removeprefix("[community/1] (file) ")).read_bytes() == b"\xff\xd8 jpeg"
    assert [call for call, _ in fake.calls if call == "getFile"] == ["getFile", "getFile"]
    async with db.transaction() as session:
        assert list(await session.scalars(select(Reply.text))) == ["Our 2027 plan"]


async def test_the_topic_and_a_private_reply_use_the_prompts_d_p_number(mirrored: Mirrored) -> None:
    fake = mirrored.tg.fake
    assert fake.topics[fake.community_id][mirrored.topic]["name"] == "Current Situation — prompt 1.1"
    await mirrored.settle(fake.say(ALICE, "/reply 1 Budgets shrank."))
    assert fake.texts(ALICE)[-1] == "Prompts are written dialogue.prompt: did you mean 1.1?"
    assert await mirrored.settle(fake.say(ALICE, "/reply 1.1 Budgets shrank.")) == [
        "[community/1] Alice (Telegram): Budgets shrank."
    ]
    assert fake.texts(ALICE)[-1] == (
        "Thank you! Your reply to 1.1 “What changed?” (Current Situation) is saved and posted in its thread."
    )
    assert fake.texts(fake.community_id, mirrored.topic)[-1] == "Alice replied: Budgets shrank."
