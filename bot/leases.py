"""Singleton jobs under leases, so several instances on one PostgreSQL database act as one bot.

Some work must be done by exactly one instance at a time: Telegram's ``getUpdates``
polling (Telegram answers a second poller with 409 Conflict), the Matrix account's sync
loop (two would hand every event to two instances) and the scheduler's periodic jobs (reminders, retention, the dialogue tick). Each is held through a lease row
(:mod:`storage.leases`) by one instance; the others stand by:

* the holder renews every :data:`RENEW_EVERY` seconds a lease that lives :data:`TTL`;
* a renewal that fails or does not answer within :data:`RENEW_EVERY` (the database is
  unreachable, the lease changed hands) stops the job at once, well before the lease
  expires, so two instances never run it together;
* a standby tries every :data:`RETRY_EVERY` seconds, so it takes over at most
  ``TTL + RETRY_EVERY`` (under 10 s) after the holder died (``kill -9``) or lost the
  database.

On SQLite a single process holds everything (no lease rows), and
:class:`SingleProcessLock` refuses a second bot process on the same database file.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from bot.core.errors import ConfigurationError
from storage.db import Database
from storage.leases import Held, Leases

log = logging.getLogger(__name__)

#: How long a lease lives without renewal (seconds).
TTL = 7.0
#: How often the holder renews, and how long a renewal may take before the job stops.
RENEW_EVERY = 2.0
#: How often a standby tries to take a lease.
RETRY_EVERY = 1.5

Switch = Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


@runtime_checkable
class ReceivesUnderLease(Protocol):
    """A platform whose receiving only one instance may do at a time (Telegram polling, Matrix sync)."""

    def receive_under_lease(self) -> bool: ...

    async def start_receiving(self) -> None: ...

    async def stop_receiving(self) -> None: ...


@dataclass(slots=True)
class _Job:
    name: str
    on_acquired: Switch
    on_lost: Switch
    held: Held | None = None
    task: asyncio.Task[None] | None = None


def instance_name() -> str:
    """This process's name as a lease holder: host, process id and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:200]


class LeaseKeeper:
    """Runs each registered job only while this instance holds its lease.

    Args:
        db: the shared database; on SQLite every lease is held at once, without rows.
        holder: this instance's name (:func:`instance_name` by default).
        ttl: a lease's lifetime without renewal.
        renew_every: the holder's renewal period (also the renewal's time limit).
        retry_every: a standby's period between tries.
        now: the wall clock (epoch seconds) shared by the instances.
    """

    def __init__(
        self,
        db: Database,
        *,
        holder: str | None = None,
        ttl: float = TTL,
        renew_every: float = RENEW_EVERY,
        retry_every: float = RETRY_EVERY,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.holder = holder or instance_name()
        self.ttl = ttl
        self.renew_every = renew_every
        self.retry_every = retry_every
        self.now = now
        self.shared = db.dialect != "sqlite"
        self._jobs: dict[str, _Job] = {}
        self._running = False
        #: Told ``(lease, held)`` whenever this instance takes or loses a lease (``/metrics``).
        self.observers: list[Callable[[str, bool], None]] = []

    def hold(self, name: str, on_acquired: Switch = _nothing, on_lost: Switch = _nothing) -> None:
        """Run ``on_acquired`` whenever this instance takes lease ``name``, ``on_lost`` when it loses it."""
        job = _Job(name, on_acquired, on_lost)
        self._jobs[name] = job
        if self._running:
            self._launch(job)

    def holds(self, name: str) -> bool:
        """Whether this instance holds ``name`` now (always, on SQLite)."""
        if not self.shared:
            return self._running
        job = self._jobs.get(name)
        return job is not None and job.held is not None and job.held.expires_at > self.now()

    def token(self, name: str) -> int | None:
        """The fencing token of ``name`` while held here."""
        job = self._jobs.get(name)
        return job.held.token if job is not None and job.held is not None else None

    async def start(self) -> None:
        """Start holding (on SQLite: start every job now)."""
        self._running = True
        for job in self._jobs.values():
            self._launch(job)

    def _launch(self, job: _Job) -> None:
        job.task = asyncio.create_task(self._keep(job), name=f"lease-{job.name}")

    async def stop(self) -> None:
        """Stop every job this instance holds and give its leases back."""
        self._running = False
        for job in self._jobs.values():
            if job.task is not None:
                job.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await job.task
                job.task = None
            if job.held is not None or not self.shared:
                await self._lose(job, release=True)

    async def _keep(self, job: _Job) -> None:
        if not self.shared:
            job.held = Held(job.name, self.holder, 0, float("inf"))
            await self._switch(job.on_acquired, job.name, "start")
            return
        while True:
            if job.held is None:
                job.held = await self._attempt(
                    lambda session: Leases(session).acquire(job.name, self.holder, self.now(), self.ttl)
                )
                if job.held is None:
                    await asyncio.sleep(self.retry_every)
                    continue
                log.info("lease %s taken by %s (token %d)", job.name, self.holder, job.held.token)
                await self._switch(job.on_acquired, job.name, "start")
            await asyncio.sleep(self.renew_every)
            held = job.held
            renewed = await self._attempt(
                lambda session, held=held: Leases(session).renew(held, self.now(), self.ttl)
            )
            if renewed is None:
                log.warning("lease %s lost by %s: its job stops", job.name, self.holder)
                await self._lose(job, release=False)
            else:
                job.held = renewed

    async def _attempt(self, operation: Callable[..., Awaitable[Held | None]]) -> Held | None:
        """One lease statement, within :attr:`renew_every`; a failure counts as not held."""
        try:
            async with asyncio.timeout(self.renew_every), self.db.transaction() as session:
                return await operation(session)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the database is unreachable: hold nothing
            log.warning("lease statement failed: %s: %s", type(error).__name__, error)
            return None

    async def _lose(self, job: _Job, *, release: bool) -> None:
        held, job.held = job.held, None
        await self._switch(job.on_lost, job.name, "stop")
        if release and held is not None and self.shared:
            with contextlib.suppress(Exception):
                async with asyncio.timeout(self.renew_every), self.db.transaction() as session:
                    await Leases(session).release(held)

    async def _switch(self, switch: Switch, name: str, verb: str) -> None:
        for observer in self.observers:
            observer(name, verb == "start")
        try:
            await switch()
        except Exception:
            log.exception("could not %s the job of lease %s", verb, name)


SECOND_PROCESS = (
    "Another copbot process is already running on the SQLite database {path} (it holds {lock}). "
    "SQLite serves a single bot process: stop the other one first, or move to PostgreSQL to run "
    "several instances (see 'Running several instances' in docs/operators.md). Content commands "
    "such as import and export may still run beside it."
)


class SingleProcessLock:
    """An exclusive lock on ``<database>.lock``: one bot process per SQLite file.

    The operating system releases it when the process dies, however it dies.

    Args:
        db: the database; anything but an SQLite file needs no lock.
    """

    def __init__(self, db: Database) -> None:
        database = db.url.database or ""
        file = (
            db.dialect == "sqlite" and database not in ("", ":memory:") and not database.startswith("file:")
        )
        self.path = Path(f"{Path(database).expanduser()}.lock") if file else None
        self._file: IO[str] | None = None

    def acquire(self) -> None:
        """Take the lock.

        Raises:
            ConfigurationError: another process holds it (one paragraph for the operator).
        """
        if self.path is None or self._file is not None:
            return
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            database = str(self.path)[: -len(".lock")]
            raise ConfigurationError(SECOND_PROCESS.format(path=database, lock=self.path)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
