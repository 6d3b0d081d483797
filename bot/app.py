"""Wiring: settings, database, catalogs, router, middleware, scheduler and platforms.

:class:`CopBot` owns the life cycle. Platforms hand it events through :meth:`CopBot.handle`;
the sequencer orders them per conversation; each runs through the middleware chain
(see :mod:`bot.core.middleware`) to a handler.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.context import Actor, Context
from bot.core.errors import ConfigurationError
from bot.core.flood import FloodLimiter
from bot.core.middleware import ErrorCapture, FloodControl, Middleware, chain
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.sequencer import KeyedSequencer
from bot.core.types import ChatRef, CommandMenu, Event, Role, UserRef
from bot.features import Feature, Runtime, StopHooks, SystemJob, repositories_of
from bot.identity import Identity
from bot.leases import LeaseKeeper, ReceivesUnderLease, SingleProcessLock
from bot.menus import publish_command_menus, publish_command_menus_later
from bot.observability.wiring import Observability
from bot.outbox import OutboxSender
from bot.platform_start import Backoff, start_until_up
from bot.platform_storage import hand_storage
from bot.platforms.console import ConsolePlatform
from bot.reply_journal import ReplyJournal
from bot.scheduler import Scheduler, prune_processed_events
from bot.services import Services
from bot.unit_of_work import UnitOfWork
from handlers import FEATURES, build_router
from handlers.basics.commands import command_menus
from storage.db import Database
from storage.profiles import ProfileCache
from storage.repository import Shared

if TYPE_CHECKING:
    from bot.observability.server import ObservabilityServer

log = logging.getLogger(__name__)

#: Who the bot is when it acts on its own.
SYSTEM_USER = UserRef("system", "copbot", "copbot")
SYSTEM_CHAT = ChatRef("system", "copbot")


@dataclass(frozen=True, slots=True, kw_only=True)
class SystemEvent(Event):
    """The event behind work the bot does on its own; carries the job."""

    job: SystemJob | None = None


async def _run_system_job(ctx: Context[Services]) -> None:
    event = ctx.event
    if isinstance(event, SystemEvent) and event.job is not None:
        await event.job(ctx)


class CopBot:
    """The running bot.

    Args:
        settings: the configuration.
        platforms: the adapters to run (at least one).
        clock: the clock; tests pass a controllable one.
        db: the database; by default opened from ``settings.database_url``.
        features: what the bot does; by default every feature (:data:`handlers.FEATURES`).
        router: the root router; by default the features' routes.
        start_backoff: the waits between attempts to start a platform that is not
            reachable at start (:mod:`bot.platform_start`).
        exclusive: refuse to start if another bot process runs on the same SQLite file
            (``copbot run`` and ``copbot chat``; see :class:`bot.leases.SingleProcessLock`).
    """

    def __init__(
        self,
        settings: Settings,
        platforms: Sequence[Platform],
        *,
        clock: Clock | None = None,
        db: Database | None = None,
        features: Sequence[Feature] = FEATURES,
        router: Router | None = None,
        start_backoff: Backoff | None = None,
        exclusive: bool = False,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self.db = db or Database(settings.database_url)
        self.catalogs = Catalogs(default=settings.default_locale)
        self.features = tuple(features)
        self.router = router or build_router(self.features)
        self.repositories = repositories_of(self.features)
        self.platforms = {platform.name: platform for platform in platforms}
        #: Every platform the bot was given, started or not (``/readyz`` waits for all).
        self.configured = tuple(self.platforms)
        self.sequencer = KeyedSequencer()
        self.leases = LeaseKeeper(self.db)
        self.single_process = SingleProcessLock(self.db) if exclusive else None
        self.scheduler = Scheduler(self.clock, settings.timezone, leases=self.leases)
        self.flood = FloodLimiter(settings.flood.rate, settings.flood.burst)
        self.shared = Shared(exclusive=not self.leases.shared)
        self.outbox = OutboxSender(
            self.db, self.platforms, SystemClock(), self.catalogs, shared=self.leases.shared
        )
        self.replies = ReplyJournal(self.db, self.platforms, self.clock)
        self.observed = Observability(
            settings, self.db, self.clock, [form.name for feature in self.features for form in feature.forms]
        )
        #: The Prometheus metrics, when ``COPBOT_METRICS__LISTEN`` is set.
        self.metrics = self.observed.metrics
        if self.metrics is not None:
            self.leases.observers.append(self.metrics.set_lease_holder)
        middlewares: list[Middleware] = [
            *self.observed.outer_middlewares(),
            ErrorCapture(),
            *self.observed.inner_middlewares(),
            FloodControl(self.flood),  # before any database work: a flood costs no transaction
            UnitOfWork(self.db, self.clock, journal=self.replies),
            Identity(settings.admins, self.catalogs, self.clock),
            *(middleware for feature in self.features for middleware in feature.middlewares),
        ]
        self._pipeline = chain(middlewares, self.router.dispatch)
        self._system_pipeline = chain(
            [UnitOfWork(self.db, self.clock, journal=self.replies)], _run_system_job
        )
        self._started = False
        self.start_backoff = start_backoff or Backoff()
        self._starting: set[asyncio.Task[None]] = set()
        self.stops = StopHooks()  # what the features started, stopped first (Runtime.stops)

    async def start(self, *, migrate: bool = True, menus_later: bool = False) -> None:
        """Migrate the database, seed sample data if asked, start jobs and platforms.

        Args:
            migrate: bring the schema to the newest revision first.
            menus_later: publish the platforms' command menus in the background rather
                than before returning (``copbot run``: a menu in every language is a
                catalog to read and a call per scope and language, ~0.3 s on Telegram,
                which need not delay the first answer).
        """
        if self.single_process is not None:
            self.single_process.acquire()
        if migrate:
            await self.db.upgrade()
        if self.settings.seeds_sample_data:
            for feature in self.features:
                if feature.seed is not None:
                    await feature.seed(self.db, self.clock)
        self.scheduler.every(
            "prune-processed-events", timedelta(hours=6), prune_processed_events(self.db, self.clock)
        )
        self._schedule_jobs()
        await self.leases.start()
        self.scheduler.start()
        await self.replies.start()
        for platform in list(self.platforms.values()):
            await hand_storage(platform, self.db, shared=self.leases.shared)
            under_lease = (
                self.leases.shared
                and isinstance(platform, ReceivesUnderLease)
                and platform.receive_under_lease()
            )
            try:
                await platform.start(self.handle)
            except ConfigurationError:
                raise
            except Exception as error:
                if isinstance(platform, ConsolePlatform):
                    raise
                self._start_later(platform, error, under_lease=under_lease)
                continue
            if under_lease:
                self._receive_under_lease(platform)
            await self.replies.replay(platform)  # what a crash cut off, where it can go exactly once
        if menus_later:
            menus = asyncio.create_task(
                publish_command_menus_later(self._menus, list(self.platforms.values())),
                name="command-menus",
            )
            self._starting.add(menus)  # cancelled by stop() if still running
            menus.add_done_callback(self._starting.discard)
        else:
            await publish_command_menus(self._menus, list(self.platforms.values()))
        await self.outbox.start()
        runtime = Runtime(
            self.settings, self.db, self.clock, self.scheduler, self.run_system, self.shared, self.stops
        )
        for feature in self.features:  # catch-up included: platforms must be able to post
            if feature.start is not None:
                await feature.start(runtime)
        self._started = True
        await self.observed.serve(self.configured, self.platforms, lambda: self._started)
        log.info("copbot started on %s", ", ".join(self.platforms) or "no platform yet")

    @property
    def observability(self) -> ObservabilityServer | None:
        """The server of ``/healthz``, ``/readyz`` and ``/metrics``, while it runs."""
        return self.observed.server

    def _receive_under_lease(self, platform: Platform) -> None:
        """Let ``platform`` receive only while this instance holds its receiving lease."""
        assert isinstance(platform, ReceivesUnderLease)
        self.leases.hold(f"{platform.name}-receiving", platform.start_receiving, platform.stop_receiving)

    def _start_later(self, platform: Platform, error: Exception, *, under_lease: bool = False) -> None:
        """Retry starting ``platform`` in the background; until it starts, it is not one of ours.

        Leaving it out of :attr:`platforms` keeps its outbox rows waiting (rather than
        failing) and keeps handlers from sending to it.
        """
        del self.platforms[platform.name]

        async def start(platform: Platform) -> None:
            await platform.start(self.handle)

        async def joined(platform: Platform) -> None:
            self.platforms[platform.name] = platform
            if under_lease:
                self._receive_under_lease(platform)
            await self.replies.replay(platform)
            await publish_command_menus(self._menus, [platform])
            self.outbox.wake()

        task = asyncio.create_task(
            start_until_up(platform, start, self.start_backoff, joined, error), name=f"start-{platform.name}"
        )
        self._starting.add(task)
        task.add_done_callback(self._starting.discard)

    def _menus(self) -> list[CommandMenu]:
        return command_menus(self.router, self.catalogs)

    def _schedule_jobs(self) -> None:
        for feature in self.features:
            for job in feature.jobs:
                self.scheduler.every(job.name, job.interval, self._system_job(job.name, job.run))

    def _system_job(self, name: str, job: SystemJob) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await self.run_system(name, job)

        return run

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop receiving, let in-flight events finish (up to ``grace`` seconds), close everything."""
        await self.observed.stop()
        for task in list(self._starting):  # a platform still retrying its start gives up
            task.cancel()
        await asyncio.gather(*self._starting, return_exceptions=True)
        await self.stops.run()
        await self.leases.stop()  # singleton jobs stop here; a standby takes them over at once
        for platform in self.platforms.values():
            try:
                await platform.stop()
            except Exception:
                log.exception("the %s platform did not stop cleanly", platform.name)
        try:
            async with asyncio.timeout(grace):
                await self.sequencer.drain()
        except TimeoutError:
            log.warning("stopping with %d events still in flight", self.sequencer.pending)
        await self.sequencer.close()
        await self.replies.stop()
        await self.outbox.stop()
        self.scheduler.shutdown()
        await self.db.dispose()
        if self.single_process is not None:
            self.single_process.release()
        self._started = False

    async def handle(self, event: Event) -> asyncio.Future[None]:
        """Accept an event from a platform; it runs after the earlier ones of its conversation.

        Returns:
            A future that resolves once the event has been handled (its effects committed,
            or its failure logged), and is cancelled if the bot stops first. Adapters
            confirm events to their server only then (see :data:`bot.core.platform.EventSink`).
        """
        key = (event.platform, event.chat.id, event.sender.id)
        handled: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def job() -> None:
            try:
                await self.process(event)
            except asyncio.CancelledError:
                handled.cancel()
                raise
            finally:
                if not handled.done():
                    handled.set_result(None)

        await self.sequencer.submit(key, job)
        return handled

    async def drain(self) -> None:
        """Wait until every accepted event has been handled."""
        await self.sequencer.drain()

    async def settle(self, patience: float = 60.0) -> None:
        """Wait until events are handled and the outbox is delivered and reported.

        For a session that ends when its input ends (``copbot chat`` through a pipe); a
        server stops without waiting, and the outbox resumes at the next start.
        """
        await self.drain()
        try:
            async with asyncio.timeout(patience):
                await self.outbox.idle()
        except TimeoutError:
            log.warning("leaving with messages still in the outbox; they go at the next start")
        await self.outbox.report()

    async def process(self, event: Event) -> None:
        """Run one event through the middleware chain now (the sequencer calls this)."""
        await self._pipeline(
            self._context(event, Actor(None, event.sender, Role.GUEST, self._locale_of(event)))
        )

    def _locale_of(self, event: Event) -> str:
        """The sender's language before :class:`~bot.identity.Identity` looks them up.

        What answers an event before its unit of work (the flood warning, an apology for
        a failure there) speaks the person's last known choice, from the profile cache,
        else their platform's language.
        """
        profile = self.shared.get(ProfileCache).get(event.sender, self.clock.now())
        return self.catalogs.choose(profile.locale if profile is not None else None, event.sender.language)

    async def run_system(self, name: str, job: SystemJob) -> None:
        """Run work that no user asked for (a scheduled post, a reminder) as one unit of work.

        ``job`` gets a context whose actor is the bot itself (an admin). What it writes is
        committed before what it queued (``ctx.send``, ``ctx.after_commit``) is delivered,
        as for any event. Failures are logged; nobody is sent an apology.

        Args:
            name: names the job in logs and in the processed-events ledger.
            job: the work.
        """
        event = SystemEvent(
            event_id=f"{name}:{uuid.uuid4().hex}"[:255], sender=SYSTEM_USER, chat=SYSTEM_CHAT, job=job
        )
        ctx = self._context(event, Actor(None, SYSTEM_USER, Role.ADMIN, self.catalogs.default, "copbot"))
        try:
            await self._system_pipeline(ctx)
        except Exception:
            log.exception("system job %s failed", name)

    def _context(self, event: Event, actor: Actor) -> Context[Services]:
        services = Services(
            self.settings,
            self.clock,
            self.catalogs,
            self.router,
            self.shared,
            self.repositories,
            self.outbox.wake,
        )
        return Context(
            event=event,
            actor=actor,
            platforms=self.platforms,
            translator=self.catalogs.translator(actor.locale),
            services=services,
        )
