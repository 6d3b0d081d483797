"""Benchmark: replies relayed into a second platform's copy of the thread, vs. not relayed.

A dialogue prompt is posted on the console and on an in-process second platform
(:class:`LoopbackPlatform`, the console's printing under another name, with no rate
limit: what is measured is copbot, not a platform's limits). Members reply in the
console's thread; each reply is stored and its copy queued in the durable outbox in
the same transaction, and the outbox sender relays it after the commit.

* **Latency**: replies arrive at a steady pace (``--rate`` per second); for each, the
  time from its arrival (handed to the bot) to its copy being sent on the second
  platform. Baseline: the same replies, the same pace, to the same bot with the console
  alone (nothing to relay), from arrival to commit.
* **Throughput**: all replies handed over at once; relayed replies per second (until
  the last copy was sent) against replies stored per second without relaying.

Both configurations run in the same process, each on a fresh SQLite database with the
same members and prompt. A run in which any reply was not stored, or any copy is
missing or was sent twice, is refused. Target: p99 under 1 s.

Run: ``make bench`` or ``python -m bench.relay [--replies N] [--rate R] [--members M]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bench import pin_to_one_core
from bench.dialogue import FixedClock, percentile, prepare, replies, stored
from bot.app import CopBot
from bot.config import Settings
from bot.core.platform import Platform
from bot.core.types import ChatRef, Event, IncomingMessage, MessageRef, OutgoingMessage
from bot.platforms.console import COMMUNITY, ConsolePlatform
from storage.db import Database
from storage.dialogues.repository import DialogueRepository

#: How a copy names the reply it relays (the text ``bench.dialogue.replies`` writes).
NUMBER = re.compile(r"Reply number (\d+):")


class LoopbackPlatform(ConsolePlatform):
    """A second platform in process: prints like the console and notes when each copy went.

    Args:
        folder: where documents would be written.
    """

    name = "loopback"
    community_chat = ChatRef("loopback", "community")

    def __init__(self, folder: Path) -> None:
        super().__init__(io.StringIO(), files_dir=folder)
        #: reply number -> when its first copy was sent (``perf_counter``)
        self.copied: dict[int, float] = {}
        #: reply number -> how many copies were sent
        self.copies: Counter[int] = Counter()
        self.expected = 0
        self.all_copied = asyncio.Event()

    async def send(self, message: OutgoingMessage) -> MessageRef:
        ref = await super().send(message)
        found = NUMBER.search(str(message.text))
        if found is not None and isinstance(message.to, ChatRef) and message.to.thread_id is not None:
            number = int(found[1])
            self.copied.setdefault(number, time.perf_counter())
            self.copies[number] += 1
            if len(self.copied) >= self.expected:
                self.all_copied.set()
        return ref


@dataclass(frozen=True, slots=True)
class Run:
    """One configuration's measurement.

    Attributes:
        elapsed: seconds from the first arrival to the last reply done.
        latencies: per reply, seconds from its arrival to done (committed, or copy sent).
    """

    elapsed: float
    latencies: list[float]


async def measure(
    batch: list[IncomingMessage], members: int, folder: Path, *, relayed: bool, rate: float | None
) -> Run:
    """Hand ``batch`` to a fresh bot (at ``rate`` per second, or all at once) and time it."""
    db = Database(f"sqlite+aiosqlite:///{folder / f'{relayed}-{rate}.db'}")
    await prepare(db, members)
    settings = Settings(
        database_url=str(db.url), sample_data=False, flood={"rate": 1e9, "burst": 10**9}, files_dir=folder
    )
    loopback = LoopbackPlatform(folder)
    loopback.expected = len(batch)
    platforms: list[Platform] = [ConsolePlatform(io.StringIO(), files_dir=folder)]
    if relayed:
        platforms.append(loopback)
    bot = CopBot(settings, platforms, clock=FixedClock(), db=db)
    await bot.start(migrate=False)  # the start-up run opens the dialogue and posts the prompt
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        posts = await repo.posts([prompt.id for prompt in await repo.prompts(1)])
    threads = {post.platform: post.thread_id for post in posts}
    if threads.get("console") is None or (relayed and threads.get("loopback") is None):
        raise SystemExit(f"the prompt was not posted on every platform ({threads}): not a valid run")
    thread = COMMUNITY.thread(threads["console"])
    batch = [replace(message, chat=thread) for message in batch]
    arrived: dict[str, float] = {}
    committed: dict[str, float] = {}
    process = bot.process

    async def timed(event: Event) -> None:
        await process(event)
        committed[event.event_id] = time.perf_counter()

    bot.process = timed  # type: ignore[method-assign]
    started = time.perf_counter()
    for n, message in enumerate(batch):
        if rate is not None:  # a steady stream: each reply at its own moment
            await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        arrived[message.event_id] = time.perf_counter()
        await bot.handle(message)
    await bot.drain()
    if relayed:
        try:
            await asyncio.wait_for(loopback.all_copied.wait(), 120)
        except TimeoutError:
            raise SystemExit(f"{len(loopback.copied)} of {len(batch)} copies sent: not a valid run") from None
        await bot.outbox.idle()
    await bot.stop()
    count = await stored(Database(str(db.url)))
    if count != len(batch) or len(committed) != len(batch):
        raise SystemExit(f"{count} of {len(batch)} replies stored: not a valid run")
    if relayed and (set(loopback.copies.values()) != {1} or len(loopback.copies) != len(batch)):
        raise SystemExit("a copy is missing or was sent twice: not a valid run")
    finished = {m.event_id: loopback.copied[_number(m)] for m in batch} if relayed else committed
    latencies = [finished[m.event_id] - arrived[m.event_id] for m in batch]
    return Run(max(finished.values()) - started, latencies)


def _number(message: IncomingMessage) -> int:
    found = NUMBER.search(message.text or "")
    assert found is not None
    return int(found[1])


def _latency(run: Run) -> str:
    p50, p99 = percentile(run.latencies, 0.5), percentile(run.latencies, 0.99)
    return f"p50 {p50 * 1e3:7,.1f} ms, p99 {p99 * 1e3:7,.1f} ms"


async def main(members: int, count: int, rate: float) -> None:
    batch = replies(count, members, COMMUNITY)
    with tempfile.TemporaryDirectory() as folder:
        paced_bare = await measure(batch, members, Path(folder), relayed=False, rate=rate)
        paced = await measure(batch, members, Path(folder), relayed=True, rate=rate)
        burst_bare = await measure(batch, members, Path(folder), relayed=False, rate=None)
        burst = await measure(batch, members, Path(folder), relayed=True, rate=None)
    print(f"replies: {count} from {members} members in the console's thread, SQLite (WAL), one core")
    print(f"latency at {rate:,.0f} replies/s, arrival to copy sent (to commit when not relayed):")
    print(f"  not relayed : {_latency(paced_bare)}")
    print(f"  relayed     : {_latency(paced)}   (target: p99 under 1 s)")
    p99_ratio = percentile(paced.latencies, 0.99) / percentile(paced_bare.latencies, 0.99)
    print(f"  ratio       : {p99_ratio:.1f}x the p99 without relaying")
    print("throughput, all handed over at once:")
    print(f"  not relayed : {count / burst_bare.elapsed:>8,.0f} replies/s stored")
    print(f"  relayed     : {count / burst.elapsed:>8,.0f} replies/s stored and their copies sent")
    print(f"  ratio       : {burst.elapsed / burst_bare.elapsed:.1f}x the time per reply without relaying")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--replies", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=100.0, help="replies per second in the latency run")
    arguments = parser.parse_args()
    pin_to_one_core()
    asyncio.run(main(arguments.members, arguments.replies, arguments.rate))
