"""Three ``copbot run`` instances on one PostgreSQL database; the lease holder is killed.

The instances poll the loopback fake Bot API (:class:`FakeBotApiServer`) through their
leases, share the outbox and its rate budget, and run the dialogue timers under leases.
During a broadcast, with a prompt due, the instance holding the polling and scheduler
leases gets ``kill -9``. Checked: a standby takes the leases over within 10 s and answers
commands; every member gets the broadcast (at most the sends in flight in the killed
process again, which no sender can tell from unsent); the prompt is posted once; the
fake sees at most 30 messages in any second and never two to one chat within a second.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.core.text import Text
from bot.core.types import OutgoingMessage, UserRef
from bot.outbox import MAX_IN_FLIGHT
from storage.db import Database
from storage.outbox import Outbox
from tests.conftest import POSTGRES_URL
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram, Sent

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
ADMIN = 1
#: Members the broadcast goes to: at Telegram's 30 messages per second (25.5 with the shared
#: headroom) 1,000 take about 40 s, which keeps the test near a minute.
MEMBERS = 1000
FIRST_MEMBER = 10_000
TAKEOVER = 10.0


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database; its SQLAlchemy URL."""
    name = f"copbot_failover_{os.urandom(5).hex()}"
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        admin = await asyncpg.connect(_dsn(f"{base}/postgres"), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


class Instance:
    """One ``copbot run`` process."""

    def __init__(self, number: int, tmp_path: Path, server: FakeBotApiServer, database: str) -> None:
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("COPBOT_")}
        self.env |= {
            "COPBOT_DATABASE_URL": database,
            "COPBOT_SAMPLE_DATA": "false",
            "COPBOT_ADMINS": f"telegram:{ADMIN}",
            "COPBOT_FILES_DIR": str(tmp_path / f"files{number}"),
            "COPBOT_FLOOD__RATE": "1000",
            "COPBOT_FLOOD__BURST": "1000",
            "COPBOT_DIALOGUE_TICK_SECONDS": "1",
            "COPBOT_TELEGRAM__TOKEN": TOKEN,
            "COPBOT_TELEGRAM__API_URL": server.base_url,
            "COPBOT_TELEGRAM__COMMUNITY_CHAT_ID": str(server.api.community_id),
            "COPBOT_TELEGRAM__MODERATOR_CHAT_ID": str(server.api.moderators_id),
        }
        self.stderr = tmp_path / f"instance{number}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self.stderr.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=ROOT, env=self.env, stderr=log
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def started(self) -> bool:
        return self.stderr.exists() and "copbot started" in self.stderr.read_text()

    async def stop(self) -> None:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), 30)
        assert code == 0, self.stderr.read_text()[-3000:]

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)


async def until(condition: object, what: str, instances: list[Instance], patience: float = 30.0) -> float:
    started = time.monotonic()
    while not await _holds(condition):
        if time.monotonic() - started > patience:
            logs = "\n".join(i.stderr.read_text()[-2000:] for i in instances if i.stderr.exists())
            raise AssertionError(f"timed out waiting for {what}; logs:\n{logs}")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def _holds(condition: object) -> bool:
    result = condition()  # type: ignore[operator]
    if asyncio.iscoroutine(result):
        result = await result
    return bool(result)


async def holders(database: str) -> dict[str, str]:
    connection = await asyncpg.connect(_dsn(database))
    try:
        rows = await connection.fetch("SELECT name, holder FROM leases WHERE expires_at > $1", time.time())
    except asyncpg.UndefinedTableError:
        return {}
    finally:
        await connection.close()
    return {row["name"]: row["holder"] for row in rows}


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApiServer]:
    api = FakeTelegram()
    api.user(ADMIN, "Ada Admin")
    for member in range(FIRST_MEMBER, FIRST_MEMBER + MEMBERS):
        api.user(member, f"Member {member}")
    running = FakeBotApiServer(api)
    await running.start()
    yield running
    await running.stop()


