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
from bot.web import HttpServer
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


class ObservabilityServer(HttpServer):
    """The HTTP server of the health and metrics endpoints.

    Args:
        listen: ``host:port`` (port 0 picks a free one: see :attr:`port`).
        metrics: the registry to serve.
        figures: the database figures, read before each scrape.
        readiness: what ``/readyz`` checks.
    """

    serves = "health and metrics"

    def __init__(self, listen: str, metrics: Metrics, figures: DatabaseFigures, readiness: Readiness) -> None:
        super().__init__(listen)
        self.metrics = metrics
        self.figures = figures
        self.readiness = readiness

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        return app

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
