"""/healthz, /readyz and /metrics of a running bot, on each storage backend."""

from __future__ import annotations

import dataclasses
import json
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.platform import EventSink, Platform
from bot.core.types import ChatRef, MessageRef, OutgoingMessage, Role
from bot.observability.metrics import METRIC_NAMES
from bot.observability.server import ObservabilityServer
from storage.db import Database
from tests.fakes import FakeClock, Harness, start_with_people

PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], None),
    ("amina", [Role.MEMBER], None),
    ("bob", [Role.MEMBER], None),
)


def closed_port() -> int:
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class NeverStarts(Platform):
    """A chat platform whose server is down for the whole test."""

    name = "late"

    async def start(self, sink: EventSink) -> None:
        raise OSError("connection refused")

    async def stop(self) -> None:
        pass

    async def send(self, message: OutgoingMessage) -> MessageRef:
        raise AssertionError("never started")

    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        raise AssertionError("never started")

    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        raise AssertionError("never started")


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, _ = await start_with_people(db, tmp_path, clock, PEOPLE, metrics={"listen": "127.0.0.1:0"})
    yield harness
    await harness.stop()


def server_of(harness: Harness) -> ObservabilityServer:
    server = harness.bot.observability
    assert server is not None, "COPBOT_METRICS__LISTEN was set: the server must run"
    return server


async def get(server: ObservabilityServer, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{server.port}{path}") as response:
        return response.status, await response.text()


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample of the scraped text (fails when it is missing)."""
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in metrics.splitlines():
        found = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if found and ",".join(sorted((found.group(1) or "").split(","))) == wanted:
            return float(found.group(2))
    raise AssertionError(f"no sample {name}{{{wanted}}} in:\n{metrics}")


async def test_healthz_answers_while_the_loop_runs(community: Harness) -> None:
    assert await get(server_of(community), "/healthz") == (200, '{"status": "alive"}')


async def test_readyz_is_ready_then_says_the_database_does_not_answer(community: Harness) -> None:
    server = server_of(community)
    status, body = await get(server, "/readyz")
    assert (status, json.loads(body)) == (200, {"status": "ready"})

    unreachable = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{closed_port()}/none")
    server.readiness = dataclasses.replace(server.readiness, db=unreachable)
    try:
        status, body = await get(server, "/readyz")
    finally:
        await unreachable.dispose()
    answer: dict[str, Any] = json.loads(body)
    assert status == 503
    assert answer["status"] == "not ready"
    assert set(answer["problems"]) == {"database"}


async def test_readyz_waits_for_every_configured_platform(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(
        db, tmp_path, extra_platforms=[NeverStarts()], metrics={"listen": "127.0.0.1:0"}
    )
    try:
        status, body = await get(server_of(harness), "/readyz")
    finally:
        await harness.stop()
    assert status == 503
    assert json.loads(body)["problems"] == {"platforms": {"late": "not started"}}


async def test_metrics_show_events_sends_forms_and_a_broadcast(community: Harness) -> None:
    server_of(community).figures.cache = 0.0  # each scrape reads the database afresh
    await community.say("/help", as_="amina")
    await community.say("hello there", as_="amina")
    await community.say("/apply", as_="newcomer")  # an application form left open
    await community.bot.outbox.stop()  # the broadcast waits in the outbox while it is scraped
    preview = await community.say("/announce Meeting on Friday", as_="mod")
    assert preview[-2].startswith("[#1] Send to ")
    await community.say("#1", as_="mod")
    community.clock.advance(timedelta(seconds=30))

    status, during = await get(server_of(community), "/metrics")
    assert status == 200
    assert sample(during, "copbot_outbox_pending", platform="console") == 3
    assert sample(during, "copbot_outbox_oldest_pending_seconds", platform="console") == 30
    assert sample(during, "copbot_broadcast_recipients", broadcast="1") == 3
    assert sample(during, "copbot_broadcast_delivered", broadcast="1") == 0
    await community.bot.outbox.start()
    await community.bot.settle()
    _, after = await get(server_of(community), "/metrics")

    for name in METRIC_NAMES:
        assert re.search(rf"^# HELP {name} ", after, re.MULTILINE), name
    assert sample(after, "copbot_events_handled_total", platform="console", kind="command") >= 3
    assert sample(after, "copbot_events_handled_total", platform="console", kind="message") == 1
    assert sample(after, "copbot_events_handled_total", platform="console", kind="button") == 1
    assert sample(after, "copbot_handler_seconds_count", platform="console", kind="command") >= 3
    assert sample(after, "copbot_sends_total", platform="console", path="outbox", outcome="sent") == 3
    assert sample(after, "copbot_sends_total", platform="console", path="interactive", outcome="sent") >= 4
    assert sample(after, "copbot_form_sessions_open", form="application") == 1
    assert "copbot_outbox_pending{" not in after  # nothing waits any more


async def test_the_lease_holder_gauge_follows_the_lease(community: Harness) -> None:
    metrics = community.bot.metrics
    assert metrics is not None
    metrics.set_lease_holder("dialogue-posts", True)
    metrics.set_lease_holder("reminders", False)
    _, text = await get(server_of(community), "/metrics")
    assert sample(text, "copbot_lease_holder", job="dialogue-posts") == 1
    assert sample(text, "copbot_lease_holder", job="reminders") == 0


async def test_without_the_setting_nothing_listens_and_nothing_is_counted(harness: Harness) -> None:
    assert harness.bot.observability is None
    assert harness.bot.metrics is None
    assert await harness.say("/help", as_="amina")
