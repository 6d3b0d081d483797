"""Singleton jobs under leases: one holder among instances, takeover, stop on loss; SQLite's lock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import update

from bot.core.errors import ConfigurationError
from bot.leases import LeaseKeeper, SingleProcessLock
from storage.db import Database
from storage.models import Lease
from tests.conftest import POSTGRES_URL

FAST = {"ttl": 1.0, "renew_every": 0.25, "retry_every": 0.2}


class Job:
    """Records when an instance runs the singleton job."""

    def __init__(self, name: str, log: list[tuple[str, str, float]]) -> None:
        self.name = name
        self.log = log
        self.running = False

    async def start(self) -> None:
        self.running = True
        self.log.append((self.name, "start", time.monotonic()))

    async def stop(self) -> None:
        self.running = False
        self.log.append((self.name, "stop", time.monotonic()))


@pytest.fixture
async def instances(postgres_schema: str) -> AsyncIterator[list[Database]]:
    """Three instances' databases (each its own pool) on one PostgreSQL schema."""
    settings = {"server_settings": {"search_path": postgres_schema}}
    databases = [Database(POSTGRES_URL, connect_args=settings) for _ in range(3)]
    async with databases[0].transaction() as session:
        await session.execute(Lease.__table__.delete())
    yield databases
    for database in databases:
        await database.dispose()


async def wait_for(condition: object, patience: float = 5.0) -> float:
    started = time.monotonic()
    while not condition():  # type: ignore[operator]
        assert time.monotonic() - started < patience, "timed out"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


@pytest.mark.postgres
async def test_one_instance_runs_the_job_and_another_takes_over_when_it_stops(
    instances: list[Database],
) -> None:
    log: list[tuple[str, str, float]] = []
    jobs = [Job(f"i{n}", log) for n in range(3)]
    keepers = [LeaseKeeper(db, holder=job.name, **FAST) for db, job in zip(instances, jobs, strict=True)]
    for keeper, job in zip(keepers, jobs, strict=True):
        keeper.hold("telegram-receiving", job.start, job.stop)
        await keeper.start()
    try:
        await wait_for(lambda: any(job.running for job in jobs))
        await asyncio.sleep(1.0)  # several renewals: still one holder
        holders = [n for n, job in enumerate(jobs) if job.running]
        assert len(holders) == 1
        first = holders[0]
        assert keepers[first].holds("telegram-receiving")
        assert keepers[first].token("telegram-receiving") == 1

        await keepers[first].stop()  # a clean stop gives the lease back
        took = await wait_for(lambda: any(job.running for job in jobs), patience=2.0)
        assert took < 0.5  # the next try of a standby, not the lease's expiry
        assert sum(job.running for job in jobs) == 1
        assert not jobs[first].running
    finally:
        for keeper in keepers:
            await keeper.stop()


@pytest.mark.postgres
async def test_a_holder_that_loses_its_lease_stops_at_once_and_a_standby_takes_over_after_expiry(
    instances: list[Database],
) -> None:
    log: list[tuple[str, str, float]] = []
    first, second = Job("first", log), Job("second", log)
    holder = LeaseKeeper(instances[0], holder="first", **FAST)
    holder.hold("scheduler", first.start, first.stop)
    await holder.start()
    await wait_for(lambda: first.running)
    standby = LeaseKeeper(instances[1], holder="second", **FAST)
    standby.hold("scheduler", second.start, second.stop)
    await standby.start()
    try:
        # As after a partition: the row changed hands behind the holder's back.
        async with instances[2].transaction() as session:
            await session.execute(
                update(Lease).where(Lease.name == "scheduler").values(holder="third", token=Lease.token + 1)
            )
        await wait_for(lambda: not first.running, patience=FAST["renew_every"] * 2 + 0.3)
        assert not second.running  # "third" holds it until it expires
        took = await wait_for(lambda: second.running, patience=FAST["ttl"] + FAST["retry_every"] + 0.5)
        assert took <= FAST["ttl"] + FAST["retry_every"] + 0.3
        assert [(name, what) for name, what, _ in log] == [
            ("first", "start"),
            ("first", "stop"),
            ("second", "start"),
        ]
    finally:
        await holder.stop()
        await standby.stop()


@pytest.mark.postgres
async def test_a_holder_cut_off_from_the_database_stops_its_job(instances: list[Database]) -> None:
    log: list[tuple[str, str, float]] = []
    job = Job("alone", log)
    keeper = LeaseKeeper(instances[0], holder="alone", **FAST)
    keeper.hold("scheduler", job.start, job.stop)
    await keeper.start()
    try:
        await wait_for(lambda: job.running)
        await instances[0].engine.dispose()
        keeper.db = Database("postgresql+asyncpg://nobody@127.0.0.1:9/unreachable")  # a partition
        await wait_for(lambda: not job.running, patience=FAST["renew_every"] * 2 + 0.5)
        assert not keeper.holds("scheduler")
    finally:
        await keeper.stop()
        await keeper.db.dispose()


async def test_on_sqlite_one_process_holds_every_job_without_rows(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'copbot.db'}")
    log: list[tuple[str, str, float]] = []
    job = Job("only", log)
    keeper = LeaseKeeper(db)
    told: list[tuple[str, bool]] = []
    keeper.observers.append(lambda lease, held: told.append((lease, held)))  # what /metrics shows
    keeper.hold("telegram-receiving", job.start, job.stop)
    assert not keeper.holds("telegram-receiving")
    await keeper.start()
    await wait_for(lambda: job.running)
    assert keeper.holds("anything")
    await keeper.stop()
    assert not job.running
    assert not keeper.holds("telegram-receiving")
    assert told == [("telegram-receiving", True), ("telegram-receiving", False)]
    await db.dispose()


def test_a_second_bot_process_on_one_sqlite_file_is_refused(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'copbot.db'}"
    first, second = SingleProcessLock(Database(url)), SingleProcessLock(Database(url))
    first.acquire()
    with pytest.raises(ConfigurationError) as refused:
        second.acquire()
    assert "Another copbot process is already running" in str(refused.value)
    assert str(tmp_path / "copbot.db") in str(refused.value)
    first.release()
    second.acquire()  # free again once the first process is gone
    second.release()
    assert SingleProcessLock(Database("postgresql+asyncpg://x@127.0.0.1/y")).path is None
