"""A homeserver that is down fails the Matrix start at once, so the bot can retry it."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import Settings
from bot.core.errors import PlatformError
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.session import check_reachable
from bot.platforms.matrix.settings import MatrixSettings


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_a_homeserver_that_is_down_fails_the_start_at_once(tmp_path: Path) -> None:
    homeserver = f"http://127.0.0.1:{closed_port()}"
    settings = MatrixSettings(
        homeserver=homeserver,
        user_id="@copbot:localhost",
        password="secret",  # type: ignore[arg-type]
        store_path=tmp_path / "matrix",
    )
    platform = MatrixPlatform(settings, Settings(matrix=settings))
    began = time.monotonic()
    with pytest.raises(PlatformError, match=f"the Matrix homeserver {homeserver} cannot be reached"):
        await platform.start(lambda event: None)  # type: ignore[arg-type,return-value]
    assert time.monotonic() - began < 5  # matrix-nio alone would retry forever
    await platform.stop()


async def test_any_answer_means_reachable() -> None:
    app = web.Application()  # answers 404 to everything
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        await check_reachable(f"http://127.0.0.1:{port}/")
    finally:
        await runner.cleanup()
