"""``/thread`` and ``/threads`` on Telegram, through the fake Bot API in process: the topic's link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.types import Role, UserRef
from storage.db import Database
from storage.users import UserRepository
from tests.platforms.telegram.fake import FakeTelegram
from tests.platforms.telegram.test_platform import ADMIN, ALICE, Running, start

#: A private supergroup's id as the Bot API gives it: ``-100`` then the chat's own number.
COMMUNITY = -1001234567890


@pytest.fixture
async def forum(db: Database, tmp_path: Path) -> AsyncIterator[Running]:
    api = FakeTelegram(community_id=COMMUNITY)
    api.user(ADMIN, "Admin")
    api.user(ALICE, "Alice", "es")
    running = await start(db, tmp_path, api)
    async with db.transaction() as session:
        users = UserRepository(session)
        person = (
            await users.resolve(UserRef("telegram", str(ALICE), "Alice"), running.bot.clock.now())
        ).person_id
        await users.grant(person, Role.MEMBER, running.bot.clock.now())
    yield running
    await running.bot.stop()
    assert api.unknown == [], f"the adapter called methods the Bot API lacks: {api.unknown}"


async def test_threads_lists_a_member_thread_and_join_gives_the_topic_link(forum: Running) -> None:
    fake = forum.fake
    await forum.exchange(fake.say(ALICE, "/thread Presupuestos 2027"))
    await forum.bot.settle()
    [(topic, opened)] = fake.topics[COMMUNITY].items()
    assert opened["name"] == "Presupuestos 2027"
    await forum.exchange(fake.say(ALICE, "/threads"))
    listing = fake.to(ALICE)[-1]
    assert listing.text.startswith(
        "Hilos abiertos (1-1 de 1):\n#1 Presupuestos 2027, abierto por Alice; respuestas: 0"
    )
    assert listing.payloads == ["forum:join:1"]
    await forum.exchange(fake.press(ALICE, listing, "forum:join:1"))
    assert fake.texts(ALICE)[-1] == f"El hilo Presupuestos 2027 está aquí: https://t.me/c/1234567890/{topic}"
