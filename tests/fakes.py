"""Shared test doubles: a controllable clock and a console bot harness."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import CopBot
from bot.config import Settings
from bot.core.router import Router
from bot.core.types import MessageRef, OutgoingMessage
from bot.platforms.console import ConsolePlatform
from storage.db import Database


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 9, 22, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current += delta


class RecordingConsole(ConsolePlatform):
    """The console platform, also keeping every message it sent."""

    def __init__(self, files_dir: Path) -> None:
        super().__init__(io.StringIO(), files_dir=files_dir)
        self.sent: list[OutgoingMessage] = []

    async def send(self, message: OutgoingMessage) -> MessageRef:
        self.sent.append(message)
        return await super().send(message)

    def transcript(self) -> str:
        assert isinstance(self.out, io.StringIO)
        return self.out.getvalue()

    def take(self) -> list[str]:
        """The output lines printed since the last call."""
        assert isinstance(self.out, io.StringIO)
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text.splitlines()


class Harness:
    """A running bot on the console platform, driven line by line like ``copbot chat``."""

    def __init__(self, bot: CopBot, console: RecordingConsole, clock: FakeClock) -> None:
        self.bot = bot
        self.console = console
        self.clock = clock

    @classmethod
    async def start(
        cls,
        db: Database,
        tmp_path: Path,
        *,
        admins: Sequence[str] = ("console:admin",),
        router: Router | None = None,
        clock: FakeClock | None = None,
        **settings: object,
    ) -> Harness:
        clock = clock or FakeClock()
        config = Settings(
            database_url=str(db.url.render_as_string(hide_password=False)),
            admins=tuple(admins),
            sample_data=False,
            files_dir=tmp_path / "files",
            **settings,  # type: ignore[arg-type]
        )
        console = RecordingConsole(tmp_path / "files")
        bot = CopBot(config, [console], clock=clock, db=db, router=router)
        await bot.start(migrate=False)
        return cls(bot, console, clock)

    async def say(self, line: str, *, as_: str = "alice", lang: str | None = None) -> list[str]:
        """Feed one input line, wait until it is handled, return the lines printed."""
        if lang is not None:
            self.console.languages[as_] = lang
        await self.console.feed(line, as_)
        await self.bot.drain()
        return self.console.take()

    async def stop(self) -> None:
        await self.bot.stop()
