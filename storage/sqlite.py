"""SQLite on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call on a worker thread. SQLAlchemy's adapter makes three or four
such calls per statement (cursor, execute, fetch, close), and under load each hand-off
also waits for the GIL: measured here, ~500 µs per statement through SQLAlchemy, where
the statement itself costs SQLite ~7 µs. A bot's statements are tiny, so copbot runs
them directly on the loop's thread instead: :class:`InlineConnection` offers the async
API the aiosqlite dialect expects, without the thread.

The one statement that can wait for long is ``BEGIN IMMEDIATE``, when another process
holds the write lock. That wait must not freeze the loop, so SQLite's own busy handler
is kept short and :meth:`InlineCursor.execute` retries ``BEGIN`` with ``asyncio.sleep``
until :data:`BEGIN_TIMEOUT` has passed.

Queries that may run long (full-text ranking over a large wiki) belong in a thread of
their own; see ``storage/db.py``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterable, Sequence
from typing import Any, Self

#: How long a transaction may wait for another process's write lock in total.
BEGIN_TIMEOUT = 10.0
#: SQLite's own (blocking) busy wait, kept short: it stalls the whole loop.
BLOCKING_BUSY_MS = 20


class InlineCursor:
    """An aiosqlite-style cursor over a ``sqlite3.Cursor``; every call completes at once."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> Self:
        if sql.lstrip()[:5].upper() == "BEGIN":
            await self._begin(sql)
        elif parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def _begin(self, sql: str) -> None:
        deadline = time.monotonic() + BEGIN_TIMEOUT
        pause = 0.001
        while True:
            try:
                self._cursor.execute(sql)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.05)

    async def executemany(self, sql: str, rows: Iterable[Sequence[Any] | dict[str, Any]]) -> Self:
        self._cursor.executemany(sql, rows)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """An aiosqlite-style connection over a ``sqlite3.Connection`` in autocommit mode.

    Transactions are begun explicitly (``BEGIN IMMEDIATE``, see ``storage/db.py``).
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection

    @classmethod
    async def open(cls, database: str, pragmas: Iterable[str] = ()) -> InlineConnection:
        connection = sqlite3.connect(
            database, isolation_level=None, check_same_thread=False, uri=database.startswith("file:")
        )
        for pragma in pragmas:
            connection.execute(pragma)
        connection.execute(f"PRAGMA busy_timeout={BLOCKING_BUSY_MS}")
        return cls(connection)

    @property
    def _connection(self) -> sqlite3.Connection | None:
        # SQLAlchemy's adapter checks this to know whether the connection is open.
        return self._conn

    @property
    def connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self.connection.isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self.connection.cursor())

    async def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None
    ) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("COMMIT")

    async def rollback(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self.connection.create_function(*args, **kwargs)

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def stop(self) -> None:
        """Close at once (SQLAlchemy's terminate, from garbage collection)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
