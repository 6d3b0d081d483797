"""Benchmark: an announcement to N members through the outbox at Telegram's limits.

The platform is in-process and enforces the Bot API's limits (30 messages/s overall,
1/s per chat) with a 15 ms round trip per send; it refuses, and counts, any send over
a limit. The announcement is sent with ``/announce`` by a moderator on the console
platform of the same bot, so the whole path is measured: command, outbox rows, sender,
progress report. Meanwhile a user keeps asking ``/help``: the interactive latency during
the broadcast is compared with the same measured before it, in the same run.

Run: ``make bench`` or ``python -m bench.broadcast [--recipients N]`` (10,000 takes ~6 min).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import io
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.app import CopBot
from bot.config import Settings
from bot.platforms.console import ConsolePlatform
from bot.platforms.telegram.limits import BOT_API_LIMITS
from storage.models import Identity, Person, RoleGrant
from tests.fakes import LimitedPlatform

CEILING = BOT_API_LIMITS.per_second or 30.0


async def add_members(bot: CopBot, count: int) -> None:
    now = datetime.now(UTC)
    async with bot.db.transaction() as session:
        await session.execute(
            insert(Person),
            [{"id": n, "display_name": f"m{n}", "created_at": now} for n in range(1, count + 1)],
        )
        await session.execute(
            insert(Identity),
            [
                {
                    "person_id": n,
                    "platform": "telegram",
                    "platform_user_id": str(10_000 + n),
                    "display_name": f"m{n}",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(1, count + 1)
            ],
        )
        await session.execute(
            insert(RoleGrant),
            [{"person_id": n, "role": "member", "granted_at": now} for n in range(1, count + 1)],
        )


async def ask_help(
    bot: CopBot, console: ConsolePlatform, out: io.StringIO, samples: list[float], n: int
) -> None:
    for _ in range(n):
        before = out.getvalue().count("Commands you can use:")
        began = time.perf_counter()
        await console.feed("/help", "asker")
        await bot.drain()  # the reply has been written once the event is handled
        samples.append(time.perf_counter() - began)
        if out.getvalue().count("Commands you can use:") != before + 1:
            raise SystemExit("an interactive request went unanswered: not a valid run")
        await asyncio.sleep(0.05)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98] if len(samples) >= 2 else samples[0]


async def main(recipients: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}",
            sample_data=False,
            admins=("console:mod",),
            flood={"rate": 1e9, "burst": 10**9},
            files_dir=Path(folder),
        )
        out = io.StringIO()
        console = ConsolePlatform(out, files_dir=Path(folder))
        telegram = LimitedPlatform(BOT_API_LIMITS, name="telegram", latency=0.015)
        bot = CopBot(settings, [console, telegram])
        await bot.start()
        await add_members(bot, recipients)

        quiet: list[float] = []
        await ask_help(bot, console, out, quiet, 50)

        during: list[float] = []
        await console.feed("/announce The next virtual dialogue opens on Monday.", "mod")
        asker = asyncio.ensure_future(_ask_while(bot, console, out, during, telegram, recipients))
        await asyncio.wait_for(bot.outbox.idle(), timeout=recipients / CEILING * 3 + 60)
        await asker
        await bot.stop()

    times = [t for t, _, _ in telegram.delivered]
    counts = collections.Counter(who for _, who, _ in telegram.delivered)
    duplicates = sum(c - 1 for c in counts.values())
    if len(counts) != recipients:
        raise SystemExit(f"only {len(counts)} of {recipients} members got the announcement: not a valid run")
    rate = (len(times) - 1) / (times[-1] - times[0])
    for line in telegram.violation_log[:5]:
        print("violation:", line)
    print(f"recipients        : {recipients:,} members, Telegram limits, 15 ms per send")
    print(
        f"delivered         : {len(times):,} messages, {duplicates} duplicates, {telegram.violations} sends over a limit (429s caused)"
    )
    print(
        f"throughput        : {rate:6.2f} messages/s = {rate / CEILING:.1%} of the {CEILING:.0f}/s ceiling (target >= 95%)"
    )
    print(
        f"interactive p99   : {p99(during) * 1000:6.1f} ms during the broadcast vs {p99(quiet) * 1000:.1f} ms before it"
        f" ({p99(during) / p99(quiet):.2f}x; {len(during)} requests)"
    )


async def _ask_while(
    bot: CopBot,
    console: ConsolePlatform,
    out: io.StringIO,
    samples: list[float],
    telegram: LimitedPlatform,
    total: int,
) -> None:
    while len(telegram.delivered) < total * 0.95:
        await ask_help(bot, console, out, samples, 1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().recipients))
