"""Engines, transactions and migrations for SQLite and PostgreSQL.

SQLite is opened in WAL mode with foreign keys on, ``synchronous=NORMAL`` and a busy
timeout. Every SQLite transaction starts with ``BEGIN IMMEDIATE``: it takes the write
lock up front, so two writers wait for each other instead of failing with "database is
locked" when a reader tries to upgrade. Within one process a single connection serves
all transactions in turn: SQLite has one writer anyway, and an asyncio queue is
cheaper than the busy-wait of several connections. Statements run on the event loop's
thread (:mod:`storage.sqlite` explains why and how waiting stays asynchronous).

Transactions are short by construction: handlers do no network I/O while one is open
(see :mod:`bot.core.context`). Never open a transaction inside another one.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from storage.sqlite import InlineConnection

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger(__name__)

#: The PostgreSQL advisory lock key held while migrating (``copbot`` in ASCII).
MIGRATION_LOCK = 0x636F70626F74

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA secure_delete=ON",  # erased personal data is overwritten, not left in free pages
)


class Database:
    """One database: its engine, its sessions and its migrations.

    Args:
        url: an SQLAlchemy async URL (``sqlite+aiosqlite:///copbot.db``,
            ``postgresql+asyncpg://user@host/db``).
        connect_args: passed to the driver (tests set a PostgreSQL ``search_path``).
        echo: log every statement.
    """

    def __init__(
        self, url: str, *, connect_args: Mapping[str, Any] | None = None, echo: bool = False
    ) -> None:
        self.url = make_url(url)
        self.dialect = self.url.get_backend_name()
        self.connect_args = dict(connect_args or {})
        options: dict[str, Any] = {"echo": echo, "connect_args": self.connect_args}
        if self.dialect == "sqlite":
            database = self.url.database or ""
            if database and database != ":memory:" and not database.startswith("file:"):
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            options.update(
                poolclass=AsyncAdaptedQueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                async_creator=lambda: InlineConnection.open(database, SQLITE_PRAGMAS),
            )
        else:
            options.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        self.engine: AsyncEngine = create_async_engine(self.url, **options)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside a transaction: committed on exit, rolled back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def upgrade(self, revision: str = "head", *, from_snapshot: bool = True) -> None:
        """Apply the Alembic migrations up to ``revision``, one process at a time.

        Two processes starting on an empty database must not both create the tables. On
        PostgreSQL the migrations run under a transaction-level advisory lock
        (:data:`MIGRATION_LOCK`): the second waits, then finds the schema at head. On
        SQLite the transaction's ``BEGIN IMMEDIATE`` already holds the file's write lock
        from the start, which serialises them the same way.

        A schema already at the one head revision is recognised without Alembic (whose
        import and script loading cost a start-up ~0.3 s): only then is nothing done. A
        new SQLite database is built from the schema snapshot at head
        (:mod:`storage.schema_snapshot`) unless ``from_snapshot`` is false.
        """
        head = head_revision() if revision == "head" else None
        if head is not None and await self._at_head(head):
            return
        async with self.engine.begin() as connection:
            if self.dialect == "postgresql":
                await connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
            elif head is not None and from_snapshot:
                from storage.schema_snapshot import create_from_snapshot

                if await connection.run_sync(create_from_snapshot, head):
                    return
            await connection.run_sync(_run_alembic, "upgrade", revision)

    async def _at_head(self, head: str) -> bool:
        """Whether the stored ``alembic_version`` is exactly ``head``, the migrations' single one."""
        async with self.engine.connect() as connection:
            try:
                stored = (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).all()
            except DBAPIError:  # no such table yet: an empty database, Alembic creates it
                await connection.rollback()
                return False
        return [row[0] for row in stored] == [head]

    async def current_revision(self) -> str | None:
        """The revision the schema is at, or ``None`` for an empty database."""
        async with self.engine.connect() as connection:
            return await connection.run_sync(_current_revision)

    async def dispose(self) -> None:
        await self.engine.dispose()


_REVISION = re.compile(r"^revision(?:: *[\w|\[\], ]+)? *= *[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN = re.compile(r"^down_revision(?:: *[\w|\[\], ]+)? *= *(.+)$", re.MULTILINE)


@cache
def head_revision() -> str | None:
    """The migrations' head, read from the files' ``revision``/``down_revision`` lines.

    Returns:
        The single head, or ``None`` when the files do not name exactly one (then Alembic
        decides, as it always may).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None:
            return None
        revisions.add(revision.group(1))
        parents.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for our migrations, bound to ``connection`` if given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.set_main_option("truncate_slug_length", "30")
    config.attributes["connection"] = connection
    return config


def _run_alembic(connection: Connection, verb: str, revision: str) -> None:
    from alembic import command

    getattr(command, verb)(alembic_config(connection), revision)


def _current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _configure_sqlite(engine: AsyncEngine) -> None:
    # The connection is opened in autocommit mode with its pragmas applied
    # (InlineConnection.open), so every transaction starts here, and as a writer.
    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


async def checkpoint_wal(engine: AsyncEngine, *, attempts: int = 40, pause: float = 0.05) -> bool:
    """On SQLite, copy the write-ahead log into the database file and empty it.

    Run after a transaction that erased data: until a checkpoint, the WAL keeps the pages
    as they were before the erasure (SQLite checkpoints on its own only once the log has
    grown, and never truncates it). ``TRUNCATE`` cannot finish while another process
    reads an older snapshot, so it is retried for ``attempts * pause`` seconds, without
    blocking the loop. PostgreSQL has no such file: nothing to do.

    Args:
        engine: the bot's engine (the checkpoint runs on its own connection).
        attempts: how many times to try.
        pause: seconds between tries.

    Returns:
        whether the log was emptied.
    """
    if engine.dialect.name != "sqlite":
        return True
    for _ in range(attempts):
        async with engine.connect() as connection:
            # outside any transaction: SQLAlchemy would begin one (BEGIN IMMEDIATE) on execute
            raw = await connection.get_raw_connection()
            inline = raw.driver_connection
            assert isinstance(inline, InlineConnection)
            busy, _, _ = inline.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return True
        await asyncio.sleep(pause)
    log.warning("the SQLite WAL could not be checkpointed: a reader kept it busy")
    return False
