"""What a feature brings to the bot, and what the bot lends to a feature's own work.

A feature is a package under ``handlers/``. Its ``__init__.py`` declares one
:class:`Feature`: the routers of its commands, the repositories its handlers open, its
periodic jobs, the work it starts once the platforms are up, and its sample data.
``handlers/__init__.py`` lists the features, in the order their routes are tried, and
:class:`bot.app.CopBot` collects them (maubot's plugins and aiogram's ``include_router``
are the models). A new command touches its feature's package and the catalogues only;
a new feature adds one package and one line to that list.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.middleware import Middleware
from bot.core.router import Handler, Router
from bot.forms import FormFlow, controls_router
from bot.services import Ctx
from storage.db import Database
from storage.repository import Repository, Shared

log = logging.getLogger(__name__)

#: Work the bot does on its own, with a context like a handler's (the actor is the bot).
SystemJob = Callable[[Ctx], Awaitable[None]]
#: ``CopBot.run_system``: runs a :data:`SystemJob`, named for the logs, as one unit of work.
RunSystem = Callable[[str, SystemJob], Awaitable[None]]
#: Loads a feature's sample data into a database, once (the embedded default only).
Seeder = Callable[[Database, Clock], Awaitable[object]]


class Timers(Protocol):
    """The part of the bot's scheduler a feature's own work may use."""

    def every(
        self,
        name: str,
        interval: timedelta,
        job: Callable[[], Awaitable[None]],
        *,
        first: datetime | None = None,
    ) -> None: ...

    def after(self, name: str, delay: timedelta, job: Callable[[], Awaitable[None]]) -> None: ...

    def cancel(self, name: str) -> None: ...

    @property
    def job_names(self) -> list[str]: ...


class StopHooks:
    """Work a feature started that the bot awaits when it stops, before it closes the database.

    The last added runs first; one that fails is logged and the others still run.
    """

    def __init__(self) -> None:
        self._hooks: list[Callable[[], Awaitable[None]]] = []

    def add(self, hook: Callable[[], Awaitable[None]]) -> None:
        self._hooks.append(hook)

    async def run(self) -> None:
        while self._hooks:
            try:
                await self._hooks.pop()()
            except Exception:
                log.exception("a feature's work did not stop cleanly")


@dataclass(frozen=True, slots=True)
class Runtime:
    """What the running bot lends a feature when it starts (see :attr:`Feature.start`).

    Attributes:
        settings: the bot's settings.
        db: the database, for reads outside any unit of work.
        clock: the bot's clock.
        timers: the bot's scheduler.
        run_system: runs work as one unit of work, as the bot itself.
        shared: the bot's long-lived objects; what the feature provides there, its
            handlers find (``ctx.services.shared.find(DialogueTimers)``).
        stops: work the bot awaits when it stops (a server, a child process).
    """

    settings: Settings
    db: Database
    clock: Clock
    timers: Timers
    run_system: RunSystem
    shared: Shared
    stops: StopHooks


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """Work a feature wants done every ``interval``, as the bot (reminders, retention)."""

    name: str
    interval: timedelta
    run: SystemJob


@dataclass(frozen=True, slots=True)
class Fallbacks:
    """What answers an event no route took; one feature declares them (``basics``)."""

    unknown_command: Handler
    unmatched: Handler
    denied: Handler


@dataclass(frozen=True, slots=True)
class Feature:
    """What one feature package brings.

    Attributes:
        name: the feature's name (its package's).
        routers: its routes, tried in this order.
        forms: the forms it runs (their own routes are in ``routers``); the bot routes the
            typed ``/back``, ``/skip`` and ``/cancel`` of every feature's forms together.
        repositories: the repositories its handlers open through ``ctx.services.repo``.
        jobs: its periodic work.
        start: its own work, started once the platforms are up (catch-up included).
        seed: loads its sample data (the embedded default only).
        fallbacks: what answers what nobody else took.
        middlewares: run for every event after the bot's own middleware, just before the
            router (inside the event's unit of work, with its actor known).
    """

    name: str
    routers: tuple[Router, ...] = ()
    forms: tuple[FormFlow, ...] = ()
    repositories: tuple[type[Repository], ...] = ()
    jobs: tuple[PeriodicJob, ...] = ()
    start: Callable[[Runtime], Awaitable[None]] | None = None
    seed: Seeder | None = None
    fallbacks: Fallbacks | None = None
    middlewares: tuple[Middleware, ...] = ()


def root_router(features: Sequence[Feature]) -> Router:
    """The bot's root router: every feature's routers in order, then the forms' controls.

    Raises:
        ValueError: two features register the same command, or none declares fallbacks.
    """
    root = Router("root")
    for feature in features:
        for router in feature.routers:
            root.include(router)
    forms = [form for feature in features for form in feature.forms]
    if forms:
        root.include(controls_router(forms))
    fallbacks = next((feature.fallbacks for feature in features if feature.fallbacks is not None), None)
    if fallbacks is None:
        raise ValueError("no feature answers what no route takes (Feature.fallbacks)")
    root.on_unknown_command = fallbacks.unknown_command
    root.on_unmatched = fallbacks.unmatched
    root.on_denied = fallbacks.denied
    return root


def repositories_of(features: Iterable[Feature]) -> frozenset[type[Repository]]:
    """Every repository the features declare."""
    return frozenset(kind for feature in features for kind in feature.repositories)
