"""``copbot site build OUT/``: the public web site, written from the database.

The pages are the site feature's (:mod:`handlers.site`), imported inside the command so
that ``copbot --help`` stays fast.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli.root import fail, migrated_database, settings_of

if TYPE_CHECKING:
    from handlers.site.build import BuildReport

site_app = typer.Typer(help="Publish the public web site.", no_args_is_help=True)


@site_app.command("build")
def site_build(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Argument(help="The folder to write the site into (made if missing).", file_okay=False)
    ],
    from_bot: Annotated[
        bool,
        typer.Option(
            "--from-bot", hidden=True, help="Read settings, database and moment from the running bot (stdin)."
        ),
    ] = False,
) -> None:
    """Write the public site: home, Terms of Reference, wiki, dialogue archives, in every language.

    Only what is public is written: wiki entries, dialogues (not drafts nor cancelled ones)
    with their reply counts, and the replies of members who chose /profile quoted on. A
    page whose content did not change is left as it was; a page no longer published is removed.
    """
    from handlers.site.build import build_site

    if from_bot:  # copbot run's rebuild (handlers.site.serving): no migration, no process lock
        from handlers.site.handoff import decode

        handoff = decode(sys.stdin.buffer.read())

        async def run() -> BuildReport:
            try:
                return await build_site(handoff.database, handoff.settings, out, now=handoff.now)
            finally:
                await handoff.database.dispose()

    else:
        settings = settings_of(ctx)

        async def run() -> BuildReport:
            async with migrated_database(settings) as db:
                return await build_site(db, settings, out, now=datetime.now(UTC))

    try:
        report = asyncio.run(run())
    except FileExistsError as error:
        fail(str(error), 2)
    typer.echo(
        f"wrote {out}: {report.pages} pages in {len(report.languages)} languages "
        f"({', '.join(report.languages)}), {report.bytes:,} bytes; {len(report.changed)} files changed"
    )
