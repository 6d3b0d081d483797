from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.core.clock import SystemClock
from bot.scheduler import EVENT_RETENTION, Scheduler, prune_processed_events
from storage.db import Database
from storage.events import ProcessedEvents
from tests.fakes import FakeClock


async def test_jobs_run_repeat_and_can_be_cancelled() -> None:
    scheduler = Scheduler(SystemClock())
    runs: list[str] = []

    async def tick() -> None:
        runs.append("tick")

    async def once() -> None:
        runs.append("once")

    scheduler.every("tick", timedelta(milliseconds=50), tick)
    scheduler.at("once", SystemClock().now() - timedelta(hours=1), once)  # past: runs now
    scheduler.start()
    try:
        await asyncio.sleep(0.3)
        assert runs.count("once") == 1
        assert runs.count("tick") >= 3
        scheduler.cancel("tick")
        assert scheduler.job_names == []
    finally:
        scheduler.shutdown()


async def test_a_failing_job_is_logged_and_keeps_its_schedule(caplog) -> None:  # type: ignore[no-untyped-def]
    scheduler = Scheduler(SystemClock())
    calls = 0

    async def flaky() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("flaky job")

    scheduler.every("flaky", timedelta(milliseconds=40), flaky)
    scheduler.start()
    try:
        await asyncio.sleep(0.2)
    finally:
        scheduler.shutdown()
    assert calls >= 2
    assert "scheduled job flaky failed" in caplog.text


async def test_pruning_forgets_old_processed_events(db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        events = ProcessedEvents(session)
        await events.claim("console", "old", clock.now() - EVENT_RETENTION - timedelta(minutes=1))
        await events.claim("console", "recent", clock.now() - EVENT_RETENTION + timedelta(minutes=1))
    await prune_processed_events(db, clock)()
    async with db.transaction() as session:
        events = ProcessedEvents(session)
        assert await events.claim("console", "old", clock.now())
        assert not await events.claim("console", "recent", clock.now())
