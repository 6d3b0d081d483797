"""The ``copbot`` command line.

``copbot run`` starts the bot; ``copbot chat`` talks to it in a terminal or through a
pipe; ``copbot db`` manages the schema; ``copbot dialogue`` imports and lists virtual
dialogues, ``copbot export dialogue`` writes one to a file and ``copbot wiki`` imports and
exports the wiki. Every command reads the same settings
(``COPBOT_*`` variables, ``copbot.toml`` or ``--config``).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer
from rich.console import Console

from bot import __version__
from bot.config import Settings, load_settings
from bot.core.errors import ConfigurationError
from bot.platforms.console import ConsolePlatform

if TYPE_CHECKING:
    from storage.db import Database

app = typer.Typer(
    name="copbot",
    help="The chat bot of a community of practice: application form, virtual dialogues, wiki and moderation.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
dialogue_app = typer.Typer(help="Plan virtual dialogues from programme files.", no_args_is_help=True)
app.add_typer(dialogue_app, name="dialogue")
export_app = typer.Typer(help="Export what the community wrote.", no_args_is_help=True)
app.add_typer(export_app, name="export")
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


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
#: Where a console session logs, so the conversation on the terminal stays readable.
CONSOLE_LOG = Path("var/copbot.log")


def _logging(level: str, file: Path | None = None) -> None:
    """Log at ``level``; to ``file`` if given (warnings still reach the terminal)."""
    if file is None:
        logging.basicConfig(level=level, stream=sys.stderr, format=LOG_FORMAT)
        return
    file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(file, encoding="utf-8")
    to_file.setFormatter(logging.Formatter(LOG_FORMAT))
    to_terminal = logging.StreamHandler(sys.stderr)
    to_terminal.setLevel(logging.WARNING)
    to_terminal.setFormatter(logging.Formatter(LOG_FORMAT))
    logging.basicConfig(level=level, handlers=[to_file, to_terminal])


@app.command()
def run(ctx: typer.Context) -> None:
    """Run the bot on every configured platform, with its scheduler and workers.

    With no platform configured, the console platform runs interactively on the
    embedded default: an SQLite file and the sample community.
    """
    settings = _settings(ctx)
    if settings.chat_platforms:
        _server_logging(settings.log_level)
        asyncio.run(_serve(settings))
        return
    _logging(settings.log_level, CONSOLE_LOG)
    stderr.print(
        f"copbot {__version__} on the console. You are [bold]you[/bold]; "
        "type [bold]/help[/bold]. Lines starting with @name speak as another user "
        f"(try @mod /help), #N presses button N. Ctrl-D quits. Log: {CONSOLE_LOG}",
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
    _logging(settings.log_level, CONSOLE_LOG)
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


@dialogue_app.command("import")
def dialogue_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A programme file (YAML).", dir_okay=False)],
) -> None:
    """Create a dialogue from a programme file, or update the one with the same slug."""
    from handlers.dialogues.programme import ProgrammeError, import_programme, load_programme
    from storage.dialogues.repository import DialogueRepository

    settings = _settings(ctx)
    try:
        programme = load_programme(file)
    except ProgrammeError as error:
        stderr.print(str(error), style="bold red", markup=False, highlight=False)
        raise typer.Exit(1) from None

    async def load() -> tuple[int, bool]:
        async with _database(settings) as db, db.transaction() as session:
            dialogue, created = await import_programme(
                DialogueRepository(session), programme, datetime.now(UTC)
            )
            return dialogue.id, created

    try:
        dialogue_id, created = asyncio.run(load())
    except ProgrammeError as error:
        stderr.print(str(error), style="bold red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    verb = "created" if created else "updated"
    typer.echo(f"dialogue {dialogue_id} {verb}: {programme.slug}, {len(programme.prompts)} prompts")


@dialogue_app.command("list")
def dialogue_list(ctx: typer.Context) -> None:
    """List every dialogue: id, status, dates, time zone and title."""
    from storage.dialogues.repository import DialogueRepository
    from storage.dialogues.texts import localized

    settings = _settings(ctx)

    async def listed() -> list[str]:
        async with _database(settings) as db, db.transaction() as session:
            repo = DialogueRepository(session)
            rows = []
            for dialogue in await repo.listed():
                prompts = len(await repo.prompts(dialogue.id))
                rows.append(
                    f"{dialogue.id}\t{dialogue.status}\t{dialogue.start_date}\t{dialogue.end_date}\t"
                    f"{dialogue.timezone}\t{prompts} prompts\t{localized(dialogue.title, settings.default_locale)}"
                )
            return rows

    for row in asyncio.run(listed()):
        typer.echo(row)


@export_app.command("dialogue")
def export_dialogue(
    ctx: typer.Context,
    dialogue_id: Annotated[int, typer.Argument(help="The dialogue's id (see copbot dialogue list).")],
    format_: Annotated[str, typer.Option("--format", "-f", help="md, html, csv or json.")] = "md",
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write.", dir_okay=False)] = Path(
        "dialogue.md"
    ),
) -> None:
    """Export a dialogue's prompts and replies (never emails or application data)."""
    from handlers.dialogues.export import FORMATS, load_export, render
    from storage.dialogues.repository import DialogueRepository

    settings = _settings(ctx)
    if format_ not in FORMATS:
        stderr.print(f"--format must be one of {', '.join(FORMATS)}", style="bold red", highlight=False)
        raise typer.Exit(2)

    async def gather() -> bytes:
        async with _database(settings) as db, db.transaction() as session:
            exported = await load_export(DialogueRepository(session), dialogue_id, settings.default_locale)
        return render(exported, format_)[0]

    try:
        data = asyncio.run(gather())
    except LookupError as error:
        stderr.print(str(error), style="bold red", markup=False, highlight=False)
        raise typer.Exit(1) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


@asynccontextmanager
async def _database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, migrated (as the bot would on start)."""
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()


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

    from handlers.wiki.files import ImportReport, count_entries, import_entries, read_entries
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
    from handlers.wiki.files import export_entries
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


def _server_logging(level: str) -> None:
    logging.basicConfig(level=level, format=LOG_FORMAT, stream=sys.stderr)
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
    from bot.app import CopBot, freeze_start_up_heap
    from bot.platforms import configured_platforms

    bot = CopBot(settings, configured_platforms(settings))
    stop = _stop_on_signals()
    await bot.start()
    freeze_start_up_heap()
    try:
        await stop.wait()
    finally:
        await bot.stop()


async def _console_session(
    settings: Settings, user: str, lang: str | None, source: TextIO, out: TextIO
) -> None:
    from bot.app import CopBot, freeze_start_up_heap

    console = ConsolePlatform(out, files_dir=settings.files_dir, languages={user: lang} if lang else None)
    bot = CopBot(settings, [console])
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
