"""The fake Bot API answers 429 where Telegram would, and copbot's outbox stays under it.

The limits tests drive the fake through the real adapter (python-telegram-bot's request
layer, :class:`FakeRequest`) on a clock they move by hand, so "within a second" is exact
on a busy machine. The outbox test runs on the real clock: three instances' senders on
one PostgreSQL database, sharing one rate budget, send 300 messages to 300 chats and the
fake must not have answered a single 429.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.errors import RateLimited
from bot.core.text import Text
from bot.core.types import ChatRef, OutgoingMessage, Recipient, UserRef
from bot.outbox import OutboxSender
from bot.platforms.telegram.platform import TelegramPlatform
from bot.platforms.telegram.settings import TelegramSettings
from storage.db import Database
from storage.outbox import Outbox
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeRequest, FakeTelegram
from tests.platforms.telegram.fake_limits import TelegramLimits

FIRST_USER = 5000


class Clock:
    """The limits' clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limited_fake(users: int, clock: Clock | None = None) -> FakeTelegram:
    fake = FakeTelegram(limits=TelegramLimits())
    if clock is not None:
        fake.send_limits.clock = clock
    for number in range(users):
        fake.user(FIRST_USER + number, f"User {number}")
    return fake


def platform_on(fake: FakeTelegram) -> TelegramPlatform:
    settings = TelegramSettings(token=TOKEN, api_url="http://fake.invalid/bot")  # type: ignore[arg-type]
    return TelegramPlatform(settings, Settings(sample_data=False), request=FakeRequest(fake))


@pytest.fixture
async def platform() -> AsyncIterator[TelegramPlatform]:
    """The adapter (not started: it only sends), on a fake whose limits' clock stands still."""
    running = platform_on(limited_fake(40, Clock()))
    await running.bot.initialize()
    yield running
    await running.bot.shutdown()


def fake_of(platform: TelegramPlatform) -> tuple[FakeTelegram, Clock]:
    request = platform.bot.request
    assert isinstance(request, FakeRequest)
    clock = request.api.send_limits.clock
    assert isinstance(clock, Clock)
    return request.api, clock


async def send(platform: TelegramPlatform, to: int, words: str = "hello") -> None:
    recipient: Recipient = UserRef("telegram", str(to)) if to > 0 else ChatRef("telegram", str(to))
    await platform.send(OutgoingMessage(recipient, Text.of(words)))


async def test_the_31st_message_within_a_second_gets_a_429(platform: TelegramPlatform) -> None:
    fake, clock = fake_of(platform)
    for number in range(30):
        await send(platform, FIRST_USER + number)
        clock.now += 0.03  # 30 sends within 0.9 s
    with pytest.raises(RateLimited) as refused:
        await send(platform, FIRST_USER + 30)
    assert refused.value.retry_after == 1
    assert [(r.chat_id, r.reason, r.retry_after) for r in fake.too_many] == [(FIRST_USER + 30, "overall", 1)]
    assert len(fake.sent) == 30
    clock.now += 0.11  # the first send is now more than a second ago
    await send(platform, FIRST_USER + 30)
    assert len(fake.sent) == 31


async def test_a_second_message_to_one_private_chat_within_a_second_gets_a_429(
    platform: TelegramPlatform,
) -> None:
    fake, clock = fake_of(platform)
    await send(platform, FIRST_USER)
    clock.now += 0.6
    await send(platform, FIRST_USER + 1)  # another chat is not held up
    with pytest.raises(RateLimited) as refused:
        await send(platform, FIRST_USER)
    assert refused.value.retry_after == 1  # 0.4 s left, said in whole seconds as Telegram does
    assert [(r.chat_id, r.reason) for r in fake.too_many] == [(FIRST_USER, "chat")]
    clock.now += 0.5
    await send(platform, FIRST_USER)
    assert len(fake.to(FIRST_USER)) == 2


async def test_the_21st_message_to_a_group_within_a_minute_gets_a_429(platform: TelegramPlatform) -> None:
    fake, clock = fake_of(platform)
    group = fake.moderators_id
    for _ in range(20):
        await send(platform, group)  # one a second: a private chat could take them all
        clock.now += 1.0
    with pytest.raises(RateLimited) as refused:
        await send(platform, group)
    assert refused.value.retry_after == 40  # the first of the 20 leaves the minute in 40 s
    assert [(r.chat_id, r.reason, r.retry_after) for r in fake.too_many] == [(group, "group", 40)]
    clock.now += 40.0
    await send(platform, group)
    assert len(fake.to(group)) == 21


async def test_the_429_reads_as_telegrams_over_http_and_is_recorded() -> None:
    fake = limited_fake(1)
    fake.throttle(FIRST_USER, 3)  # a scripted 429 first: the same record
    server = FakeBotApiServer(fake)
    await server.start()
    bodies = []
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(3):
                url = f"{server.base_url}{TOKEN}/sendMessage"
                async with http.post(url, json={"chat_id": FIRST_USER, "text": "hi"}) as response:
                    bodies.append((response.status, await response.json()))
    finally:
        await server.stop()
    assert [status for status, _ in bodies] == [429, 200, 429]
    assert bodies[2][1] == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert bodies[0][1]["parameters"] == {"retry_after": 3}
    assert [(r.reason, r.retry_after) for r in fake.too_many] == [("throttled", 3), ("chat", 1)]


async def test_without_limits_the_fake_takes_any_burst() -> None:
    fake = FakeTelegram()
    fake.user(FIRST_USER, "Ada")
    running = platform_on(fake)
    await running.bot.initialize()
    try:
        for _ in range(40):
            await send(running, FIRST_USER)
    finally:
        await running.bot.shutdown()
    assert len(fake.to(FIRST_USER)) == 40
    assert fake.too_many == []


@pytest.mark.postgres
async def test_three_outbox_senders_send_300_messages_without_a_429(instances: list[Database]) -> None:
    fake = limited_fake(300)
    platforms = [platform_on(fake) for _ in instances]  # each instance its own adapter
    for platform in platforms:
        await platform.bot.initialize()
    senders = [
        OutboxSender(db, {"telegram": platform}, SystemClock(), Catalogs(default="en"), shared=True)
        for db, platform in zip(instances, platforms, strict=True)
    ]
    messages = [
        OutgoingMessage(UserRef("telegram", str(FIRST_USER + n)), Text.of(f"News {n}")) for n in range(300)
    ]
    async with instances[0].transaction() as session:
        await Outbox(session).enqueue(messages, datetime.now(UTC))
    started = time.monotonic()
    for sender in senders:
        await sender.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(sender.idle() for sender in senders)), 60)
        elapsed = time.monotonic() - started
    finally:
        for sender in senders:
            await sender.stop()
        for platform in platforms:
            await platform.bot.shutdown()

    assert fake.too_many == []
    assert Counter(sent.chat_id for sent in fake.sent) == {FIRST_USER + n: 1 for n in range(300)}
    assert sum(1 for sender in senders if sender.pacers["telegram"]._sent) >= 2  # shared, not one
    assert elapsed >= 300 / 30  # not faster than Telegram allows
    print(f"\n300 messages from 3 instances in {elapsed:.1f} s ({300 / elapsed:.1f}/s), no 429")
