"""Webhook mode: Telegram posts each update to a small aiohttp server.

PTB's own webhook server answers ``200`` as soon as an update is queued, so a crash
between the answer and the handling loses it. This one answers only once the update is
handled (committed): until then Telegram holds the update and delivers it again.
Requests without the right ``X-Telegram-Bot-Api-Secret-Token`` get ``403``.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING

from aiohttp import web
from telegram import Bot

if TYPE_CHECKING:
    from bot.platforms.telegram.updates import UpdateHandler

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class WebhookServer:
    """Receives updates on ``listen`` (``host:port``), at any path, and hands them to ``handle``.

    Args:
        bot: the Bot API (updates are read for it).
        handle: hands one update to the bot; raises when the bot refuses it (stopping).
        secret: the secret token set with ``setWebhook``.
        listen: where to listen.
    """

    def __init__(self, bot: Bot, handle: UpdateHandler, secret: str, listen: str) -> None:
        self.bot = bot
        self.handle = handle
        self.secret = secret.encode()
        host, _, port = listen.rpartition(":")
        self.host, self.port = host.strip("[]"), int(port)
        self._runner: web.AppRunner | None = None
        self._waiting: dict[int, asyncio.Future[None]] = {}

    async def start(self) -> None:
        app = web.Application(client_max_size=1 << 20)
        app.router.add_post("/{tail:.*}", self.receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        log.info("telegram: webhook listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def receive(self, request: web.Request) -> web.Response:
        """One update: 403 without the secret, 200 once handled, 503 when stopping first."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            return web.Response(status=403, text="wrong secret token")
        try:
            update = json.loads(await request.read())
            update_id = update["update_id"]
            if not isinstance(update_id, int):
                raise TypeError("the update_id is not a number")
        except (ValueError, TypeError, KeyError) as error:
            log.warning("telegram: unreadable webhook update: %s", error)
            return web.Response(status=400, text="not an update")
        handled = self._waiting.get(update_id)
        if handled is None:  # else a repeat of an update in flight: wait for that one
            try:
                handled = asyncio.ensure_future(await self.handle(update))
            except Exception as error:  # stopping: Telegram delivers it again later
                log.info("telegram: update %d refused: %s", update_id, error)
                return web.Response(status=503, text="stopping")
            self._waiting[update_id] = handled
            handled.add_done_callback(lambda _: self._waiting.pop(update_id, None))
        try:
            await asyncio.shield(handled)
        except asyncio.CancelledError:
            return web.Response(status=503, text="stopping")
        return web.Response(text="ok")
