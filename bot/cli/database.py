"""``copbot db``: the database schema (Alembic migrations)."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli.root import settings_of

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
    import tempfile

    from alembic import command

    from storage.db import Database, alembic_config

    async def generate() -> None:
        with tempfile.TemporaryDirectory() as scratch:
            db = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
            try:
                await db.upgrade(from_snapshot=False)
                async with db.engine.begin() as connection:
                    await connection.run_sync(
                        lambda sync: command.revision(
                            alembic_config(sync), message=message, autogenerate=True, rev_id=rev_id
                        )
                    )
            finally:
                await db.dispose()

    asyncio.run(generate())


@db_app.command("snapshot")
def db_snapshot() -> None:
    """For developers: write the SQLite schema at head that new databases are built from.

    The migrations build a scratch SQLite database; its schema is written to
    storage/migrations/head.sqlite.sql (see storage/schema_snapshot.py). Run it after
    adding or changing a migration, and commit the file with the migration.
    """
    import tempfile

    from storage.db import Database, head_revision
    from storage.schema_snapshot import SNAPSHOT, snapshot_of

    head = head_revision()
    if head is None:
        raise typer.BadParameter("the migrations do not name exactly one head revision")

    async def build() -> str:
        with tempfile.TemporaryDirectory() as scratch:
            db = Database(f"sqlite+aiosqlite:///{scratch}/scratch.db")
            try:
                await db.upgrade(from_snapshot=False)
                async with db.engine.connect() as connection:
                    return await connection.run_sync(snapshot_of, head)
            finally:
                await db.dispose()

    SNAPSHOT.write_text(asyncio.run(build()), encoding="utf-8")
    typer.echo(f"{SNAPSHOT} written at revision {head}")
