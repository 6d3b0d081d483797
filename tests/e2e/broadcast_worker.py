"""A copbot process delivering a broadcast, for the crash test (`test_outbox_crash.py`).

Usage: ``python -m tests.e2e.broadcast_worker DATABASE DELIVERY_LOG RECIPIENTS``, where
DATABASE is an SQLite file or a database URL.
The first run enqueues one message per recipient; every run delivers what is pending
to an in-process platform that appends each delivered recipient to DELIVERY_LOG,
then exits.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from bot.app import CopBot
from bot.config import Settings
from bot.core.pacing import RateLimits
from bot.core.text import Text
from bot.core.types import MessageRef, OutgoingMessage, UserRef
from storage.outbox import Outbox
from storage.state import StateStore
from tests.fakes import LimitedPlatform


class LoggingPlatform(LimitedPlatform):
    def __init__(self, log: Path) -> None:
        super().__init__(RateLimits(per_second=100, chat_interval=1.0), name="limited")
        self.log = log.open("a", encoding="utf-8")

    async def send(self, message: OutgoingMessage) -> MessageRef:
        ref = await super().send(message)
        self.log.write(f"{message.to.id}\n")
        self.log.flush()
        os.fsync(self.log.fileno())
        return ref


async def main(database: str, log: Path, recipients: int) -> None:
    url = database if "://" in database else f"sqlite+aiosqlite:///{database}"
    settings = Settings(database_url=url, sample_data=False)
    bot = CopBot(settings, [LoggingPlatform(log)])
    await bot.start()
    async with bot.db.transaction() as session:
        state = StateStore(session)
        if not await state.get("crash-test.enqueued"):
            messages = [
                OutgoingMessage(UserRef("limited", f"r{n}"), Text.of("news")) for n in range(recipients)
            ]
            await Outbox(session).enqueue(messages, bot.clock.now())
            await state.set("crash-test.enqueued", True, bot.clock.now())
    bot.outbox.wake()
    await bot.outbox.idle()
    await bot.stop()
    print("done", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])))
