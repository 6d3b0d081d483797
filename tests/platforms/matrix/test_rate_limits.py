"""Broadcasting through the outbox against Synapse's default message rate limit.

Synapse lets a user send 10 messages at once and then one every 5 seconds
(``rc_message``); the homeserver answers ``M_LIMIT_EXCEEDED`` with ``retry_after_ms``.
The adapter turns that into :class:`RateLimited`, the outbox waits as asked and
retries with the same transaction id: nothing is lost and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import collections
import time
from datetime import UTC, datetime
from pathlib import Path

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
from tests.platforms.matrix.conftest import PASSWORD, Member, start_synapse, unique
from tests.platforms.matrix.test_live import joined

pytestmark = pytest.mark.slow
ROOMS = 20


class CountingPlatform(MatrixPlatform):
    """The real adapter, counting the rate limits it reports."""

    limited = 0

    async def send(self, message: OutgoingMessage) -> MessageRef:
        try:
            return await super().send(message)
        except RateLimited:
            self.limited += 1
            raise


async def test_a_broadcast_to_20_rooms_under_the_default_rate_limit_loses_and_repeats_nothing(
    tmp_path: Path,
) -> None:
    # Set up with every limit raised (creating rooms and joining count as messages too),
    # then restart the same homeserver with the default rc_message for the broadcast.
    synapse = start_synapse(tmp_path / "synapse")
    member = Member(synapse, unique("reader"))
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    platform: CountingPlatform | None = None
    sender: OutboxSender | None = None
    try:
        await member.start()
        name = unique("copbot")
        bot_user = synapse.register(name, PASSWORD)
        settings = MatrixSettings(
            homeserver=synapse.url,
            user_id=bot_user,
            password=PASSWORD,
            store_path=tmp_path / "store",
            e2ee=False,
        )
        platform = CountingPlatform(settings, Settings(matrix=settings))

        async def sink(event: Event) -> asyncio.Future[None]:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done

        await platform.start(sink)
        rooms = []
        for _ in range(ROOMS):
            created = await member.client.room_create(
                is_direct=True, invite=[bot_user], preset=RoomPreset.trusted_private_chat
            )
            assert isinstance(created, RoomCreateResponse), created
            rooms.append(str(created.room_id))
        for room in rooms:
            await member.wait_for(joined(bot_user, room), what="the bot joining")
        synapse.stop()
        synapse.default_limits = frozenset({"rc_message"})
        synapse.start()

        await db.upgrade()
        now = datetime.now(UTC)
        async with db.transaction() as session:
            outbox = Outbox(session)
            broadcast = await outbox.start_broadcast("announcement", now)
            await outbox.enqueue(
                (OutgoingMessage(ChatRef("matrix", room), Text.of(f"news for {room}")) for room in rooms),
                now,
                broadcast=broadcast,
            )
        sender = OutboxSender(db, {"matrix": platform}, SystemClock(), Catalogs(), poll_interval=0.2)
        started = time.monotonic()
        await sender.start()
        await asyncio.wait_for(sender.idle(), 120)
        elapsed = time.monotonic() - started

        def received() -> collections.Counter[str]:
            return collections.Counter(
                room
                for room, source in member.events
                if source.get("sender") == bot_user and source.get("type") == "m.room.message"
            )

        deadline = time.monotonic() + 20
        while sum(received().values()) < ROOMS and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(1)  # a duplicate would arrive now
        assert received() == collections.Counter(rooms), "a room got no message, or two"
        assert platform.limited > 0, "the homeserver never limited the bot: the test proves nothing"
        async with db.transaction() as session:
            progress = await Outbox(session).progress(broadcast.id)
        assert (progress.sent, progress.pending) == (ROOMS, 0)
        print(f"{ROOMS} rooms in {elapsed:.1f} s, {platform.limited} M_LIMIT_EXCEEDED answers")
    finally:
        if sender is not None:
            await sender.stop()
        if platform is not None:
            await platform.stop()
        await member.stop()
        await db.dispose()
        synapse.stop()