async def test_killing_the_lease_holder_loses_nothing_and_posts_nothing_twice(
    server: FakeBotApiServer, database: str, tmp_path: Path
) -> None:
    api = server.api
    moments: list[tuple[float, int]] = []

    def record(sent: Sent) -> None:
        moments.append((time.monotonic(), sent.chat_id))

    api.on_send = record
    instances = [Instance(n, tmp_path, server, database) for n in range(3)]
    await instances[0].start()
    try:
        # The first instance up takes every lease; the others stand by.
        await until(
            lambda: _holds_all(database, instances[0].pid), "the first instance's leases", instances, 60
        )
        for instance in instances[1:]:
            await instance.start()
        await until(lambda: all(i.started() for i in instances), "three instances", instances, 60)

        group = api.moderators_id
        before = len(api.to(group))
        today = datetime.now(UTC).date()
        api.say(ADMIN, f'/dialogue_new "Failover" {today} {today + timedelta(days=7)}', chat_id=group)
        await until(lambda: len(api.to(group)) > before, "the dialogue", instances)
        dialogue = api.to(group)[-1].text.split()[1]
        due = datetime.now(UTC) + timedelta(seconds=6)
        before = len(api.to(group))
        api.say(ADMIN, f"/prompt_add {dialogue} {due:%Y-%m-%d %H:%M:%S} Who inspired you?", chat_id=group)
        await until(lambda: len(api.to(group)) > before, "the prompt added", instances)

        db = Database(database)
        try:
            async with db.transaction() as session:
                await Outbox(session).broadcast(
                    "announcement",
                    [
                        OutgoingMessage(UserRef("telegram", str(member)), Text.of("News for everyone"))
                        for member in range(FIRST_MEMBER, FIRST_MEMBER + MEMBERS)
                    ],
                    datetime.now(UTC),
                )
        finally:
            await db.dispose()
        await until(lambda: len(broadcast(api)) >= 150, "the broadcast under way", instances)

        killed = instances[0]
        killed.kill()
        gone = f":{killed.pid}:"
        took = await until(
            lambda: _taken_over(database, gone), "the takeover", instances[1:], patience=TAKEOVER + 5
        )
        assert took < TAKEOVER
        before = len(api.to(group))
        api.say(ADMIN, "/help", chat_id=group)  # the new poller answers
        await until(lambda: len(api.to(group)) > before, "an answer after the takeover", instances[1:])

        topics = api.topics[api.community_id]
        await until(
            lambda: topics and api.to(api.community_id, next(iter(topics))), "the prompt", instances[1:]
        )
        await until(lambda: len(set(broadcast(api))) == MEMBERS, "every member", instances[1:], patience=120)
        await asyncio.sleep(1.5)  # anything posted twice would show now
        for instance in instances[1:]:
            await instance.stop()
    finally:
        for instance in instances:
            if instance.process is not None and instance.process.returncode is None:
                instance.kill()
                await instance.process.wait()

    [thread] = topics
    assert sum("Who inspired you?" in text for text in api.texts(api.community_id, thread)) == 1
    twice = sum(count - 1 for count in Counter(broadcast(api)).values())
    assert twice <= MAX_IN_FLIGHT  # only what the killed process had in flight
    busiest = max(_per_second(moments))
    assert busiest <= 30, f"{busiest} messages within one second"
    last: dict[int, float] = {}
    for moment, chat in moments:
        if chat < 0:  # groups: the bot's own answers to commands, not paced by the outbox
            continue
        assert moment - last.get(chat, -10.0) >= 0.95, f"two messages to {chat} within a second"
        last[chat] = moment
    print(f"takeover {took:.1f} s after kill -9; {twice} repeated of {MEMBERS}; at most {busiest}/s")


def broadcast(api: FakeTelegram) -> list[int]:
    return [sent.chat_id for sent in api.sent if sent.text == "News for everyone"]


async def _holds_all(database: str, pid: int) -> bool:
    held = await holders(database)
    return "telegram-receiving" in held and all(f":{pid}:" in holder for holder in held.values())


async def _taken_over(database: str, gone: str) -> bool:
    held = await holders(database)
    return "telegram-receiving" in held and gone not in held["telegram-receiving"]


def _per_second(moments: list[tuple[float, int]]) -> list[int]:
    times = sorted(moment for moment, _ in moments)
    counts, start = [], 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1.0:
            start += 1
        counts.append(end - start + 1)
    return counts or [0]
