"""Telegram updates as they really come: twice, out of order, under a 429 storm, fuzzed.

The real :class:`TelegramPlatform` and bot run in process on each storage backend; only
the HTTP seam is the fake Bot API (``tests/platforms/telegram``).
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram import Update

from storage.db import Database
from tests.platforms.telegram.fake import FakeTelegram
from tests.platforms.telegram.test_platform import Running, start
from tests.reliability.conftest import SIZES, Figures

HOSTILE = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "‮evil", "/", "/apply\x00", "/wiki \ud800", "#1"]
HOSTILE += ["@everyone", "<b>&amp;</b>", "💥" * 600, "a" * 5000, "/forget", "/start " + "9" * 300]


def users(fake: FakeTelegram, count: int, first: int = 5000) -> list[int]:
    for user in range(first, first + count):
        fake.user(user, f"User {user}")
    return list(range(first, first + count))


async def everything_confirmed(tg: Running, patience: float) -> None:
    deadline = time.monotonic() + patience
    while tg.fake.pending or tg.platform.ledger.in_flight:
        assert time.monotonic() < deadline, f"{tg.fake.pending} updates never confirmed"
        await asyncio.sleep(0.01)
    await tg.bot.drain()
    await asyncio.sleep(0.2)  # a repeat, if any, would come now
    await tg.bot.drain()


async def delivered_as(
    fake: FakeTelegram, db: Database, tmp_path: Path, figures: Figures, order: str
) -> None:
    """Every member sends ``/help``; Telegram delivers the updates ``order`` ("twice":
    each one twice in a row; "shuffled": each batch of 100 in a random order)."""
    people = users(fake, SIZES.replayed)
    for user in people:
        fake.say(user, "/help")
    if order == "twice":
        fake.updates = [dict(update) for update in fake.updates for _ in range(2)]
    else:
        rng = random.Random(17)
        shuffled = []
        for batch in range(0, len(fake.updates), 100):
            chunk = fake.updates[batch : batch + 100]
            rng.shuffle(chunk)
            shuffled += chunk
        fake.updates = shuffled
    figures["updates"] = len(fake.updates)
    tg = await start(db, tmp_path, fake)
    try:
        await everything_confirmed(tg, patience=30 + len(people) / 5)
    finally:
        await tg.bot.stop()
    replies = Counter(sent.chat_id for sent in fake.sent)
    figures["handled twice"] = sum(count - 1 for count in replies.values())
    figures["unanswered"] = len(set(people) - set(replies))
    assert figures["unanswered"] == 0
    assert figures["handled twice"] == 0
    assert all("/apply" in fake.to(user)[0].text for user in replies)  # each got the help text


async def test_replayed_updates(db: Database, tmp_path: Path, figures: Figures) -> None:
    """Every update comes twice (Telegram redelivers what it thinks unconfirmed)."""
    figures.scenario = "replayed updates"
    await delivered_as(FakeTelegram(), db, tmp_path, figures, "twice")


async def test_reordered_updates(db: Database, tmp_path: Path, figures: Figures) -> None:
    """Updates out of order (as a webhook with several connections may deliver them)."""
    figures.scenario = "reordered updates"
    await delivered_as(FakeTelegram(), db, tmp_path, figures, "shuffled")


async def test_a_429_storm(db: Database, tmp_path: Path, figures: Figures) -> None:
    """Every member writes at once and every chat first answers 429 (retry after 0.5 s)."""
    figures.scenario = "429 storm"
    fake = FakeTelegram()
    people = users(fake, SIZES.storm_users)
    arrived: dict[int, float] = {}
    fake.on_send = lambda sent: arrived.setdefault(sent.chat_id, time.monotonic())
    tg = await start(db, tmp_path, fake)
    try:
        for user in people:
            fake.throttle(user, 0.5)
        began = time.monotonic()
        for user in people:
            fake.say(user, "/help")
        await everything_confirmed(tg, patience=60 + len(people) / 2)
        deadline = time.monotonic() + 30
        while set(people) - set(arrived) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        await tg.bot.stop()
    latencies = sorted(arrived[user] - began for user in people if user in arrived)
    figures["messages"] = len(people)
    figures["429 answered"] = sum(1 for method, _ in fake.calls if method == "sendMessage") - len(fake.sent)
    figures["dropped"] = len(set(people) - set(arrived))
    figures["interactive p99 (s)"] = (
        round(latencies[int(0.99 * (len(latencies) - 1))], 2) if latencies else None
    )
    assert figures["dropped"] == 0


# -- fuzzing ----------------------------------------------------------------------------

texts = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300), st.text(st.characters(codec="utf-8")))
user_ids = st.integers(min_value=1, max_value=2**40)
telegram_users = st.fixed_dictionaries(
    {"id": user_ids, "is_bot": st.booleans(), "first_name": texts},
    optional={
        "last_name": texts,
        "username": texts,
        "language_code": st.one_of(st.sampled_from(["en", "es", "fr", "ar", "xx", ""]), texts),
    },
)
chats = st.fixed_dictionaries(
    {
        "id": st.one_of(st.sampled_from([-1001, -1002]), st.integers(-(2**40), 2**40)),
        "type": st.sampled_from(["private", "group", "supergroup", "channel"]),
    },
    optional={"title": texts, "is_forum": st.booleans()},
)
messages = st.fixed_dictionaries(
    {"message_id": st.integers(1, 2**31), "date": st.integers(0, 2**31), "chat": chats},
    optional={
        "from": telegram_users,
        "text": texts,
        "caption": texts,
        "message_thread_id": st.integers(1, 2**31),
        "is_topic_message": st.booleans(),
        "edit_date": st.integers(0, 2**31),
    },
)
queries = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=20), "from": telegram_users, "chat_instance": st.just("1")},
    optional={"data": texts, "message": messages},
)
bodies = st.one_of(
    st.fixed_dictionaries({"message": messages}),
    st.fixed_dictionaries({"edited_message": messages}),
    st.fixed_dictionaries({"channel_post": messages}),
    st.fixed_dictionaries({"callback_query": queries}),
    st.fixed_dictionaries({"some_future_kind": st.dictionaries(st.text(max_size=5), texts, max_size=3)}),
)


def fuzzed_updates(count: int) -> list[dict[str, Any]]:
    """``count`` update bodies drawn by hypothesis (valid shapes, hostile values)."""
    drawn: list[dict[str, Any]] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(bodies)
    def collect(body: dict[str, Any]) -> None:
        drawn.append(body)

    collect()
    return drawn


async def test_fuzzed_updates(
    db: Database, tmp_path: Path, figures: Figures, caplog: pytest.LogCaptureFixture
) -> None:
    """Fuzzed updates through PTB's decoding, the adapter's mapping and the whole bot."""
    figures.scenario = "fuzzed updates"
    fake = FakeTelegram()
    tg = await start(db, tmp_path, fake)
    crashes: list[str] = []
    caplog.set_level(logging.ERROR)
    bodies = fuzzed_updates(SIZES.fuzzed)
    try:
        for number, body in enumerate(bodies, start=1_000_000):
            try:
                update = Update.de_json({"update_id": number, **body}, tg.platform.bot)
                assert update is not None
                await (await tg.platform.handle_update(update))
            except Exception as error:
                crashes.append(f"{type(error).__name__}: {error} <- {body!r:.300}")
        await tg.bot.drain()
    finally:
        await tg.bot.stop()
    errors = [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if r.levelno >= logging.ERROR]
    figures["updates"] = len(bodies)
    figures["crashes"] = len(crashes)
    figures["errors logged"] = len(errors)
    assert crashes == [], "\n".join(crashes[:10])
    assert errors == [], "\n".join(errors[:10])
