"""The outbox sender against an in-process platform that enforces Telegram-like limits."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path

from sqlalchemy import select

from bot.core.pacing import RateLimits
from bot.core.text import Text
from bot.core.types import ChatRef, OutgoingMessage, Role, UserRef
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage, UnreachableRecipient
from storage.outbox import Outbox
from storage.users import UserRepository
from tests.fakes import Harness, LimitedPlatform

LIMITS = RateLimits(per_second=100, chat_interval=0.2)


async def start(db: Database, tmp_path: Path, platform: LimitedPlatform) -> Harness:
    harness = await Harness.start(db, tmp_path, extra_platforms=[platform])
    harness.bot.outbox.report_interval = 0.1
    return harness


async def enqueue(db: Database, harness: Harness, messages: list[OutgoingMessage]) -> None:
    async with db.transaction() as session:
        await Outbox(session).enqueue(messages, harness.clock.now())
    harness.bot.outbox.wake()


async def test_every_row_is_delivered_once_at_the_platforms_pace(db: Database, tmp_path: Path) -> None:
    platform = LimitedPlatform(LIMITS, blocked={"u5", "u6"}, throttle_once={"u10", "u20"}, retry_after=0.3)
    harness = await start(db, tmp_path, platform)
    try:
        users = [f"u{n}" for n in range(200)]
        messages = [OutgoingMessage(UserRef("limited", u), Text.of(f"hi {u}")) for u in users]
        messages += [OutgoingMessage(UserRef("limited", "u1"), Text.of(f"more {n}")) for n in range(4)]
        started = time.monotonic()
        await enqueue(db, harness, messages)
        await asyncio.wait_for(harness.bot.outbox.idle(), 30)
        elapsed = time.monotonic() - started
    finally:
        await harness.stop()

    assert platform.violations == 0, platform.violation_log
    assert platform.injected == 2
    delivered = [who for _, who, _ in platform.delivered]
    assert sorted(set(delivered)) == sorted(set(users) - {"u5", "u6"})
    assert delivered.count("u1") == 5
    assert all(delivered.count(u) == 1 for u in set(users) - {"u1", "u5", "u6"})
    to_u1 = [t for t, who, _ in platform.delivered if who == "u1"]
    assert all(b - a >= 0.2 - 0.01 for a, b in itertools.pairwise(to_u1))
    assert [text for _, who, text in platform.delivered if who == "u1"] == [
        "hi u1",
        *(f"more {n}" for n in range(4)),
    ]
    assert elapsed < 10  # 202 messages at 100/s, one 0.3 s pause per 429
    async with db.transaction() as session:
        statuses = {row.recipient_id: row.status for row in await session.scalars(select(OutboxMessage))}
        blocked = {row.recipient_id for row in await session.scalars(select(UnreachableRecipient))}
    assert statuses["u5"] == statuses["u6"] == "unreachable"
    assert blocked == {"u5", "u6"}
    assert set(statuses.values()) == {"sent", "unreachable"}


async def test_interactive_replies_flow_during_a_broadcast(db: Database, tmp_path: Path) -> None:
    platform = LimitedPlatform(
        RateLimits(per_second=50, chat_interval=1.0), throttle_once={"u3"}, retry_after=1.0
    )
    harness = await start(db, tmp_path, platform)
    try:
        await enqueue(
            db, harness, [OutgoingMessage(UserRef("limited", f"u{n}"), Text.of("news")) for n in range(150)]
        )
        await asyncio.sleep(0.2)
        latencies = []
        for _ in range(5):
            began = time.monotonic()
            lines = await harness.say("/help", as_="alice")
            latencies.append(time.monotonic() - began)
            assert lines[0] == "[alice] Commands you can use:"
            await asyncio.sleep(0.1)
        assert len(platform.delivered) < 150, "the broadcast should still be running"
        assert max(latencies) < 0.5
        await asyncio.wait_for(harness.bot.outbox.idle(), 30)
        assert len({who for _, who, _ in platform.delivered}) == 150
    finally:
        await harness.stop()


async def test_announce_reaches_every_member_in_their_language_with_a_progress_report(
    db: Database, tmp_path: Path
) -> None:
    platform = LimitedPlatform(LIMITS, blocked={"t3"})
    harness = await start(db, tmp_path, platform)
    try:
        now = harness.clock.now()
        async with db.transaction() as session:
            users = UserRepository(session)
            for user_id, language in (("t1", "es"), ("t2", "fr"), ("t3", None)):
                person = (await users.resolve(UserRef("limited", user_id, language=language), now)).person_id
                await users.grant(person, Role.MEMBER, now)
            guest = await users.resolve(UserRef("limited", "t4"), now)
            assert guest.role is Role.GUEST
        await harness.say("/announce The dialogue opens <b>Monday</b>.", as_="admin")
        assert await harness.say("#1", as_="admin") == ["[admin] Announcement #1 queued for 3 members."]
        await asyncio.wait_for(harness.bot.outbox.idle(), 10)
        for _ in range(50):
            if any("finished" in line for line in harness.console.transcript().splitlines()):
                break
            await asyncio.sleep(0.05)
        report = harness.console.take()
        assert report[0] == "[admin] Broadcast #1: 0 / 3 delivered, 0 unreachable, 0 failed." or report[
            0
        ].startswith("[admin] Broadcast #1:")
        assert report[-1] == "[admin] Broadcast #1 finished: 2 of 3 delivered, 1 unreachable, 0 failed."
        texts = {who: text for _, who, text in platform.delivered}
        assert texts == {
            "t1": "Anuncio del equipo de moderación de la comunidad:\n\nThe dialogue opens <b>Monday</b>.",
            "t2": "Annonce de l'équipe de modération de la communauté :\n\nThe dialogue opens <b>Monday</b>.",
        }
        assert await harness.say("/announce hi", as_="t9") == [
            "[t9] Sorry, /announce is for moderators only."
        ]
        assert (await harness.say("/announce", as_="admin"))[0].startswith(
            "[admin] Write the announcement after the command"
        )
    finally:
        await harness.stop()


async def test_announce_to_the_community_chats(db: Database, tmp_path: Path) -> None:
    platform = LimitedPlatform(LIMITS)
    platform.community_chat = ChatRef("limited", "grp")
    harness = await start(db, tmp_path, platform)
    try:
        await harness.say("/announce --chat Welcome to <all>!", as_="admin")
        assert await harness.say("#1", as_="admin") == [
            "[admin] Announcement #1 queued for 2 community chats."
        ]
        await asyncio.wait_for(harness.bot.outbox.idle(), 10)
        lines = harness.console.take()
        assert "[community] Announcement from the community moderators:" in lines
        assert "  Welcome to <all>!" in lines
        assert [(who, text) for _, who, text in platform.delivered] == [
            ("grp", "Announcement from the community moderators:\n\nWelcome to <all>!")
        ]
        # the progress report is edited in when the sender gets to it: look past it
        answer = [
            line for line in await harness.say("/announce --chat", as_="admin") if "Broadcast" not in line
        ]
        assert answer[0].startswith("[admin] Write the announcement after the command")
        async with db.transaction() as session:
            entry = (
                await session.scalars(select(AuditEntry).where(AuditEntry.action == "broadcast.announce"))
            ).one()
        assert entry.details == {"recipients": 2, "text": "Welcome to <all>!", "to": "chats"}
    finally:
        await harness.stop()


async def test_stop_is_prompt_even_when_a_wake_up_races_the_cancellation(
    db: Database, tmp_path: Path
) -> None:
    """On Python 3.11, ``asyncio.wait_for`` loses a cancellation that arrives just as the
    event it waits for is set; the sender's loops would then never end."""
    from bot.catalogs import Catalogs
    from bot.outbox import OutboxSender
    from tests.fakes import FakeClock

    for turns in range(4):  # whichever number of loop turns hits the window
        sender = OutboxSender(db, {}, FakeClock(), Catalogs(), poll_interval=30, report_interval=30)
        await sender.start()
        await asyncio.sleep(0.05)  # both loops wait for a wake-up
        sender.wake()
        for _ in range(turns):
            await asyncio.sleep(0)
        await asyncio.wait_for(sender.stop(), 5)
        assert all(task.done() for task in sender._tasks)
