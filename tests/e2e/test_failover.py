"""Three ``copbot run`` instances on one PostgreSQL database; the lease holder is killed.

The instances poll the loopback fake Bot API (:class:`FakeBotApiServer`) and sync a real
Synapse, each through its lease, share the outbox and its rate budget, and run the
dialogue timers under leases. During a 2,000-member broadcast (members on both
platforms), with a prompt due, the instance holding every lease gets ``kill -9``.
Checked: a standby takes the leases over within 10 s and answers commands on both
platforms, one of them sent on Matrix while nobody synced; every member gets the
broadcast: on Telegram at most the sends in flight in the killed process again (which no
sender can tell from unsent), on Matrix exactly once (a send repeated with the same
transaction id on the same device is dropped by the homeserver); the prompt is posted
once on each platform; the fake sees at most 30 messages in any second and never two to
one chat within a second.

Why 1,950 on Telegram and 50 on Matrix: at Telegram's 25.5 messages/s (30 less the shared
headroom) 1,950 take about 76 s, most of the test's 90; each Matrix member costs a direct
chat the bot opens (a room created) on a homeserver serving ~13-28 messages/s, and 50
show every Matrix path (rooms opened by whichever instance sends) at a few seconds' cost.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import asyncpg
import pytest

from bot.core.text import Text
from bot.core.types import OutgoingMessage, UserRef
from bot.outbox import MAX_IN_FLIGHT
from storage.db import Database
from storage.outbox import Outbox
from tests.e2e.homeserver_view import received_in_direct_chats, thread_roots, timeline
from tests.platforms.matrix.conftest import PASSWORD, Member, unique
from tests.platforms.matrix.synapse import Synapse
from tests.platforms.matrix.test_live import community, direct_chat
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram, Sent
from tests.platforms.telegram.fake_limits import TelegramLimits
from tests.postgres import Unreachable, dsn, fresh_database

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
ADMIN = 1
#: Members the broadcast goes to, 2,000 in all (why this split: the module's docstring).
TELEGRAM_MEMBERS = 1950
MATRIX_MEMBERS = 50
FIRST_MEMBER = 10_000
TAKEOVER = 10.0
NEWS = "News for everyone"
PROMPT = "Who inspired you?"
LEASES = ("telegram-receiving", "matrix-receiving")


@pytest.fixture
async def database() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database; its SQLAlchemy URL."""
    try:
        async with fresh_database("copbot_failover") as url:
            yield url
    except Unreachable as error:
        pytest.skip(str(error))


@dataclass
class MatrixSide:
    """The bot's Matrix account (one login, one device, for every instance) and its rooms."""

    synapse: Synapse
    user_id: str
    token: str
    community_room: str
    moderators_room: str
    admin: Member
    members: list[str]

    def env(self, store: Path) -> dict[str, str]:
        return {
            "COPBOT_MATRIX__HOMESERVER": self.synapse.url,
            "COPBOT_MATRIX__USER_ID": self.user_id,
            # the same device everywhere: a send repeated by another instance is recognised
            "COPBOT_MATRIX__ACCESS_TOKEN": self.token,
            "COPBOT_MATRIX__E2EE": "false",  # one device's keys cannot be shared by processes
            "COPBOT_MATRIX__STORE_PATH": str(store),
            "COPBOT_MATRIX__COMMUNITY_ROOM": self.community_room,
            "COPBOT_MATRIX__MODERATOR_ROOM": self.moderators_room,
        }


