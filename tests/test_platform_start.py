"""A platform unreachable at start is retried with backoff while the others keep working."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.app import CopBot
from bot.config import Settings
from bot.platform_start import Backoff
from bot.platforms.telegram.platform import TelegramPlatform
from bot.platforms.telegram.settings import TelegramSettings
from storage.db import Database
from tests.fakes import FakeClock, Harness, RecordingConsole
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram


def closed_port() -> int:
    """A loopback port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def until(condition: Callable[[], object], what: str, patience: float = 10.0) -> None:
    async with asyncio.timeout(patience):
        while not condition():
            await asyncio.sleep(0.02)
    assert condition(), what


def test_the_waits_double_up_to_the_cap() -> None:
    delays = Backoff(first=1.0, cap=60.0).delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


async def test_the_console_answers_while_telegram_is_retried_and_telegram_starts_once_up(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = closed_port()
    telegram_settings = TelegramSettings(token=SecretStr(TOKEN), api_url=f"http://127.0.0.1:{port}/bot")
    settings = Settings(
        database_url=db.url.render_as_string(hide_password=False),
        admins=("console:admin",),
        sample_data=False,
        files_dir=tmp_path / "files",
        telegram=telegram_settings,
    )
    clock = FakeClock()
    console = RecordingConsole(tmp_path / "files")
    telegram = TelegramPlatform(telegram_settings, settings)
    bot = CopBot(settings, [console, telegram], clock=clock, db=db, start_backoff=Backoff(0.05, 0.2))
    server = FakeBotApiServer(FakeTelegram(), port=port)
    caplog.set_level(logging.WARNING, logger="bot.platform_start")
    await bot.start(migrate=False)
    try:
        assert "telegram" not in bot.platforms  # not ours until it starts
        harness = Harness(bot, console, clock)
        assert (await harness.say("/help", as_="alice"))[0] == "[alice] Commands you can use:"

        def retries() -> list[str]:
            return [r.getMessage() for r in caplog.records if r.name == "bot.platform_start"]

        await until(lambda: len(retries()) >= 3, "three attempts logged")
        assert retries()[0].startswith("the telegram platform did not start (attempt 1: NetworkError")
        assert "retrying in 0.05 s, the other platforms keep working" in retries()[0]
        assert (await harness.say("/help", as_="bob"))[0] == "[bob] Commands you can use:"

        await server.start()  # the Bot API comes up
        await until(lambda: "telegram" in bot.platforms, "telegram started")
        await until(lambda: any(method == "getUpdates" for method, _ in server.api.calls), "polling")
        assert telegram.bot_username is not None
    finally:
        await bot.stop()
        await server.stop()
    assert server.api.unknown == []
