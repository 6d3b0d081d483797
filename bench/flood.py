"""Benchmark: other people's replies while one account floods the bot.

One account sends 10,000 messages, spread evenly among other people's ``/echo``
messages, which are sent one after another; for each of theirs, the time from handing it
to the bot to its reply being delivered is measured. The same people are measured again
with no flood, in the same run. Flood control refuses the flood in memory, before any
database work (see ``FloodControl`` in ``bot/core/middleware.py``), so their p99 should
stay within twice its unloaded value.

The flooding account is on a platform of people at a distance (the console is one local
operator and is never flood-limited), with the default flood settings.

Run: ``make bench`` or ``python -m bench.flood [--flood N] [--others M]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import tempfile
import time
from pathlib import Path

from bench import pin_to_one_core
from bench.pipeline import echo_router
from bot.app import CopBot
from bot.config import Settings
from bot.core.types import ChatRef, IncomingMessage, UserRef
from bot.platforms.console import ConsolePlatform
from handlers import build_router


class DistantConsole(ConsolePlatform):
    """The console posing as a platform of many people: its users are flood-limited."""

    name = "distant"
    local_operator = False


def message(user: str, text: str, event_id: str) -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id,
        sender=UserRef("distant", user, user),
        chat=ChatRef("distant", user),
        is_direct=True,
        text=text,
    )


async def latencies(bot: CopBot, others: int, tag: str, flood: int = 0) -> list[float]:
    """Each of ``others`` people sends one ``/echo``; how long each waited for its reply.

    With ``flood``, the flooding account's messages are spread evenly ahead of theirs:
    each person's message is handed over right behind its share of the flood.
    """
    found: list[float] = []
    sent = 0
    for n in range(others):
        share = flood * (n + 1) // others
        while sent < share:
            await bot.handle(message("flooder", "/echo flood", f"flood-{sent}"))
            sent += 1
        started = time.perf_counter()
        handled = await bot.handle(message(f"other{n}", f"/echo hello {n}", f"{tag}-{n}"))
        await handled
        found.append(time.perf_counter() - started)
    return found


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(count: int, others: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            sample_data=False,
            files_dir=Path(folder),
        )
        router = build_router()
        router.include(echo_router())
        bot = CopBot(settings, [DistantConsole(io.StringIO(), files_dir=Path(folder))], router=router)
        await bot.start()
        await latencies(bot, others, "warmup")  # everyone's first contact creates them
        unloaded = await latencies(bot, others, "unloaded")
        loaded = await latencies(bot, others, "loaded", flood=count)
        await bot.drain()
        await bot.stop()
    ms = 1e3
    p50 = (statistics.median(unloaded) * ms, statistics.median(loaded) * ms)
    p99 = (percentile(unloaded, 0.99) * ms, percentile(loaded, 0.99) * ms)
    print(f"another person's reply, SQLite, one core; flood of {count:,} messages from one account")
    print(f"unloaded     : p50 {p50[0]:7.2f} ms   p99 {p99[0]:7.2f} ms   ({others} replies)")
    print(f"under flood  : p50 {p50[1]:7.2f} ms   p99 {p99[1]:7.2f} ms   ({others} replies)")
    print(f"ratio        : p50 {p50[1] / p50[0]:7.2f}x     p99 {p99[1] / p99[0]:7.2f}x   (target: p99 ≤ 2x)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=10_000)
    parser.add_argument("--others", type=int, default=500)
    arguments = parser.parse_args()
    pin_to_one_core()
    asyncio.run(main(arguments.flood, arguments.others))
