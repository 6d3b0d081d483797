"""``copbot db``: the database schema (Alembic migrations)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from bot.cli.root import settings_of

if TYPE_CHECKING:
    from sqlalchemy import Connection

T = TypeVar("T")

db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context, revision: Annotated[str, typer.Argument(help="Target revision.")] = "head"
) -> None:
    """Apply the database migrations (the bot also does this when it starts)."""
    from storage.db import Database

    settings = settings_of(ctx)

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

    settings = settings_of(ctx)

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
    """For developers: write a migration for what changed in storage/models/.

    The schema at head is built in a scratch SQLite database and compared with the
    models (Alembic autogenerate). Review the file before committing it.
    """
    from alembic import command

    from storage.db import alembic_config

    _on_a_migrated_scratch_database(
        lambda connection: command.revision(
            alembic_config(connection), message=message, autogenerate=True, rev_id=rev_id
        )
    )


@db_app.command("snapshot")
def db_snapshot() -> None:
    """For developers: write the SQLite schema at head that new databases are built from.

    The migrations build a scratch SQLite database; its schema is written to
    storage/migrations/head.sqlite.sql (see storage/schema_snapshot.py). Run it after
    adding or changing a migration, and commit the file with the migration.
    """
    from storage.db import head_revision
    from storage.schema_snapshot import SNAPSHOT, snapshot_of

    head = head_revision()
    if head is None:
        raise typer.BadParameter("the migrations do not name exactly one head revision")
    SNAPSHOT.write_text(
        _on_a_migrated_scratch_database(lambda connection: snapshot_of(connection, head)), encoding="utf-8"
    )
    typer.echo(f"{SNAPSHOT} written at revision {head}")


def _on_a_migrated_scratch_database(work: Callable[[Connection], T]) -> T:
    """``work``'s result on a scratch SQLite database built by every migration (not the snapshot)."""
    import tempfile

    from storage.db import Database

    async def run() -> T:
        with tempfile.TemporaryDirectory() as scratch:
            db = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
            try:
                await db.upgrade(from_snapshot=False)
                async with db.engine.begin() as connection:
                    return await connection.run_sync(work)
            finally:
                await db.dispose()

    return asyncio.run(run())
