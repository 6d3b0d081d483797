"""Fixtures for the Matrix tests: a Synapse per session, members as nio clients, the bot as a process.

Synapse starts once per test run (:func:`synapse`). Outside CI, the tests are skipped
with the reason when Synapse cannot be installed or started; with ``CI=true`` they fail.
Every test registers users of its own (a random suffix), so tests share the server
without seeing each other.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from nio import (
    AsyncClient,
    AsyncClientConfig,
    InviteMemberEvent,
    LoginResponse,
    MatrixRoom,
    RoomSendResponse,
    SyncResponse,
)

from tests.conftest import IN_CI
from tests.platforms.matrix.synapse import Synapse, SynapseUnavailable

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "correct horse battery staple"
Source = dict[str, Any]
#: Synapse's default sync returns the last 10 events of a room: a member that falls
#: behind a busy room (the bot answering a backlog) would silently miss the rest.
MEMBER_SYNC_FILTER: dict[str, Any] = {"room": {"timeline": {"limit": 1000}}}


def start_synapse(data: Path, **options: Any) -> Synapse:
    server = Synapse(data, **options)
    try:
        server.start()
    except SynapseUnavailable as error:
        if IN_CI:
            pytest.fail(f"Synapse is needed under CI: {error}")
        pytest.skip(f"Synapse unavailable: {error}")
    return server


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A Synapse with every rate limit raised, for the whole session."""
    server = start_synapse(tmp_path_factory.mktemp("synapse"))
    yield server
    server.stop()


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@dataclass
class Member:
    """A person on the homeserver, as a matrix-nio client that records what it receives.

    Invitations are accepted. ``events`` holds ``(room_id, event JSON)`` pairs, decrypted;
    ``gaps`` counts the syncs that skipped events (tests that count events check it is 0).
    """

    synapse: Synapse
    name: str
    store: Path | None = None
    client: AsyncClient = field(init=False)
    events: list[tuple[str, Source]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    @property
    def user_id(self) -> str:
        return f"@{self.name}:localhost"

    async def start(self) -> Member:
        self.synapse.register(self.name, PASSWORD)
        config = AsyncClientConfig(encryption_enabled=self.store is not None, max_limit_exceeded=None)
        if self.store is not None:
            self.store.mkdir(parents=True, exist_ok=True)
        self.client = AsyncClient(
            self.synapse.url, self.user_id, store_path=str(self.store) if self.store else "", config=config
        )
        assert isinstance(await self.client.login(PASSWORD, device_name=self.name), LoginResponse)
        self.client.add_event_callback(self._record, object)  # type: ignore[arg-type]
        self.client.add_response_callback(self._gaps, SyncResponse)  # type: ignore[arg-type]
        self._task = asyncio.create_task(
            self.client.sync_forever(timeout=500, sync_filter=MEMBER_SYNC_FILTER, full_state=True)
        )
        return self

    #: Syncs whose timeline of a room already synced came back "limited": events missed.
    #: (A room's first sync may be limited: its history starts there.)
    gaps: int = 0
    _synced: set[str] = field(default_factory=set)

    async def _gaps(self, response: SyncResponse) -> None:
        for room_id, joined in response.rooms.join.items():
            if joined.timeline.limited and room_id in self._synced:
                self.gaps += 1
            self._synced.add(room_id)

    async def _record(self, room: MatrixRoom, event: Any) -> None:
        if isinstance(event, InviteMemberEvent):
            if event.state_key == self.user_id and event.membership == "invite":
                await self.client.join(room.room_id)
            return
        source = getattr(event, "source", None)
        if isinstance(source, dict):
            # a decrypted event's JSON is the plaintext; mark it so tests can tell
            self.events.append((room.room_id, {**source, "decrypted": getattr(event, "decrypted", False)}))

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.client.close()

    async def wait_for(
        self, predicate: Callable[[str, Source], bool], patience: float = 30.0, what: str = "an event"
    ) -> tuple[str, Source]:
        """The first recorded event matching ``predicate``, waiting up to ``patience`` seconds."""
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            for room_id, source in self.events:
                if predicate(room_id, source):
                    return room_id, source
            await asyncio.sleep(0.05)
        bodies = [source.get("content", {}).get("body") for _, source in self.events[-10:]]
        raise AssertionError(f"{self.name} did not receive {what}; last bodies: {bodies}")

    async def wait_for_text(
        self, fragment: str, room_id: str | None = None, patience: float = 30.0
    ) -> tuple[str, Source]:
        """The first message from someone else whose body contains ``fragment``."""

        def matches(room: str, source: Source) -> bool:
            body = source.get("content", {}).get("body")
            return (
                source.get("sender") != self.user_id
                and isinstance(body, str)
                and fragment in body
                and (room_id is None or room == room_id)
            )

        return await self.wait_for(matches, patience, f"a message containing {fragment!r}")

    async def send(
        self, room_id: str, body: str, relates_to: dict[str, Any] | None = None, **extra: Any
    ) -> str:
        """Send an ``m.text`` message (``extra`` adds content keys, such as ``m.new_content``)."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": body, **extra}
        if relates_to is not None:
            content["m.relates_to"] = relates_to
        for _ in range(100):
            if room_id in self.client.rooms:
                break
            await asyncio.sleep(0.05)
        response = await self.client.room_send(
            room_id, "m.room.message", content, ignore_unverified_devices=True
        )
        assert isinstance(response, RoomSendResponse), response
        return str(response.event_id)


@pytest.fixture
async def members(synapse: Synapse, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """``await members("alice", encrypted=True)`` starts a member; all stop at the end."""
    started: list[Member] = []

    async def make(name: str, *, encrypted: bool = False) -> Member:
        member = Member(synapse, unique(name), tmp_path / f"store-{name}" if encrypted else None)
        started.append(await member.start())
        return member

    yield make
    for member in started:
        await member.stop()


class BotProcess:
    """``copbot run`` on the Matrix platform, as a subprocess with its own database and store."""

    def __init__(self, synapse: Synapse, workdir: Path, **settings: str) -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.name = unique("copbot")
        synapse.register(self.name, PASSWORD)
        self.user_id = f"@{self.name}:localhost"
        self.log = workdir / "bot.log"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("COPBOT_")}
        self.env.update(
            {
                "COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'bot.db'}",
                "COPBOT_MATRIX__HOMESERVER": synapse.url,
                "COPBOT_MATRIX__USER_ID": self.user_id,
                "COPBOT_MATRIX__PASSWORD": PASSWORD,
                "COPBOT_MATRIX__STORE_PATH": str(workdir / "matrix"),
                "COPBOT_FILES_DIR": str(workdir / "files"),
                "COPBOT_LOG_LEVEL": "INFO",
                # tests type faster than people: no flood control
                "COPBOT_FLOOD__RATE": "1000",
                "COPBOT_FLOOD__BURST": "1000",
                **{f"COPBOT_{key.upper()}": value for key, value in settings.items()},
            }
        )
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def start(self, patience: float = 60.0) -> None:
        """Start the bot and wait until it serves."""
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"], cwd=ROOT, env=self.env, stdout=log, stderr=log
            )
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited: {self.output()[-3000:]}")
            if "copbot started on" in self.log.read_bytes()[offset:].decode(errors="replace"):
                return
            time.sleep(0.1)
        raise AssertionError(f"the bot did not start: {self.output()[-3000:]}")

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def bots(synapse: Synapse, tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """``bots(community_room=..., admins=...)`` makes a bot process; all are stopped at the end."""
    made: list[BotProcess] = []

    def make(**settings: str) -> BotProcess:
        bot = BotProcess(synapse, tmp_path / f"bot{len(made)}", **settings)
        made.append(bot)
        return bot

    yield make
    for bot in made:
        bot.stop()
