"""``copbot dialogue``, ``copbot export`` and ``copbot wiki``: what the community reads and wrote.

Programme files, dialogue exports and wiki files are the features' own formats, so these
commands call into ``handlers/`` (imported inside each command, which keeps ``copbot --help``
fast): with :mod:`bot.app`, this package is the only wiring in ``bot/`` that imports features.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import fail, migrated_database, settings_of, stderr

if TYPE_CHECKING:
    from rich.progress import Progress

    from handlers.wiki.files import ImportReport

dialogue_app = typer.Typer(help="Plan virtual dialogues from programme files.", no_args_is_help=True)
export_app = typer.Typer(help="Export what the community wrote.", no_args_is_help=True)
wiki_app = typer.Typer(help="Import and export the wiki.", no_args_is_help=True)


@dialogue_app.command("import")
def dialogue_import(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A programme file (YAML).", dir_okay=False)],
    archive: Annotated[
        bool,
        typer.Option(
            "--archive",
            help="Import a programme that has ended as history: closed, its prompts never posted.",
        ),
    ] = False,
) -> None:
    """Create a dialogue from a programme file, or update the one with the same slug.

    A programme whose dates are past is refused unless imported as history (--archive); one
    already under way is imported, and its prompts whose time passed are not posted.
    """
    from handlers.dialogues.programme import (
        ProgrammeError,
        hold_missed_prompts,
        import_programme,
        load_programme,
    )
    from storage.dialogues.repository import DialogueRepository

    settings = settings_of(ctx)
    try:
        programme = load_programme(file)
    except ProgrammeError as error:
        fail(str(error))
    now = datetime.now(UTC)
    dates = f"{programme.start} to {programme.end} ({programme.timezone})"
    if programme.ended(now) and not archive:
        fail(
            f"{file}: the programme ran from {dates}, which is past: nothing of it would be posted. "
            "To keep it as history (a closed dialogue), import it with --archive."
        )
    if archive and not programme.ended(now):
        fail(f"{file}: --archive is for a programme that has ended; this one runs from {dates}.")

    async def load() -> tuple[int, bool, list[str]]:
        async with migrated_database(settings) as db, db.transaction() as session:
            repo = DialogueRepository(session)
            dialogue, created = await import_programme(repo, programme, now, archive=archive)
            held = [] if archive else await hold_missed_prompts(repo, dialogue, now)
            return dialogue.id, created, held

    try:
        dialogue_id, created, held = asyncio.run(load())
    except ProgrammeError as error:
        fail(str(error))
    if held:
        stderr.print(
            f"warning: the programme started on {programme.start} ({programme.timezone}); prompts "
            f"{', '.join(held)} were due before now and will not be posted "
            "(they stay in the dialogue's record).",
            style="yellow",
            markup=False,
            highlight=False,
        )
    verb = "created" if created else "updated"
    kind = " as history (closed)" if archive else ""
    typer.echo(f"dialogue {dialogue_id} {verb}{kind}: {programme.slug}, {len(programme.prompts)} prompts")


@dialogue_app.command("list")
def dialogue_list(ctx: typer.Context) -> None:
    """List every dialogue: id, status, dates, time zone and title."""
    from storage.dialogues.repository import DialogueRepository
    from storage.dialogues.texts import localized

    settings = settings_of(ctx)

    async def listed() -> list[str]:
        async with migrated_database(settings) as db, db.transaction() as session:
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

    settings = settings_of(ctx)
    if format_ not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}", 2)

    async def gather() -> bytes:
        async with migrated_database(settings) as db, db.transaction() as session:
            exported = await load_export(DialogueRepository(session), dialogue_id, settings.default_locale)
        return render(exported, format_)[0]

    try:
        data = asyncio.run(gather())
    except LookupError as error:
        fail(str(error))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    typer.echo(f"wrote {output}")


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
    from rich.progress import Progress

    from handlers.wiki.files import count_entries, import_entries, read_entries

    settings = settings_of(ctx)
    if not path.exists():
        fail(f"{path}: no such file or folder", 2)

    async def run(progress: Progress) -> ImportReport:
        task = progress.add_task("importing", total=count_entries(path))
        async with migrated_database(settings) as db:
            return await import_entries(
                db, read_entries(path), datetime.now(UTC), on_progress=lambda n: progress.advance(task, n)
            )

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

    settings = settings_of(ctx)

    async def run() -> int:
        async with migrated_database(settings) as db:
            return await export_entries(db, path)

    typer.echo(f"{asyncio.run(run())} entries written to {path}")
