"""``/healthz``, ``/readyz`` and ``/metrics`` on ``COPBOT_METRICS__LISTEN`` (aiohttp).

* ``/healthz``: 200 while the process's event loop answers (the answer itself proves it);
* ``/readyz``: 200 when the database answers ``SELECT 1`` within a second and every
  configured platform has started; otherwise 503 with a JSON body saying what is not;
* ``/metrics``: Prometheus' text format (:mod:`bot.observability.metrics`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.observability.figures import DatabaseFigures
from bot.observability.metrics import Metrics
from storage.db import Database

log = logging.getLogger(__name__)

#: The longest the database may take to answer ``/readyz``'s ``SELECT 1``.
DATABASE_PATIENCE = 1.0


@dataclass(frozen=True, slots=True)
class Readiness:
    """What ``/readyz`` checks.

    Args:
        db: the database.
        configured: the platforms the bot was given.
        running: the platforms that have started (a platform still retrying its start
            is not among them).
        started: whether the bot finished starting.
    """

    db: Database
    configured: Collection[str]
    running: Mapping[str, object]
    started: Callable[[], bool]

    async def problems(self) -> dict[str, Any]:
        """What is not ready, by part; empty when all is."""
        problems: dict[str, Any] = {}
        try:
            async with asyncio.timeout(DATABASE_PATIENCE):
                async with self.db.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except TimeoutError:
            problems["database"] = f"no answer within {DATABASE_PATIENCE:g} s"
        except Exception as error:
            problems["database"] = f"{type(error).__name__}: {error}"
        waiting = {name: "not started" for name in self.configured if name not in self.running}
        if waiting:
            problems["platforms"] = waiting
        if not self.started():
            problems["bot"] = "still starting"
        return problems


class ObservabilityServer:
    """The HTTP server of the health and metrics endpoints.

    Args:
        listen: ``host:port`` (port 0 picks a free one: see :attr:`port`).
        metrics: the registry to serve.
        figures: the database figures, read before each scrape.
        readiness: what ``/readyz`` checks.
    """

    def __init__(self, listen: str, metrics: Metrics, figures: DatabaseFigures, readiness: Readiness) -> None:
        self.host, _, port = listen.rpartition(":")
        self.host = self.host.strip("[]")
        self.port = int(port)
        self.metrics = metrics
        self.figures = figures
        self.readiness = readiness
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        return app

    async def start(self) -> None:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        if runner.addresses:  # the port chosen for port 0
            self.port = int(runner.addresses[0][1])
        log.info("health and metrics on http://%s:%d/", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def _readyz(self, request: web.Request) -> web.Response:
        problems = await self.readiness.problems()
        if problems:
            return web.json_response({"status": "not ready", "problems": problems}, status=503)
        return web.json_response({"status": "ready"})

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.figures.refresh()
        response = web.Response(body=self.metrics.render())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
