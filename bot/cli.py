"""The ``copbot`` command line.

``copbot run`` starts the bot; ``copbot chat`` talks to it in a terminal or through a
pipe; ``copbot db`` manages the schema; ``copbot wiki`` imports and exports the wiki. Every command reads the same settings
(``COPBOT_*`` variables, ``copbot.toml`` or ``--config``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console

from bot import __version__
from bot.config import Settings, load_settings
from bot.core.errors import ConfigurationError
from bot.platforms.console import ConsolePlatform

app = typer.Typer(
    name="copbot",
    help="The chat bot of a community of practice: application form, virtual dialogues, wiki and moderation.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
wiki_app = typer.Typer(help="Import and export the wiki.", no_args_is_help=True)
app.add_typer(wiki_app, name="wiki")

stderr = Console(stderr=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"copbot {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="A TOML settings file (default: ./copbot.toml if present).", dir_okay=False
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Settings come from COPBOT_* environment variables, then the TOML file, then defaults."""
    ctx.obj = config


def _settings(ctx: typer.Context, **overrides: object) -> Settings:
    try:
        return load_settings(ctx.obj, **overrides)
    except ConfigurationError as error:
        stderr.print(str(error), style="bold red", markup=False, highlight=False)
        raise typer.Exit(2) from None


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


@app.command()
def run(ctx: typer.Context) -> None:
    """Run the bot on every configured platform, with its scheduler and workers.

    With no platform configured, the console platform runs interactively on the
    embedded default: an SQLite file and the sample community.
    """
    settings = _settings(ctx)
    _logging(settings.log_level)
    stderr.print(
        f"copbot {__version__} on the console. You are [bold]you[/bold]; "
        "type [bold]/help[/bold]. Lines starting with @name speak as another user "
        "(try @mod /help), #N presses button N. Ctrl-D quits.",
        highlight=False,
    )
    asyncio.run(_console_session(settings, "you", None, sys.stdin, sys.stdout))


@app.command()
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
    settings = _settings(ctx)
    _logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    asyncio.run(_console_session(settings, as_, lang, sys.stdin, sys.stdout))


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context, revision: Annotated[str, typer.Argument(help="Target revision.")] = "head"
) -> None:
    """Apply the database migrations (the bot also does this when it starts)."""
    from storage.db import Database

    settings = _settings(ctx)

    async def upgrade() -> str | None:
        db = Database(settings.database_url)
        try:
            await db.upgrade(revision)
            return await db.current_revision()
        finally:
            await db.dispose()

    typer.echo(f"database at revision {asyncio.run(upgrade())}")


@db_app.command("current")
def db_current(ctx: typer.Context) -> None:
    """Show the revision the database schema is at."""
    from storage.db import Database

    settings = _settings(ctx)

    async def current() -> str | None:
        db = Database(settings.database_url)
        try:
            return await db.current_revision()
        finally:
            await db.dispose()

    typer.echo(asyncio.run(current()) or "empty database (no revision)")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Argument(help="What the migration does.")],
    rev_id: Annotated[str, typer.Option("--rev-id", help="The revision id, e.g. 0002.")],
) -> None:
    """For developers: write a migration for what changed in storage/models.py.

    The schema at head is built in a scratch SQLite database and compared with the
    models (Alembic autogenerate). Review the file before committing it.
    """
    import tempfile

    from alembic import command

    from storage.db import Database, alembic_config

    async def generate() -> None:
        with tempfile.TemporaryDirectory() as scratch:
            db = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
            try:
                await db.upgrade()
                async with db.engine.begin() as connection:
                    await connection.run_sync(
                        lambda sync: command.revision(
                            alembic_config(sync), message=message, autogenerate=True, rev_id=rev_id
                        )
                    )
            finally:
                await db.dispose()

    asyncio.run(generate())


@wiki_app.command("import")
def wiki_import(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="A folder of Markdown files with YAML front matter, or a .csv or .json file."),
    ],
) -> None:
    """Add or update wiki entries (by slug) from files; invalid ones are reported, the rest imported.

    Exits with status 1 when some entries were invalid (the valid ones are imported).
    """
    from datetime import UTC, datetime

    from rich.progress import Progress

    from bot.wiki_files import ImportReport, count_entries, import_entries, read_entries
    from storage.db import Database

    settings = _settings(ctx)
    if not path.exists():
        stderr.print(f"{path}: no such file or folder", style="bold red", markup=False, highlight=False)
        raise typer.Exit(2)

    async def run(progress: Progress) -> ImportReport:
        task = progress.add_task("importing", total=count_entries(path))
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await import_entries(
                db, read_entries(path), datetime.now(UTC), on_progress=lambda n: progress.advance(task, n)
            )
        finally:
            await db.dispose()

    with Progress(console=stderr, transient=True) as progress:
        report = asyncio.run(run(progress))
    for problem in report.problems:
        stderr.print(str(problem), style="red", markup=False, highlight=False)
    typer.echo(f"{report.created} entries added, {report.updated} updated, {len(report.problems)} invalid")
    if report.problems:
        raise typer.Exit(1)


@wiki_app.command("export")
def wiki_export(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(help="A .csv or .json file, or a folder for one Markdown file per entry.")
    ],
) -> None:
    """Write every wiki entry to PATH, in the format import reads."""
    from bot.wiki_files import export_entries
    from storage.db import Database

    settings = _settings(ctx)

    async def run() -> int:
        db = Database(settings.database_url)
        try:
            await db.upgrade()
            return await export_entries(db, path)
        finally:
            await db.dispose()

    typer.echo(f"{asyncio.run(run())} entries written to {path}")


async def _console_session(
    settings: Settings, user: str, lang: str | None, source: TextIO, out: TextIO
) -> None:
    from bot.app import CopBot

    console = ConsolePlatform(out, files_dir=settings.files_dir, languages={user: lang} if lang else None)
    bot = CopBot(settings, [console])
    await bot.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async for line in _lines(source, stop):
            await console.feed(line, user)
            await bot.drain()
    finally:
        await bot.stop()


async def _lines(source: TextIO, stop: asyncio.Event) -> AsyncIterator[str]:
    """Lines from ``source`` without blocking the loop; ends at end of input or ``stop``."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:  # a daemon thread: a blocked read never holds up exit
        for line in source:
            loop.call_soon_threadsafe(queue.put_nowait, line)
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


def main() -> None:
    """The ``copbot`` console script."""
    app()
