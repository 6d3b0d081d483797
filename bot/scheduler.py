"""Timed work, on APScheduler 3 in the bot's own event loop.

The database is the source of truth for everything scheduled: jobs live in memory and
are rebuilt from the database at start-up, so a restart neither loses nor repeats
work. Features register their jobs through :meth:`Scheduler.every` and
:meth:`Scheduler.at`.

With several instances on one database, each periodic job (:meth:`Scheduler.every`) runs
only on the instance that holds its lease (:class:`bot.leases.LeaseKeeper`), which runs
it once at once when it takes the lease over. One-off timers (:meth:`at`,
:meth:`after`) run wherever they were set: their work is claimed in the database (a
prompt's post), so running on several instances posts once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.core.clock import Clock
from bot.leases import LeaseKeeper
from storage.db import Database
from storage.events import ProcessedEvents

log = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]

#: How long processed-event ids are kept: far longer than any platform redelivers.
EVENT_RETENTION = timedelta(days=14)


class Scheduler:
    """Runs the bot's periodic and one-off jobs.

    Args:
        clock: where "now" comes from (jobs compute their own cut-offs with it).
        timezone: the zone of cron-like triggers.
        leases: who holds which periodic job; ``None``: this process runs them all.
    """

    def __init__(self, clock: Clock, timezone: str = "UTC", *, leases: LeaseKeeper | None = None) -> None:
        self.clock = clock
        self.leases = leases
        self._scheduler = AsyncIOScheduler(timezone=timezone)

    def every(self, name: str, interval: timedelta, job: Job, *, first: datetime | None = None) -> None:
        """Run ``job`` every ``interval`` (first at ``first``, default now), under lease ``name``."""
        leases = self.leases
        if leases is not None:
            job = _while_held(leases, name, job)
            if leases.shared:
                leases.hold(name, self._run_now(name))
        self._scheduler.add_job(
            _logged(name, job),
            IntervalTrigger(seconds=interval.total_seconds()),
            id=name,
            name=name,
            replace_existing=True,
            next_run_time=first or self.clock.now(),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )

    def at(self, name: str, when: datetime, job: Job) -> None:
        """Run ``job`` once at ``when`` (at once if that is past)."""
        self._scheduler.add_job(
            _logged(name, job),
            DateTrigger(run_date=max(when, self.clock.now())),
            id=name,
            name=name,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def after(self, name: str, delay: timedelta, job: Job) -> None:
        """Run ``job`` once, ``delay`` from now on the wall clock.

        Unlike :meth:`at`, the moment does not depend on the bot's clock, so a job due
        at a time computed from a controllable clock is neither early nor missed.
        """
        self._scheduler.add_job(
            _logged(name, job),
            DateTrigger(run_date=datetime.now(UTC) + max(delay, timedelta(0))),
            id=name,
            name=name,
            replace_existing=True,
            misfire_grace_time=None,
        )

    def cancel(self, name: str) -> None:
        """Forget job ``name`` if it is scheduled."""
        if self._scheduler.get_job(name) is not None:
            self._scheduler.remove_job(name)

    def _run_now(self, name: str) -> Job:
        """What taking lease ``name`` over does: the job runs now, then at its interval."""

        async def run_now() -> None:
            if self._scheduler.running and self._scheduler.get_job(name) is not None:
                self._scheduler.modify_job(name, next_run_time=datetime.now(UTC))

        return run_now

    @property
    def job_names(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _logged(name: str, job: Job) -> Job:
    async def run() -> None:
        try:
            await job()
        except Exception:
            log.exception("scheduled job %s failed", name)

    return run


def _while_held(leases: LeaseKeeper, name: str, job: Job) -> Job:
    async def run() -> None:
        if leases.holds(name):
            await job()

    return run


def prune_processed_events(db: Database, clock: Clock) -> Job:
    """A job that forgets processed-event ids older than :data:`EVENT_RETENTION`."""

    async def prune() -> None:
        async with db.transaction() as session:
            removed = await ProcessedEvents(session).prune(clock.now() - EVENT_RETENTION)
        log.info("pruned %d processed-event ids", removed)

    return prune
