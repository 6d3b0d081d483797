"""The bot's observability as one piece the shell starts and stops.

:class:`Observability` holds what ``COPBOT_METRICS__LISTEN`` and ``COPBOT_LOG_FORMAT``
ask for: the metrics and the figures read at scrape time, the middlewares that name and
count events, and the server of ``/healthz``, ``/readyz`` and ``/metrics``. Without those
settings it holds nothing and adds nothing, so a single process behaves as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.middleware import Middleware
from bot.core.platform import Platform
from bot.observability.logs import EventLogContext
from storage.db import Database

if TYPE_CHECKING:  # imported when metrics are configured: prometheus_client and aiohttp's server
    from bot.observability.figures import DatabaseFigures
    from bot.observability.metrics import Metrics
    from bot.observability.server import ObservabilityServer


class Observability:
    """Metrics, health endpoints and log context, as the settings ask.

    Args:
        settings: the bot's settings (``metrics``, ``log_format``).
        db: the database the figures and ``/readyz`` read.
        clock: the bot's clock (the age of outbox rows).
        forms: the names of the bot's forms (the open forms gauge).
    """

    def __init__(self, settings: Settings, db: Database, clock: Clock, forms: Iterable[str]) -> None:
        self.settings = settings
        self.db = db
        #: The Prometheus metrics, when ``COPBOT_METRICS__LISTEN`` is set.
        self.metrics: Metrics | None = None
        self.figures: DatabaseFigures | None = None
        if settings.metrics is not None:
            # Only then: prometheus_client and aiohttp's server cost a start-up ~60 ms and 4 MiB.
            from bot.observability.figures import DatabaseFigures
            from bot.observability.metrics import Metrics

            self.metrics = Metrics()
            self.figures = DatabaseFigures(db, clock, list(forms), self.metrics.registry)
        self.server: ObservabilityServer | None = None

    def outer_middlewares(self) -> list[Middleware]:
        """Outside the error capture: what names the event in every log line."""
        return [EventLogContext()] if self.settings.log_format == "json" else []

    def inner_middlewares(self) -> list[Middleware]:
        """Inside the error capture: what counts and times events."""
        if self.metrics is None:
            return []
        from bot.observability.metrics import EventMetrics

        return [EventMetrics(self.metrics)]

    async def serve(
        self, configured: tuple[str, ...], platforms: Mapping[str, Platform], started: Callable[[], bool]
    ) -> None:
        """Serve ``/healthz``, ``/readyz`` and ``/metrics`` if ``COPBOT_METRICS__LISTEN`` is set."""
        if self.metrics is None or self.figures is None or self.settings.metrics is None:
            return
        from bot.observability.server import ObservabilityServer, Readiness

        self.metrics.observe_sends()
        readiness = Readiness(self.db, configured, platforms, started)
        self.server = ObservabilityServer(self.settings.metrics.listen, self.metrics, self.figures, readiness)
        await self.server.start()

    async def stop(self) -> None:
        """Stop serving and stop observing sends."""
        if self.server is not None:
            await self.server.stop()
            self.server = None
        if self.metrics is not None:
            self.metrics.close()
