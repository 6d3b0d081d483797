"""Benchmark: an exchange through the Telegram adapter vs. the same one on the console.

The same ``/echo`` handler as :mod:`bench.pipeline`, on the whole stack, three ways:

* console: the event handed to :meth:`CopBot.handle`, its reply printed (the baseline);
* Telegram in process: the update queued in the fake Bot API, fetched by the adapter's
  ``getUpdates`` loop through python-telegram-bot's request layer (encoding, decoding,
  error mapping), and the reply sent with ``sendMessage`` (HTML, keyboard, split check);
* Telegram over loopback HTTP: the same against :class:`FakeBotApiServer` through PTB's
  default HTTPX transport, as in production (client and fake in this one process).

Each is measured as sequential exchanges (one user waits for each answer: latency) and
as a batch (many users at once: throughput).

Run: ``python -m bench.telegram [--exchanges N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from pydantic import SecretStr

from bench import pin_to_one_core
from bench.pipeline import echo_message, echo_router
from bot.app import CopBot
from bot.config import Settings
from bot.core.platform import Platform
from bot.core.types import IncomingMessage
from bot.platforms.console import ConsolePlatform
from bot.platforms.telegram.platform import TelegramPlatform
from bot.platforms.telegram.settings import TelegramSettings
from handlers import build_router
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeRequest, FakeTelegram

USERS = 50
Exchange = Callable[[int, int], Awaitable[None]]


def settings(folder: Path, name: str) -> Settings:
    return Settings(
        database_url=f"sqlite+aiosqlite:///{folder / name}.db",
        sample_data=False,
        flood={"rate": 1e9, "burst": 10**9},
        files_dir=folder,
    )


async def running(config: Settings, platform: Platform) -> CopBot:
    router = build_router()
    router.include(echo_router())
    bot = CopBot(config, [platform], router=router)
    await bot.start()
    return bot


async def measure(
    exchange: Exchange, count: int, batch: Callable[[int], Awaitable[None]]
) -> tuple[float, float]:
    """Seconds per sequential exchange, and exchanges per second in a batch."""
    for user in range(USERS):  # first contact creates each user: measure steady state
        await exchange(user, -1)
    started = time.perf_counter()
    for n in range(count):
        await exchange(n % USERS, n)
    latency = (time.perf_counter() - started) / count
    started = time.perf_counter()
    await batch(count)
    return latency, count / (time.perf_counter() - started)


async def console(folder: Path, count: int) -> tuple[float, float]:
    out = io.StringIO()
    bot = await running(settings(folder, "console"), ConsolePlatform(out, files_dir=folder))
    ids = iter(range(10**9))

    def event(user: int, n: int) -> IncomingMessage:
        return echo_message(n, user, f"e{next(ids)}")

    async def exchange(user: int, n: int) -> None:
        await (await bot.handle(event(user, n)))

    async def batch(count: int) -> None:
        for n in range(count):
            await bot.handle(event(n % USERS, n))
        await bot.drain()

    try:
        return await measure(exchange, count, batch)
    finally:
        await bot.stop()


async def telegram(folder: Path, count: int, *, http: bool) -> tuple[float, float]:
    api = FakeTelegram()
    for user in range(USERS):
        api.user(1000 + user, f"User {user}")
    replies = api.delivered
    server = FakeBotApiServer(api)
    if http:
        await server.start()
    config = TelegramSettings(token=SecretStr(TOKEN), api_url=server.base_url)
    platform = TelegramPlatform(config, settings(folder, "tg"), request=None if http else FakeRequest(api))
    bot = await running(settings(folder, f"telegram-{http}"), platform)

    async def exchange(user: int, n: int) -> None:
        before = len(api.sent)
        replies.clear()
        api.say(1000 + user, f"/echo message {n}")
        while len(api.sent) == before:
            await replies.wait()
            replies.clear()

    async def batch(count: int) -> None:
        target = len(api.sent) + count
        for n in range(count):
            api.say(1000 + n % USERS, f"/echo message {n}")
        while len(api.sent) < target:
            await replies.wait()
            replies.clear()

    try:
        return await measure(exchange, count, batch)
    finally:
        await bot.stop()
        await server.stop()


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        base = await console(Path(folder), count)
        inside = await telegram(Path(folder), count, http=False)
        wire = await telegram(Path(folder), count, http=True)
    print(f"exchanges: {count} sequential, then {count} at once from {USERS} users; SQLite, one core")
    print(f"{'':26}{'per exchange':>14}{'throughput':>16}{'ratio':>8}")
    for name, (latency, rate) in (
        ("console (baseline)", base),
        ("telegram, in process", inside),
        ("telegram, loopback HTTP", wire),
    ):
        print(f"{name:26}{latency * 1e3:>11.2f} ms{rate:>11,.0f} /s{latency / base[0]:>7.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=500)
    arguments = parser.parse_args()
    pin_to_one_core()
    asyncio.run(main(arguments.exchanges))
