"""Benchmark: console messages through the whole stack vs. a bare handler.

The full stack is the real thing: sequencer, middleware (error capture, unit of work
with its exactly-once claim, identity resolution, flood control), the bot's whole router
(every feature's routes), a committed SQLite transaction per message and the reply
printed by the console platform. Both paths run the same handler, ``/echo``, which
answers with a translated sentence quoting the text; the baseline, measured in the same
run on the same messages, parses the command and runs that handler's work with no
middleware and no database. (An earlier version used ``/help``, whose cost grows with
every command the features add: it measured the help text, not the stack.)

Run: ``make bench`` or ``python -m bench.pipeline [--messages N] [--users U]``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import tempfile
import time
from pathlib import Path

from bench import pin_to_one_core
from bot.app import CopBot
from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.commands import parse_command
from bot.core.router import Router
from bot.core.text import fill
from bot.core.types import ChatRef, IncomingMessage, OutgoingMessage, UserRef
from bot.platforms.console import ConsolePlatform
from bot.services import Ctx
from handlers import build_router


def echo_message(n: int, user: int, event_id: str) -> IncomingMessage:
    """The ``n``-th ``/echo`` from console user ``user``, in their direct chat."""
    return IncomingMessage(
        event_id=event_id,
        sender=UserRef("console", f"user{user}"),
        chat=ChatRef("console", f"user{user}"),
        is_direct=True,
        text=f"/echo message {n}",
        message_id=str(n),
    )


def messages(count: int, users: int) -> list[IncomingMessage]:
    return [echo_message(n, n % users, f"bench-{n}") for n in range(count)]


async def full_stack(batch: list[IncomingMessage], folder: Path) -> float:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{folder / 'bench.db'}",
        sample_data=False,
        flood={"rate": 1e9, "burst": 10**9},
        files_dir=folder,
    )
    out = io.StringIO()
    router = build_router()
    router.include(echo_router())
    bot = CopBot(settings, [ConsolePlatform(out, files_dir=folder)], router=router)
    await bot.start()
    # Warm up: every user's first contact creates them; measure steady state.
    warmup = {m.sender.id: m for m in batch}.values()
    for message in warmup:
        await bot.handle(_renamed(message, "warmup"))
    await bot.drain()
    out.seek(0)
    out.truncate()
    started = time.perf_counter()
    for message in batch:
        await bot.handle(message)
    await bot.drain()
    elapsed = time.perf_counter() - started
    await bot.stop()
    answered = out.getvalue().count("You said: message")
    if answered != len(batch):
        raise SystemExit(f"the full stack answered {answered} of {len(batch)} messages: not a valid run")
    return elapsed


async def bare_handler(batch: list[IncomingMessage], folder: Path) -> float:
    out = io.StringIO()
    console = ConsolePlatform(out, files_dir=folder)
    translator = Catalogs().translator("en")
    started = time.perf_counter()
    for message in batch:
        command = parse_command(message.text or "")
        if command is not None and command.name == "echo":
            reply = fill(translator.gettext(ECHO), {"text": command.raw_args})
            await console.send(OutgoingMessage(message.chat, reply))
    elapsed = time.perf_counter() - started
    if out.getvalue().count("You said: message") != len(batch):
        raise SystemExit("the bare handler did not answer every message: not a valid run")
    return elapsed


#: A sentence from the catalogs, so both paths pay for a translation.
ECHO = "You said: {text}"


def echo_router() -> Router:
    """The benchmark's handler, added to the bot's own router."""
    router = Router("bench")

    @router.command("echo")
    async def echo(ctx: Ctx) -> None:
        ctx.reply(ctx._(ECHO, text=ctx.command.raw_args if ctx.command else ""))

    return router


def _renamed(message: IncomingMessage, prefix: str) -> IncomingMessage:
    return IncomingMessage(
        event_id=f"{prefix}-{message.event_id}",
        sender=message.sender,
        chat=message.chat,
        is_direct=True,
        text=message.text,
    )


async def main(count: int, users: int) -> None:
    batch = messages(count, users)
    with tempfile.TemporaryDirectory() as folder:
        bare = await bare_handler(batch, Path(folder))
        full = await full_stack(batch, Path(folder))
    print(f"messages: {count} from {users} users, SQLite (WAL, synchronous=NORMAL), one core")
    print(f"bare handler : {count / bare:>10,.0f} messages/s")
    print(f"full stack   : {count / full:>10,.0f} messages/s   (target: at least 1,000)")
    print(f"ratio        : {full / bare:>10.1f}x the bare handler's time per message")
    print(f"per message  : {full / count * 1e6:>10.0f} µs full, {bare / count * 1e6:.0f} µs bare")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--users", type=int, default=200)
    arguments = parser.parse_args()
    pin_to_one_core()
    asyncio.run(main(arguments.messages, arguments.users))
