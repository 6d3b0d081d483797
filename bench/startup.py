"""Benchmark: ``copbot run`` on Telegram, from launch to its first answer, and its memory.

The fake Bot API (:class:`FakeBotApiServer`) listens on loopback with one ``/help``
waiting; ``python -m bot run`` is started on SQLite with the sample community, polling
that fake, and timed until the answer arrives, then stopped with SIGTERM. The first run
creates the database (migrations, sample data); the others start on it as a restart
does. Peak RSS is the largest of the runs (``ru_maxrss`` of the children). The CPU
seconds each run used (user and system, up to its exit) are printed too: on a shared
machine they vary far less than the wall-clock time.

Run: ``python -m bench.startup [--runs N]`` from the checkout to measure.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench import compile_checkout
from tests.platforms.telegram.fake import TOKEN, FakeBotApiServer, FakeTelegram

ROOT = Path(__file__).resolve().parents[1]


async def time_to_answer(database: Path, first_update: int) -> float:
    """Seconds from launching ``copbot run`` to the fake receiving its answer to ``/help``."""
    api = FakeTelegram()
    api._update_ids = itertools.count(first_update)  # a restart sees new updates, not handled ones
    server = FakeBotApiServer(api)
    await server.start()
    api.user(7, "Ada")
    api.say(7, "/help")
    env = os.environ | {
        "PYTHONPATH": str(ROOT),
        "COPBOT_TELEGRAM__TOKEN": TOKEN,
        "COPBOT_TELEGRAM__API_URL": server.base_url,
        "COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "COPBOT_SAMPLE_DATA": "true",
        "COPBOT_LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", env=env, cwd=ROOT)
    try:
        await asyncio.wait_for(api.delivered.wait(), 60)
        return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await server.stop()


def children_cpu() -> float:
    """CPU seconds the finished child processes used so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def timed(database: Path, first_update: int) -> tuple[float, float]:
    """:func:`time_to_answer`, and the CPU seconds the bot's process used in all."""
    before = children_cpu()
    seconds = await time_to_answer(database, first_update)
    return seconds, children_cpu() - before


async def main(runs: int) -> None:
    # The bot is stopped mid-call at times (menus still being set): not the fake's error.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "copbot.db"
        fresh, fresh_cpu = await timed(database, 1)
        measured = [await timed(database, 1000 * run) for run in range(1, runs + 1)]
    again, cpu = sorted(seconds for seconds, _ in measured), sorted(used for _, used in measured)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print("copbot run (Telegram, polling, SQLite, sample community) to its first answer")
    print(f"new database      : {fresh:.2f} s (CPU {fresh_cpu:.2f} s)")
    print(
        f"existing database : {', '.join(f'{seconds:.2f}' for seconds in again)} s (median {again[len(again) // 2]:.2f} s)"
    )
    print(
        f"  CPU per run     : {', '.join(f'{used:.2f}' for used in cpu)} s (median {cpu[len(cpu) // 2]:.2f} s)"
    )
    print(f"peak RSS          : {peak:.0f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    compile_checkout()  # copbot starts from bytecode, as when installed
    asyncio.run(main(parser.parse_args().runs))
