"""Benchmark: replies to one dialogue prompt, arriving concurrently, through the full stack.

1,000 members answer one posted prompt in its thread, 5,000 replies in all, handed to the
bot at once. Each goes through the whole stack: sequencer, middleware (unit of work with
its exactly-once claim, identity, flood control), the router's thread filter (a lookup
of the thread), the reply handler and a committed SQLite transaction. Latency is from
the moment the reply is handed to the bot to the moment its transaction committed.

The baseline, measured in the same run on a fresh database with the same members and
prompt, stores the same replies straight through the repository, one transaction per
reply, with no sequencer, middleware or router. A run where not every reply was stored
is refused.

The run is repeated (``--rounds``, default 3) and the median round reported, since the
rates move with whatever else the machine runs; the ratio moves much less.

Run: ``make bench`` or ``python -m bench.dialogue [--members N] [--replies R] [--rounds K]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench import pin_to_one_core
from bot.app import CopBot
from bot.config import Settings
from bot.core.types import ChatRef, Event, IncomingMessage, Role, UserRef
from bot.platforms.console import COMMUNITY, ConsolePlatform
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.models import Reply
from storage.users import UserRepository

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def prepare(db: Database, members: int) -> int:
    """Members, and one dialogue whose prompt is due; returns the prompt's id."""
    await db.upgrade()
    async with db.transaction() as session:
        users = UserRepository(session)
        for n in range(members):
            profile = await users.resolve(UserRef("console", f"member{n}", f"Member {n}"), NOW)
            await users.grant(profile.person_id, Role.MEMBER, NOW)
        repo = DialogueRepository(session)
        dialogue = await repo.create(
            title={"en": "Bench"}, start=date(2026, 9, 22), end=date(2026, 10, 17), timezone="UTC", now=NOW
        )
        prompt = await repo.add_prompt(dialogue.id, {"en": "What changed?"}, NOW)
        return prompt.id


def replies(count: int, members: int, thread: ChatRef) -> list[IncomingMessage]:
    return [
        IncomingMessage(
            event_id=f"reply-{n}",
            sender=UserRef("console", f"member{n % members}", f"Member {n % members}"),
            chat=thread,
            text=f"Reply number {n}: what I saw in my trainings this month.",
            message_id=str(100_000 + n),
        )
        for n in range(count)
    ]


async def stored(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(Reply)) or 0)


async def full_stack(batch: list[IncomingMessage], members: int, folder: Path) -> tuple[float, list[float]]:
    db = Database(f"sqlite+aiosqlite:///{folder / 'full.db'}")
    await prepare(db, members)
    settings = Settings(
        database_url=str(db.url), sample_data=False, flood={"rate": 1e9, "burst": 10**9}, files_dir=folder
    )
    bot = CopBot(settings, [ConsolePlatform(io.StringIO(), files_dir=folder)], clock=FixedClock(), db=db)
    await bot.start(migrate=False)  # the start-up run opens the dialogue and posts the prompt
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        posts = await repo.posts([prompt.id for prompt in await repo.prompts(1)])
    if not posts or posts[0].thread_id is None:
        raise SystemExit("the prompt was not posted: not a valid run")
    thread = COMMUNITY.thread(posts[0].thread_id)
    batch = [replace(message, chat=thread) for message in batch]
    submitted: dict[str, float] = {}
    latencies: list[float] = []
    process = bot.process

    async def timed(event: Event) -> None:
        await process(event)
        latencies.append(time.perf_counter() - submitted[event.event_id])

    bot.process = timed  # type: ignore[method-assign]
    started = time.perf_counter()
    for message in batch:
        submitted[message.event_id] = time.perf_counter()
        await bot.handle(message)
    await bot.drain()
    elapsed = time.perf_counter() - started
    await bot.stop()
    count = await stored(Database(str(db.url)))
    if count != len(batch) or len(latencies) != len(batch):
        raise SystemExit(f"the full stack stored {count} of {len(batch)} replies: not a valid run")
    return elapsed, latencies


async def baseline(batch: list[IncomingMessage], members: int, folder: Path) -> float:
    db = Database(f"sqlite+aiosqlite:///{folder / 'bare.db'}")
    prompt_id = await prepare(db, members)
    started = time.perf_counter()
    for message in batch:
        async with db.transaction() as session:
            await DialogueRepository(session).save_reply(
                prompt_id=prompt_id,
                person_id=int(message.sender.id.removeprefix("member")) + 1,
                platform="console",
                chat_id="community",
                message_id=message.message_id,
                text=message.text or "",
                now=NOW,
            )
    elapsed = time.perf_counter() - started
    count = await stored(db)
    await db.dispose()
    if count != len(batch):
        raise SystemExit(f"the baseline stored {count} of {len(batch)} replies: not a valid run")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(members: int, count: int, rounds: int) -> None:
    batch = replies(count, members, COMMUNITY)
    results: list[tuple[float, float, list[float]]] = []
    for _ in range(rounds):  # baseline and full stack alternate, so both see the same machine
        with tempfile.TemporaryDirectory() as folder:
            bare = await baseline(batch, members, Path(folder))
            full, latencies = await full_stack(batch, members, Path(folder))
        results.append((bare, full, latencies))
        print(f"  round {len(results)}: baseline {count / bare:,.0f}/s, full stack {count / full:,.0f}/s")
    bare, full, latencies = sorted(results, key=lambda result: result[1])[len(results) // 2]  # the median
    print(f"replies: {count} from {members} members to one prompt, concurrently, SQLite (WAL), one core")
    print(f"median of {rounds} rounds (by the full stack's time):")
    print(f"baseline     : {count / bare:>10,.0f} replies/s stored (repository only, a transaction each)")
    print(f"full stack   : {count / full:>10,.0f} replies/s stored   (target: at least 500)")
    print(f"ratio        : {full / bare:>10.1f}x the baseline's time per reply")
    print(
        f"latency      : p50 {percentile(latencies, 0.5) * 1e3:,.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1e3:,.0f} ms (all {count} handed over at once)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--replies", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    pin_to_one_core()
    asyncio.run(main(arguments.members, arguments.replies, arguments.rounds))
