"""Matrix against a real Synapse: the homeserver's rate limit, and kill -9 mid-sync.

One Synapse serves the session (``tests/platforms/matrix/conftest.py``; every limit raised).
A scenario slows the bot down with Synapse's per-user rate limit override (the admin API),
so the homeserver answers ``M_LIMIT_EXCEEDED`` with ``retry_after_ms`` as it would with its
default ``rc_message``.
"""

from __future__ import annotations

import asyncio
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nio import RoomCreateResponse, RoomPreset

from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.errors import RateLimited
from bot.core.text import Text
from bot.core.types import ChatRef, Event, MessageRef, OutgoingMessage
from bot.outbox import OutboxSender
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.settings import MatrixSettings
from storage.db import Database
from storage.outbox import Outbox
from tests.platforms.matrix.conftest import PASSWORD, BotProcess, Member, unique
from tests.platforms.matrix.synapse import Synapse
from tests.platforms.matrix.test_live import direct_chat, joined
from tests.reliability.conftest import MODE, Figures

pytestmark = pytest.mark.slow
ROOMS = {"short": 12, "full": 50}[MODE]
MEMBERS = {"short": 5, "full": 30}[MODE]


def slow_down(synapse: Synapse, user_id: str, per_second: int, burst: int) -> None:
    """Override ``user_id``'s message rate limit on the homeserver (admin API)."""
    admin = synapse.register(unique("admin"), PASSWORD, admin=True)
    token = synapse.login(admin, PASSWORD)
    path = f"/_synapse/admin/v1/users/{urllib.parse.quote(user_id)}/override_ratelimit"
    synapse.request("POST", path, {"messages_per_second": per_second, "burst_count": burst}, token)


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 2) if ordered else 0.0


class CountingPlatform(MatrixPlatform):
    """The real adapter, counting the rate limits it reports and when each message left."""

    limited = 0
    sent_at: list[float]

    async def send(self, message: OutgoingMessage) -> MessageRef:
        try:
            ref = await super().send(message)
        except RateLimited:
            self.limited += 1
            raise
        self.sent_at.append(time.monotonic())
        return ref


async def handled(event: Event) -> asyncio.Future[None]:
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    done.set_result(None)
    return done


async def test_matrix_rate_limit(synapse: Synapse, members: Any, tmp_path: Path, figures: Figures) -> None:
    """A broadcast to ``ROOMS`` direct chats under 2 messages a second (burst 5)."""
    figures.scenario, figures.database = "Matrix rate limit (broadcast)", "sqlite"
    reader: Member = await members("reader")
    bot_user = synapse.register(unique("copbot"), PASSWORD)
    settings = MatrixSettings(
        homeserver=synapse.url, user_id=bot_user, password=PASSWORD, store_path=tmp_path / "store", e2ee=False
    )
    platform = CountingPlatform(settings, Settings(matrix=settings))
    platform.sent_at = []
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    sender: OutboxSender | None = None
    await platform.start(handled)
    try:
        rooms = []
        for _ in range(ROOMS):
            created = await reader.client.room_create(
                is_direct=True, invite=[bot_user], preset=RoomPreset.trusted_private_chat
            )
            assert isinstance(created, RoomCreateResponse), created
            rooms.append(str(created.room_id))
        for room in rooms:
            await reader.wait_for(joined(bot_user, room), what="the bot joining")
        slow_down(synapse, bot_user, per_second=2, burst=5)
        await db.upgrade()
        now = SystemClock().now()
        async with db.transaction() as session:
            outbox = Outbox(session)
            broadcast = await outbox.start_broadcast("announcement", now)
            news = (OutgoingMessage(ChatRef("matrix", room), Text.of(f"news for {room}")) for room in rooms)
            await outbox.enqueue(news, now, broadcast=broadcast)
        sender = OutboxSender(db, {"matrix": platform}, SystemClock(), Catalogs(), poll_interval=0.2)
        started = time.monotonic()
        await sender.start()
        await asyncio.wait_for(sender.idle(), 60 + ROOMS)

        def received() -> Counter[str]:
            return Counter(
                room
                for room, source in reader.events
                if source.get("sender") == bot_user and source.get("type") == "m.room.message"
            )

        deadline = time.monotonic() + 20
        while sum(received().values()) < ROOMS and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a duplicate would arrive now
    finally:
        if sender is not None:
            await sender.stop()
        await platform.stop()
        await db.dispose()
    got = received()
    figures["messages"] = ROOMS
    figures["429s seen"] = platform.limited
    figures["dropped"] = len(set(rooms) - set(got))
    figures["duplicated"] = sum(count - 1 for count in got.values())
    figures["p99 (s)"] = p99([moment - started for moment in platform.sent_at])
    assert platform.limited > 0, "the homeserver never limited the bot: the scenario proves nothing"
    assert figures["dropped"] == 0
    assert figures["duplicated"] == 0


def replies(member: Member, room: str, bot_user: str) -> list[str]:
    return [
        str(source.get("content", {}).get("body"))
        for where, source in member.events
        if where == room and source.get("sender") == bot_user and source.get("type") == "m.room.message"
    ]


async def until(condition: Callable[[], bool], what: str, patience: float) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_matrix_kill_9_mid_sync(
    synapse: Synapse, members: Any, bots: Callable[..., BotProcess], figures: Figures
) -> None:
    """``copbot run`` killed while it answers ``MEMBERS`` members' ``!help`` (slowed by the
    homeserver's rate limit), then restarted: everyone answered, nobody twice."""
    figures.scenario, figures.database = "Matrix kill -9 mid-sync", "sqlite"
    bot = bots()
    bot.start()
    people: list[Member] = [await members(f"m{n}") for n in range(MEMBERS)]
    rooms = [await direct_chat(person, bot.user_id) for person in people]
    await asyncio.sleep(1)  # any greeting on joining has arrived
    before = [len(replies(person, room, bot.user_id)) for person, room in zip(people, rooms, strict=True)]
    slow_down(synapse, bot.user_id, per_second=1, burst=2)
    await asyncio.gather(*(person.send(room, "!help") for person, room in zip(people, rooms, strict=True)))

    def answered() -> list[int]:
        return [
            len(replies(person, room, bot.user_id)) - seen
            for person, room, seen in zip(people, rooms, before, strict=True)
        ]

    await until(lambda: sum(1 for count in answered() if count) >= max(1, MEMBERS // 3), "some answers", 60)
    bot.kill()
    figures["members"] = MEMBERS
    figures["answered before the kill"] = sum(1 for count in answered() if count)
    assert figures["answered before the kill"] < MEMBERS, "every answer left before the kill"
    bot.start()
    await until(lambda: all(answered()), "every member answered", 60 + 2 * MEMBERS)
    await asyncio.sleep(3)  # a repeat, if any, would come now
    counts = answered()
    figures["unanswered"] = sum(1 for count in counts if count == 0)
    figures["duplicated"] = sum(count - 1 for count in counts if count > 1)
    assert "Traceback" not in bot.output()
    assert figures["unanswered"] == 0
    assert figures["duplicated"] == 0
