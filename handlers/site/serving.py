"""``copbot run`` serves the public site (``COPBOT_WEB__LISTEN``) and keeps it up to date.

The site feature's start (:func:`start_site`) serves the folder ``COPBOT_WEB__FOLDER``
(:class:`bot.web.SiteServer`) and builds the site in the background: the bot is ready
at once, and a page answers 404 until the first build has written it. Then, every
``COPBOT_WEB__CHECK_SECONDS``, one small query (:class:`storage.published.PublishedState`)
tells whether what the site publishes changed since the last build; only then is the
site built again, and only the files that changed are replaced.

Rendering some 400 pages costs seconds of CPU, which the bot's event loop cannot spare:
each build runs in a child process, ``copbot site build FOLDER --from-bot``, handed the
bot's own settings, database and clock (:mod:`handlers.site.handoff`). The child takes
no process lock, so it runs beside ``copbot run`` on SQLite too.

Several instances each serve their own folder and rebuild it themselves: the same
database gives the same bytes, so no lease is needed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.core.clock import Clock
from bot.features import Runtime
from bot.site_settings import WebSettings
from handlers.site.handoff import encode
from storage.db import Database
from storage.published import PublishedState

if TYPE_CHECKING:
    from bot.web import SiteServer

log = logging.getLogger(__name__)

#: How long a stopping bot waits for a build under way before ending it (one takes seconds).
STOP_GRACE = 10.0


class SiteBuildFailed(RuntimeError):
    """The child process building the site failed; its last words are the message."""


class SitePublisher:
    """Serves the site's folder and rebuilds it when what it publishes changed.

    Attributes:
        builds: how many builds ran (each one a child process).
        last_output: what the last build said (``wrote var/site: 385 pages ...``).
    """

    def __init__(self, settings: Settings, web: WebSettings, db: Database, clock: Clock) -> None:
        self.settings = settings
        self.web = web
        self.db = db
        self.clock = clock
        from bot.web import SiteServer  # aiohttp's server: imported only when the site is served

        self.server: SiteServer = SiteServer(web.folder, web.listen)
        self.builds = 0
        self.last_output = ""
        self._built: str | None = None
        self._lock = asyncio.Lock()
        self._child: asyncio.subprocess.Process | None = None
        self._watch: asyncio.Task[None] | None = None

    @property
    def building(self) -> bool:
        """Whether a build's child process is running."""
        return self._child is not None

    async def start(self) -> None:
        """Serve the folder, then check (and build) in the background, now and periodically."""
        await self.server.start()
        self._watch = asyncio.create_task(self._keep_up(), name="site-rebuild")

    async def stop(self) -> None:
        """Stop checking, let a build under way finish (or end it after :data:`STOP_GRACE`), stop serving."""
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
            self._watch = None
        child = self._child
        if child is not None and child.returncode is None:
            try:
                async with asyncio.timeout(STOP_GRACE):
                    await child.wait()
            except TimeoutError:
                log.warning("the site's build did not finish within %.0f s; ended", STOP_GRACE)
                child.kill()
                await child.wait()
        await self.server.stop()

    async def check(self) -> bool:
        """Build the site if what it publishes changed since the last build.

        Returns:
            Whether a build ran.

        Raises:
            SiteBuildFailed: the build failed (the next check tries again).
        """
        async with self._lock:
            now = self.clock.now()
            async with self.db.transaction() as session:
                mark = await PublishedState(session).fingerprint(now)
            if mark == self._built:
                return False
            await self._build(now)
            self._built = mark  # taken before the build: a change meanwhile is built next time
            return True

    async def _keep_up(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                log.exception("the public site could not be rebuilt; trying again at the next check")
            await asyncio.sleep(self.web.check_seconds)

    async def _build(self, now: datetime) -> None:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "site",
            "build",
            str(self.web.folder),
            "--from-bot",
            env=_child_environment(),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._child = child
        try:
            output, errors = await child.communicate(encode(self.settings, self.db, now))
        finally:
            if child.returncode is not None:
                self._child = None
        self.builds += 1
        if child.returncode != 0:
            raise SiteBuildFailed(
                errors.decode(errors="replace").strip()[-2000:] or f"exit {child.returncode}"
            )
        self.last_output = output.decode(errors="replace").strip()
        log.info("the public site was rebuilt: %s", self.last_output)


def _child_environment() -> dict[str, str]:
    """The bot's environment, with the bot's own code first on the child's import path.

    ``python -m bot`` then runs this very copy of copbot, not another one installed
    beside it.
    """
    home = str(Path(__file__).resolve().parents[2])  # holds handlers/ and bot/ alike
    path = os.pathsep.join(filter(None, (home, os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PYTHONPATH": path}


async def start_site(runtime: Runtime) -> None:
    """The site feature's start: nothing unless ``COPBOT_WEB__LISTEN`` is set."""
    web = runtime.settings.web
    if web is None:
        return
    publisher = SitePublisher(runtime.settings, web, runtime.db, runtime.clock)
    await publisher.start()
    runtime.shared.provide(publisher)
    runtime.stops.add(publisher.stop)
