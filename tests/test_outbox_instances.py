"""Several instances' outbox senders on one PostgreSQL database: each row once, one rate budget."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.catalogs import Catalogs
from bot.core.clock import SystemClock
from bot.core.pacing import RateLimits
from bot.core.text import Text
from bot.core.types import OutgoingMessage, UserRef
from bot.outbox import OutboxSender
from storage.db import Database
from storage.models import OutboxMessage
from storage.outbox import Outbox
from tests.fakes import LimitedPlatform

pytestmark = pytest.mark.postgres


async def test_three_senders_deliver_each_row_once_within_one_shared_budget(
    instances: list[Database],
) -> None:
    # One platform object for all three: its limits are judged on every send together.
    platform = LimitedPlatform(RateLimits(per_second=60, chat_interval=0.5), latency=0.005)
    senders = [
        OutboxSender(db, {"limited": platform}, SystemClock(), Catalogs(default="en"), shared=True)
        for db in instances
    ]
    users = [f"u{n}" for n in range(240)]
    messages = [OutgoingMessage(UserRef("limited", user), Text.of(f"hi {user}")) for user in users]
    messages += [OutgoingMessage(UserRef("limited", "u1"), Text.of(f"more {n}")) for n in range(3)]
    async with instances[0].transaction() as session:
        await Outbox(session).enqueue(messages, datetime.now(UTC))
    started = time.monotonic()
    for sender in senders:
        await sender.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(sender.idle() for sender in senders)), 30)
        elapsed = time.monotonic() - started
    finally:
        for sender in senders:
            await sender.stop()

    assert platform.violations == 0, platform.violation_log
    delivered = Counter(text for _, _, text in platform.delivered)
    assert len(platform.delivered) == len(messages)
    assert set(delivered.values()) == {1}
    sent_by = [sender for sender in senders if sender.pacers["limited"]._sent]
    assert len(sent_by) >= 2  # the work was shared, not done by one
    assert elapsed >= len(messages) / 60 * 0.9  # the shared pace held all three together
    async with instances[1].transaction() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    assert statuses == {"sent"}


async def test_a_429_to_one_instance_pauses_them_all(instances: list[Database]) -> None:
    platform = LimitedPlatform(
        RateLimits(per_second=60, chat_interval=0.5), throttle_once={"u20"}, retry_after=1.5
    )
    senders = [
        OutboxSender(db, {"limited": platform}, SystemClock(), Catalogs(default="en"), shared=True)
        for db in instances
    ]
    messages = [OutgoingMessage(UserRef("limited", f"u{n}"), Text.of(f"hi u{n}")) for n in range(90)]
    async with instances[0].transaction() as session:
        await Outbox(session).enqueue(messages, datetime.now(UTC))
    for sender in senders:
        await sender.start()
    try:
        await asyncio.wait_for(asyncio.gather(*(sender.idle() for sender in senders)), 30)
    finally:
        for sender in senders:
            await sender.stop()

    assert platform.injected == 1
    assert platform.violations == 0, platform.violation_log
    assert sorted(text for _, _, text in platform.delivered) == sorted(f"hi u{n}" for n in range(90))
    times = sorted(moment for moment, _, _ in platform.delivered)
    longest = max(later - earlier for earlier, later in itertools.pairwise(times))
    assert longest >= 1.5 * 0.95  # nobody sent during the pause, whichever instance got the 429