class Instance:
    """One ``copbot run`` process."""

    def __init__(
        self, number: int, tmp_path: Path, server: FakeBotApiServer, database: str, matrix: MatrixSide
    ) -> None:
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("COPBOT_")}
        self.env |= matrix.env(tmp_path / f"matrix{number}")
        self.env |= {
            "COPBOT_DATABASE_URL": database,
            "COPBOT_SAMPLE_DATA": "false",
            "COPBOT_ADMINS": f"telegram:{ADMIN},matrix:{matrix.admin.user_id}",
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
    connection = await asyncpg.connect(dsn(database))
    try:
        rows = await connection.fetch("SELECT name, holder FROM leases WHERE expires_at > $1", time.time())
    except asyncpg.UndefinedTableError:
        return {}
    finally:
        await connection.close()
    return {row["name"]: row["holder"] for row in rows}


@pytest.fixture
async def matrix(homeserver: Synapse) -> AsyncIterator[MatrixSide]:
    """The bot's account, the community and moderators' rooms, and the Matrix members."""
    bot_user = homeserver.register(unique("copbot"), PASSWORD)
    token = homeserver.login(bot_user, PASSWORD)
    admin = Member(homeserver, unique("mod"))
    await admin.start()
    try:
        community_room, moderators_room = await community(admin, bot_user)
        started = time.monotonic()
        members = await asyncio.to_thread(create_users, homeserver, MATRIX_MEMBERS)
        print(f"{MATRIX_MEMBERS} Matrix members created in {time.monotonic() - started:.1f} s")
        yield MatrixSide(homeserver, bot_user, token, community_room, moderators_room, admin, members)
    finally:
        await admin.stop()


def create_users(synapse: Synapse, count: int) -> list[str]:
    """``count`` new accounts, through the admin API and without a password.

    They never log in (what they received is read with the bot's token), and a password
    costs a bcrypt hash each: registering 50 with one took 14 s, this well under a second.
    """
    admin = synapse.register(unique("admin"), PASSWORD, admin=True)
    token = synapse.login(admin, PASSWORD)
    users = [f"@{unique(f'm{number:02}')}:localhost" for number in range(count)]
    for user in users:
        synapse.request("PUT", f"/_synapse/admin/v2/users/{quote(user)}", {"displayname": user[1:4]}, token)
    return users


@pytest.fixture
async def server() -> AsyncIterator[FakeBotApiServer]:
    api = FakeTelegram(limits=TelegramLimits())  # answers 429 as Telegram does
    api.user(ADMIN, "Ada Admin")
    for member in range(FIRST_MEMBER, FIRST_MEMBER + TELEGRAM_MEMBERS):
        api.user(member, f"Member {member}")
    running = FakeBotApiServer(api)
    await running.start()
    yield running
    await running.stop()


async def test_killing_the_lease_holder_loses_nothing_and_posts_nothing_twice(
    server: FakeBotApiServer, matrix: MatrixSide, database: str, tmp_path: Path
) -> None:
    api = server.api
    moments: list[tuple[float, int]] = []

    def record(sent: Sent) -> None:
        moments.append((time.monotonic(), sent.chat_id))

    api.on_send = record
    instances = [Instance(n, tmp_path, server, database, matrix) for n in range(3)]
    admin = matrix.admin
    begun = time.monotonic()
    await instances[0].start()
    try:
        # The first instance up takes every lease; the others stand by.
        await until(
            lambda: _holds_all(database, instances[0].pid), "the first instance's leases", instances, 60
        )
        for instance in instances[1:]:
            await instance.start()
        await until(lambda: all(i.started() for i in instances), "three instances", instances, 60)
        dm = await direct_chat(admin, matrix.user_id)  # the holder accepts the invitation

        group = api.moderators_id
        before = len(api.to(group))
        today = datetime.now(UTC).date()
        api.say(ADMIN, f'/dialogue_new "Failover" {today} {today + timedelta(days=7)}', chat_id=group)
        await until(lambda: len(api.to(group)) > before, "the dialogue", instances)
        dialogue = api.to(group)[-1].text.split()[1]
        due = datetime.now(UTC) + timedelta(seconds=6)
        before = len(api.to(group))
        api.say(ADMIN, f"/prompt_add {dialogue} {due:%Y-%m-%d %H:%M:%S} {PROMPT}", chat_id=group)
        await until(lambda: len(api.to(group)) > before, "the prompt added", instances)

        db = Database(database)
        try:
            async with db.transaction() as session:
                await Outbox(session).broadcast("announcement", recipients(matrix), datetime.now(UTC))
        finally:
            await db.dispose()
        await until(lambda: len(broadcast(api)) >= 150, "the broadcast under way", instances)

        killed = instances[0]
        killed.kill()
        killed_at = time.monotonic()
        gone = f":{killed.pid}:"
        await admin.send(dm, "!help")  # while nobody syncs the bot's account
        took = await until(
            lambda: _taken_over(database, gone), "the takeover", instances[1:], patience=TAKEOVER + 5
        )
        assert took < TAKEOVER
        before = len(api.to(group))
        api.say(ADMIN, "/help", chat_id=group)  # the new poller answers
        await until(lambda: len(api.to(group)) > before, "an answer after the takeover", instances[1:])
        await until(lambda: bot_answers(admin, dm, matrix.user_id), "the Matrix answer", instances[1:])

        topics = api.topics[api.community_id]
        await until(
            lambda: topics and api.to(api.community_id, next(iter(topics))), "the prompt", instances[1:]
        )
        await until(
            lambda: len(set(broadcast(api))) == TELEGRAM_MEMBERS, "every member", instances[1:], patience=120
        )
        await until(
            lambda: asyncio.to_thread(lambda: set(_matrix_counts(matrix)) >= set(matrix.members)),
            "every Matrix member",
            instances[1:],
            patience=60,
        )
        await asyncio.sleep(1.5)  # anything posted twice would show now
        for instance in instances[1:]:
            await instance.stop()
    finally:
        for instance in instances:
            if instance.process is not None and instance.process.returncode is None:
                instance.kill()
                await instance.process.wait()
    lasted = time.monotonic() - begun

    [thread] = topics
    assert sum(PROMPT in text for text in api.texts(api.community_id, thread)) == 1
    twice = sum(count - 1 for count in Counter(broadcast(api)).values())
    assert twice <= MAX_IN_FLIGHT  # only what the killed process had in flight
    assert api.too_many == []  # no instance ever went past Telegram's limits
    busiest, window = _busiest(moments)
    groups = sum(chat < 0 for _, chat in window)
    assert busiest <= 30, (
        f"{busiest} messages within one second ({groups} in groups), "
        f"{window[0][0] - begun:.1f} s after the start, {window[0][0] - killed_at:.1f} s after the kill"
    )
    last: dict[int, float] = {}
    for moment, chat in moments:
        if chat < 0:  # groups: the bot's own answers to commands, not paced by the outbox
            continue
        assert moment - last.get(chat, -10.0) >= 0.95, f"two messages to {chat} within a second"
        last[chat] = moment

    # On Synapse: each Matrix member got the news once, the prompt has one root, the
    # command sent while nobody synced was answered once.
    got = await asyncio.to_thread(_matrix_counts, matrix)
    assert got == Counter(dict.fromkeys(matrix.members, 1))
    community_events = await asyncio.to_thread(timeline, matrix.synapse, matrix.token, matrix.community_room)
    assert len(thread_roots(community_events, matrix.user_id, PROMPT)) == 1
    assert len(bot_answers(admin, dm, matrix.user_id)) == 1
    print(
        f"takeover {took:.1f} s after kill -9; {twice} repeated of {TELEGRAM_MEMBERS} on Telegram, "
        f"none of {MATRIX_MEMBERS} on Matrix; at most {busiest}/s; {lasted:.0f} s with three instances"
    )


def recipients(matrix: MatrixSide) -> list[OutgoingMessage]:
    """The broadcast's messages: the Matrix members spread among the Telegram ones."""
    telegram = [
        UserRef("telegram", str(member)) for member in range(FIRST_MEMBER, FIRST_MEMBER + TELEGRAM_MEMBERS)
    ]
    every = len(telegram) // len(matrix.members)
    people: list[UserRef] = []
    for index, member in enumerate(telegram):
        people.append(member)
        if index % every == every - 1 and index // every < len(matrix.members):
            people.append(UserRef("matrix", matrix.members[index // every]))
    return [OutgoingMessage(person, Text.of(NEWS)) for person in people]


def bot_answers(member: Member, room: str, bot_user: str) -> list[str]:
    return [
        str(source["content"].get("body"))
        for room_id, source in member.events
        if room_id == room and source.get("sender") == bot_user and source.get("type") == "m.room.message"
    ]


def _matrix_counts(matrix: MatrixSide) -> Counter[str]:
    skip = {matrix.community_room, matrix.moderators_room}
    return received_in_direct_chats(matrix.synapse, matrix.token, matrix.user_id, NEWS, skip)


def broadcast(api: FakeTelegram) -> list[int]:
    return [sent.chat_id for sent in api.sent if sent.text == NEWS]


async def _holds_all(database: str, pid: int) -> bool:
    held = await holders(database)
    return all(lease in held for lease in LEASES) and all(f":{pid}:" in holder for holder in held.values())


async def _taken_over(database: str, gone: str) -> bool:
    held = await holders(database)
    return all(lease in held and gone not in held[lease] for lease in LEASES)


def _busiest(moments: list[tuple[float, int]]) -> tuple[int, list[tuple[float, int]]]:
    """The most messages within one second, and those messages (moment, chat)."""
    ordered = sorted(moments)
    best: list[tuple[float, int]] = []
    start = 0
    for end, (moment, _) in enumerate(ordered):
        while ordered[start][0] <= moment - 1.0:
            start += 1
        if end - start + 1 > len(best):
            best = ordered[start : end + 1]
    return len(best), best
