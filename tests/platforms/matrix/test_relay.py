"""Mirrored threads through the real Matrix adapter against Synapse, and the console.

A prompt is posted as an ``m.thread`` in the community room and as a console thread; a
Matrix member's reply appears on the console and its edit (``m.replace``) and redaction
follow; a console reply appears in the Matrix thread, and its edit and deletion follow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import CopBot
from bot.config import Settings
from bot.core.types import ChatRef, IncomingMessage, MessageDeleted, Role, UserRef
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.settings import MatrixSettings
from handlers.dialogues.timers import DialogueTimers
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.models import Reply
from storage.users import UserRepository
from tests.fakes import FakeClock, RecordingConsole
from tests.platforms.matrix.conftest import PASSWORD, Member, unique
from tests.platforms.matrix.synapse import Synapse
from tests.platforms.matrix.test_live import community, joined

pytestmark = pytest.mark.slow


@dataclass
class Mirrored:
    bot: CopBot
    console: RecordingConsole
    alice: Member
    room: str
    root: str

    async def console_shows(self, line: str, patience: float = 20.0) -> None:
        deadline = time.monotonic() + patience
        while line not in self.console.transcript():
            assert time.monotonic() < deadline, f"{line!r} not in {self.console.transcript()[-800:]}"
            await self.bot.drain()
            await asyncio.sleep(0.05)


@pytest.fixture
async def mirrored(synapse: Synapse, members: Any, db: Database, tmp_path: Path) -> AsyncIterator[Mirrored]:
    mod, alice = await members("mod"), await members("alice")
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    room, _ = await community(mod, bot_user)
    assert not hasattr(await mod.client.room_invite(room, alice.user_id), "status_code")
    matrix = MatrixSettings(
        homeserver=synapse.url,
        user_id=bot_user,
        password=PASSWORD,
        store_path=tmp_path,
        e2ee=False,
        community_room=room,
    )
    settings = Settings(
        database_url=str(db.url.render_as_string(hide_password=False)),
        admins=("console:admin",),
        sample_data=False,
        files_dir=tmp_path / "files",
        matrix=matrix,
    )
    console = RecordingConsole(tmp_path / "files")
    clock = FakeClock()
    bot = CopBot(settings, [console, MatrixPlatform(matrix, settings)], clock=clock, db=db)
    await bot.start(migrate=False)
    try:
        await mod.wait_for(joined(bot_user, room), what="the bot in the community room")
        now = clock.now()
        async with db.transaction() as session:
            repo = DialogueRepository(session)
            dialogue = await repo.create(
                title={"en": "Matrix dialogue"},
                start=date(2026, 9, 22),
                end=date(2026, 10, 17),
                timezone="UTC",
                now=now,
            )
            await repo.add_prompt(dialogue.id, {"en": "What works in your trainings?"}, now)
            users = UserRepository(session)
            for ref in (UserRef("matrix", alice.user_id, "Alice"), UserRef("console", "amina", "amina")):
                await users.grant((await users.resolve(ref, now)).person_id, Role.MEMBER, now)
        await bot.shared.get(DialogueTimers).run()
        await bot.settle()
        _, root = await alice.wait_for_text("What works in your trainings?", room)
        console.take()
        yield Mirrored(bot, console, alice, room, str(root["event_id"]))
    finally:
        await bot.stop()


async def test_a_matrix_reply_its_edit_and_its_redaction_reach_the_console(mirrored: Mirrored) -> None:
    alice, room = mirrored.alice, mirrored.room
    thread = {"rel_type": "m.thread", "event_id": mirrored.root, "is_falling_back": True}
    first = await alice.send(room, "Role plays.", thread)
    await mirrored.console_shows("(Matrix): Role plays.")
    copy = mirrored.console.sent[-1]
    assert copy.to == ChatRef("console", "community", "1")
    await alice.send(
        room,
        "* Role plays, then a debrief.",
        {"rel_type": "m.replace", "event_id": first},
        **{"m.new_content": {"msgtype": "m.text", "body": "Role plays, then a debrief."}},
    )
    await mirrored.console_shows("(Matrix): Role plays, then a debrief.")
    assert "(edited #" in mirrored.console.transcript()
    async with mirrored.bot.db.transaction() as session:
        assert await session.scalar(select(Reply.text)) == "Role plays, then a debrief."
    assert not hasattr(await alice.client.room_redact(room, first), "status_code")
    await mirrored.console_shows("(deleted #")


async def test_a_console_reply_reaches_the_matrix_thread_and_its_edit_and_deletion_follow(
    mirrored: Mirrored,
) -> None:
    alice, room, bot = mirrored.alice, mirrored.room, mirrored.bot
    await mirrored.console.feed("[community/1] So did ours.", "amina")
    _, copy = await alice.wait_for_text("amina (Console): So did ours.", room)
    assert copy["content"]["m.relates_to"]["rel_type"] == "m.thread"
    assert copy["content"]["m.relates_to"]["event_id"] == mirrored.root
    async with bot.db.transaction() as session:
        message_id = await session.scalar(select(Reply.message_id))
    assert message_id is not None
    author = UserRef("console", "amina", "amina")
    await bot.handle(
        IncomingMessage(
            event_id="edit",
            sender=author,
            chat=ChatRef("console", "community", "1"),
            text="So did ours, by a third.",
            message_id=message_id,
            edited=True,
        )
    )
    _, edit = await alice.wait_for_text("So did ours, by a third.", room)
    assert edit["content"]["m.relates_to"] == {"rel_type": "m.replace", "event_id": copy["event_id"]}
    await bot.handle(
        MessageDeleted(
            event_id="delete", sender=author, chat=ChatRef("console", "community"), message_id=message_id
        )
    )
    await alice.wait_for(
        lambda r, s: r == room and s.get("type") == "m.room.redaction" and copy["event_id"] in str(s),
        what="the copy redacted",
    )


async def test_the_thread_and_a_private_reply_use_the_prompts_d_p_number(mirrored: Mirrored) -> None:
    alice, room = mirrored.alice, mirrored.room
    _, root = await alice.wait_for_text("Matrix dialogue — prompt 1.1", room)
    assert root["event_id"] == mirrored.root
    await mirrored.console.feed("/reply 1.1 Seen from the console.", "amina")
    await mirrored.console_shows(
        "Thank you! Your reply to 1.1 “What works in your trainings?” (Matrix dialogue) is saved"
    )
    _, copy = await alice.wait_for_text("amina (Console): Seen from the console.", room)
    assert copy["content"]["m.relates_to"]["event_id"] == mirrored.root
