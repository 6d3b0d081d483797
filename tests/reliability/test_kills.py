"""kill -9 at random points: in the form, during a broadcast, with Telegram updates pending.

Each scenario reuses the end-to-end launchers of ``tests/e2e`` (``copbot chat``, the
broadcast worker, ``copbot run`` against the fake Bot API) and counts what a kill cost.
"""

from __future__ import annotations

import asyncio
import os
import queue
import random
import re
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.outbox import MAX_IN_FLIGHT
from tests.e2e.test_application_cli import Chat
from tests.e2e.test_outbox_crash import delivered, worker
from tests.e2e.test_telegram_e2e import Copbot, claimed, journalled, repeats, until
from tests.fakes import form_answers
from tests.platforms.telegram.fake import FakeBotApiServer, FakeTelegram
from tests.reliability.conftest import SIZES, Figures

pytestmark = pytest.mark.slow
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
STATUS = re.compile(r"(\d+) of 13 questions answered")


def database_url(backend: str, request: pytest.FixtureRequest) -> str | None:
    """A fresh database URL on PostgreSQL; ``None`` (the default SQLite file) otherwise."""
    return str(request.getfixturevalue("postgres_database")) if backend == "postgresql" else None


def answered(chat: Chat, user: str) -> int:
    """How many answers ``user``'s application draft holds, by ``/status``."""
    assert chat.process.stdin is not None
    chat.process.stdin.write(f"@{user} /status\n")
    chat.process.stdin.flush()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            line = chat.lines.get(timeout=1)
        except queue.Empty:
            continue
        if line.startswith(f"[{user}]") and (found := STATUS.search(line)):
            return int(found.group(1))
    raise AssertionError(f"no /status answer for {user}")


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_at_random_points_of_the_form(
    backend: str, tmp_path: Path, figures: Figures, request: pytest.FixtureRequest
) -> None:
    """Each round answers a random number of questions, maybe sends one more, and dies;
    the next process checks that every acknowledged answer is still there."""
    figures.scenario, figures.database = "kill -9 in the form", backend
    url = database_url(backend, request)
    env = {"COPBOT_FLOOD__BURST": "1000"} | ({"COPBOT_DATABASE_URL": url} if url else {})
    rng = random.Random(17)
    answers = form_answers()
    previous: tuple[str, int, int] | None = None  # the user killed, answers acknowledged, in flight
    figures["kills"] = figures["answers lost"] = figures["answers in flight"] = 0
    kills = SIZES.form_kills_postgres if backend == "postgresql" else SIZES.form_kills
    for round_ in range(kills + 1):
        chat = Chat(tmp_path, as_=f"user{round_}", env=env)
        try:
            if previous is not None:
                user, acknowledged, in_flight = previous
                stored = answered(chat, user)
                assert stored <= acknowledged + in_flight, f"{user}: {stored} answers stored, more than sent"
                figures.add("answers lost", max(0, acknowledged - stored))
            if round_ == kills:
                break
            steps = rng.randint(1, 10)
            chat.say("/apply", "Question 1 of 13")
            for number, answer in enumerate(answers[:steps], start=2):
                chat.say(answer, f"Question {number} of 13")
            in_flight = int(rng.random() < 0.5)
            if in_flight:  # one more answer on its way when the process dies
                assert chat.process.stdin is not None
                chat.process.stdin.write(answers[steps] + "\n")
                chat.process.stdin.flush()
                time.sleep(rng.random() * 0.2)
            chat.kill()
            figures.add("kills")
            figures.add("answers in flight", in_flight)
            previous = (f"user{round_}", steps, in_flight)
        finally:
            if chat.process.poll() is None:
                chat.close()
    assert figures["answers lost"] == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_kill_9_during_a_broadcast(
    backend: str, tmp_path: Path, figures: Figures, request: pytest.FixtureRequest
) -> None:
    figures.scenario, figures.database = "kill -9 during a broadcast", backend
    url = database_url(backend, request)
    total = SIZES.broadcast
    kill_at = random.Random(17).randint(total // 10, total // 2)
    first = worker(tmp_path, url, total)
    deadline = time.monotonic() + 120 + total / 50
    while len(delivered(tmp_path)) < kill_at:
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        assert time.monotonic() < deadline, "the first run delivered too little"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    figures["recipients"] = total
    figures["sent before the kill"] = before = len(delivered(tmp_path))
    assert before < total, "the broadcast finished before the kill"

    second = worker(tmp_path, url, total)
    out, err = second.communicate(timeout=120 + total / 50)
    assert second.returncode == 0, err
    assert out.strip() == "done"
    counts = Counter(delivered(tmp_path))
    figures["skipped"] = total - len(set(counts) & {f"r{n}" for n in range(total)})
    figures["duplicated"] = sum(count - 1 for count in counts.values())
    figures["in flight (bound)"] = MAX_IN_FLIGHT
    assert figures["skipped"] == 0, "somebody was skipped"
    assert figures["duplicated"] <= MAX_IN_FLIGHT, "more duplicates than messages in flight"


async def test_kill_9_with_updates_pending_and_replies_in_flight(tmp_path: Path, figures: Figures) -> None:
    """``copbot run`` (SQLite) against the fake Bot API, killed mid-batch and restarted."""
    figures.scenario, figures.database = "kill -9, Telegram updates pending", "sqlite"
    api = FakeTelegram()
    server = FakeBotApiServer(api)
    await server.start()
    try:
        count = SIZES.pending_updates
        users = range(1000, 1000 + count)
        for user in users:
            api.user(user, f"User {user}")
            api.say(user, "/help")
        api.latency = 0.01  # each reply takes a while: the kill lands mid-batch
        bot = Copbot(tmp_path, server)
        await bot.start()
        await until(lambda: len(api.sent) >= count // 5, "some replies", bot, patience=60)
        bot.kill()
        await bot.process.wait()  # type: ignore[union-attr]
        await api.settled()  # the sends made just before the kill still reach Telegram
        figures["updates"] = count
        figures["fetched, unhandled"] = count - len(claimed(bot.db))
        in_flight = journalled(bot.db) & {sent.chat_id for sent in api.sent}
        figures["replies in flight"] = len(in_flight)
        again = Copbot(tmp_path, server)
        await again.start()
        try:
            await until(lambda: api.pending == 0, "every update confirmed", again, patience=60 + count / 10)
            await asyncio.sleep(0.5)  # a repeat, if any, would come now
        finally:
            log = await again.stop()
    finally:
        await server.stop()
    replies = Counter(sent.chat_id for sent in api.sent)
    figures["unanswered"] = len(set(users) - set(replies))
    figures["duplicated"] = repeats(replies)
    assert "Traceback" not in log
    assert claimed(bot.db) == {f"update:{n}" for n in range(1, count + 1)}  # each handled once
    assert figures["unanswered"] == 0
    assert figures["duplicated"] <= len(in_flight)
