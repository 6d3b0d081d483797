"""``copbot run`` and ``copbot chat``: the bot at work, on the chat platforms or on a terminal.

``run`` serves the configured platforms until SIGINT or SIGTERM; with none configured, and
for ``chat``, the console platform reads lines from standard input, one user's line handled
before the next is read, and writes the replies to standard output.
"""

from __future__ import annotations

import asyncio
import io
import logging
import signal
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, TextIO

import typer

from bot import __version__
from bot.cli.root import settings_of, stderr
from bot.config import Settings
from bot.observability.logs import JsonFormatter
from bot.platforms.console import ConsolePlatform

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Where a console session logs, so the conversation on the terminal stays readable.
CONSOLE_LOG = Path("var/copbot.log")


def _formatter(settings: Settings) -> logging.Formatter:
    """Lines for people, or one JSON object per line (``COPBOT_LOG_FORMAT=json``)."""
    if settings.log_format == "json":
        return JsonFormatter(settings.instance)
    return logging.Formatter(LOG_FORMAT)


def _logging(settings: Settings, file: Path | None = None) -> None:
    """Log at the configured level; to ``file`` if given (warnings still reach the terminal)."""
    to_terminal = logging.StreamHandler(sys.stderr)
    to_terminal.setFormatter(_formatter(settings))
    if file is None:
        logging.basicConfig(level=settings.log_level, handlers=[to_terminal])
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(file, encoding="utf-8")
    to_file.setFormatter(_formatter(settings))
    to_terminal.setLevel(logging.WARNING)
    logging.basicConfig(level=settings.log_level, handlers=[to_file, to_terminal])


def run(ctx: typer.Context) -> None:
    """Run the bot on every configured platform, with its scheduler and workers.

    With no platform configured, the console platform runs interactively on the
    embedded default: an SQLite file and the sample community.
    """
    settings = settings_of(ctx)
    if settings.chat_platforms:
        _server_logging(settings)
        asyncio.run(_serve(settings))
        return
    _logging(settings, CONSOLE_LOG)
    stderr.print(
        f"copbot {__version__} on the console. You are [bold]you[/bold]; "
        "type [bold]/help[/bold]. Lines starting with @name speak as another user "
        f"(try @mod /help), #N presses button N. Ctrl-D quits. Log: {CONSOLE_LOG}",
        highlight=False,
    )
    asyncio.run(_console_session(settings, "you", None, _forgiving(sys.stdin), sys.stdout))


def chat(
    ctx: typer.Context,
    as_: Annotated[str, typer.Option("--as", help="Your console user name: you speak as console:NAME.")],
    lang: Annotated[
        str | None, typer.Option("--lang", help="The language your client reports, e.g. es.")
    ] = None,
) -> None:
    """Talk to the bot as console user NAME, reading lines from standard input.

    Each line is handled before the next is read. [bold]@other text[/bold] speaks as
    another user, [bold]\\[community/3] text[/bold] posts in a chat or thread, [bold]#N[/bold]
    presses button N. Output lines are [bold]\\[recipient] text[/bold]. With piped input the
    session ends once the input ends and every reply has been sent.
    """
    settings = settings_of(ctx)
    _logging(settings, CONSOLE_LOG)
    asyncio.run(_console_session(settings, as_, lang, _forgiving(sys.stdin), sys.stdout))


def _forgiving(source: TextIO) -> TextIO:
    """``source`` reading bytes that are not UTF-8 as replacement characters (U+FFFD).

    A strict decoder would stop the input thread at the first bad byte, and the session
    would wait for lines that never come.
    """
    if isinstance(source, io.TextIOWrapper):
        source.reconfigure(encoding="utf-8", errors="replace")
    return source


def _server_logging(settings: Settings) -> None:
    _logging(settings)
    level = settings.log_level
    for noisy in ("httpx", "apscheduler"):  # a line per request or per job run
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def _stop_on_signals() -> asyncio.Event:
    """An event that SIGINT or SIGTERM sets: the bot then stops cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _serve(settings: Settings) -> None:
    """Run on the configured chat platforms until SIGINT or SIGTERM."""
    from bot.app import CopBot
    from bot.heap import freeze_start_up_heap
    from bot.platforms import configured_platforms

    bot = CopBot(settings, configured_platforms(settings), exclusive=True)
    stop = _stop_on_signals()
    await bot.start(menus_later=True)
    freeze_start_up_heap()
    try:
        await stop.wait()
    finally:
        await bot.stop()


async def _console_session(
    settings: Settings, user: str, lang: str | None, source: TextIO, out: TextIO
) -> None:
    from bot.app import CopBot
    from bot.heap import freeze_start_up_heap

    console = ConsolePlatform(out, files_dir=settings.files_dir, languages={user: lang} if lang else None)
    bot = CopBot(settings, [console], exclusive=True)
    await bot.start()
    freeze_start_up_heap()
    stop = _stop_on_signals()
    try:
        async for line in _lines(source, stop):
            await console.feed(line, user)
            await bot.drain()
        await bot.settle()
    finally:
        await bot.stop()


async def _lines(source: TextIO, stop: asyncio.Event) -> AsyncIterator[str]:
    """Lines from ``source`` without blocking the loop; ends at end of input or ``stop``."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:  # a daemon thread: a blocked read never holds up exit
        try:
            for line in source:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError) as error:  # a closed or unreadable input ends the session
            logging.getLogger(__name__).warning("standard input failed: %s", error)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            done, _ = await asyncio.wait({getter, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                return
            line = getter.result()
            if line is None:
                return
            yield line
    finally:
        stopped.cancel()
