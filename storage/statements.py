"""Statements built once, at import, for every database dialect copbot runs on.

The hot paths (the claim of every event, the lookup and first contact of a person, a
new draft, the draft an answer belongs to) execute prebuilt statements with bound
parameters: SQLAlchemy then skips constructing the statement and computing its cache key
on every call, which is a large share of what a small statement costs.
``INSERT ... ON CONFLICT DO NOTHING`` is spelled by each dialect's own ``insert``, so
those statements come as one per dialect, and :func:`for_session` picks the one the
session is bound to.

Statements are built on a ``Table``, not on the mapped class: an ORM insert given a
parameter dict becomes a bulk insert, which reports no row count and returns no row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, Table, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert, UpdateBase

T = TypeVar("T")
#: What :class:`Prebuilt` runs: a query or a DML statement.
Statement = Select[Any] | UpdateBase


def insert_into(
    table: Table, columns: Iterable[str], *, returning: Iterable[ColumnElement[Any]] = ()
) -> Insert:
    """A plain ``INSERT`` into ``table``, each of ``columns`` bound to a parameter of its name."""
    statement = insert(table).values(_bound(columns))
    found = tuple(returning)
    return statement.returning(*found) if found else statement


def insert_ignoring(
    table: Table, columns: Iterable[str], *, returning: Iterable[ColumnElement[Any]] = ()
) -> dict[str, Insert]:
    """``INSERT ... ON CONFLICT DO NOTHING`` into ``table``, one statement per dialect.

    Each of ``columns`` is bound to a parameter of the same name. A row that would break
    any unique constraint (or unique index, partial ones included) is not inserted: the
    row count is 0 and a ``RETURNING`` clause returns no row, and the transaction goes on
    (no error, so no savepoint is needed around it).
    """
    values = _bound(columns)
    found = tuple(returning)
    statements: dict[str, Insert] = {
        "postgresql": postgresql.insert(table).values(values).on_conflict_do_nothing(),
        "sqlite": sqlite.insert(table).values(values).on_conflict_do_nothing(),
    }
    if found:
        statements = {name: statement.returning(*found) for name, statement in statements.items()}
    return statements


def for_session(statements: Mapping[str, T], session: AsyncSession) -> T:
    """The statement of ``statements`` for the dialect ``session`` is bound to."""
    return statements[session.get_bind().dialect.name]


def _bound(columns: Iterable[str]) -> dict[str, Any]:
    return {column: bindparam(column) for column in columns}


#: A parameter of a compiled statement: its name, its type's bind processor, its fixed value.
_Bind = tuple[str, Callable[[Any], Any] | None, Any]
#: A column of a statement's result: its type's result processor, if it has one.
_Column = Callable[[Any], Any] | None


class Prebuilt:
    """A statement of the per-event path, run straight on SQLite's connection.

    A DML statement is run by :meth:`execute` (its row count); a ``SELECT``, or an
    ``INSERT ... RETURNING``, by :meth:`rows` (its rows as tuples, each value converted
    by its column's type as SQLAlchemy converts it: UTC datetimes, JSON).

    Through SQLAlchemy, the claim of an event or the save of a draft costs ~40 µs, of
    which SQLite's own work is ~3 µs: the rest is the execution context, the result
    object and the hand-offs of the async adapter. Here the statement is compiled once
    for the dialect, with the bind processors of its columns (UTC datetimes, JSON), and
    each call converts the parameters and runs the SQL on the ``sqlite3`` connection of
    the session's transaction, which the session has begun (``BEGIN IMMEDIATE``) as for
    any statement; a rollback or commit of the session covers it as usual.

    On PostgreSQL, or when the engine logs statements or has cursor listeners (tests
    count statements that way), the statement goes through SQLAlchemy as before. On the
    SQLite path a failure is ``sqlite3``'s own error, not SQLAlchemy's wrapper of it: the
    per-event statements are not expected to fail, and the unit of work handles any
    exception alike.

    Args:
        statements: the statement for each dialect name (see :func:`insert_ignoring`),
            or one statement for every dialect.
    """

    def __init__(self, statements: Mapping[str, Statement] | Statement) -> None:
        self.statements = statements
        self._sqlite: tuple[str, tuple[_Bind, ...], tuple[_Column, ...]] | None = None

    def statement(self, dialect: str) -> Statement:
        """The statement SQLAlchemy runs on ``dialect``."""
        if isinstance(self.statements, Mapping):
            return self.statements[dialect]
        return self.statements

    async def rows(self, session: AsyncSession, parameters: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run the statement in the session's transaction; returns its rows."""
        connection = await _connection_of(session)
        engine = connection.sync_engine
        if not _straight(engine):
            result = await connection.execute(self.statement(engine.dialect.name), dict(parameters))
            return [tuple(row) for row in result]
        sql, binds, columns = self._sqlite or self._compile(engine.dialect)
        found = _sqlite_of(connection).execute(sql, _values(binds, parameters)).fetchall()
        if not any(columns):
            return found
        return [
            tuple(
                value if process is None else process(value)
                for process, value in zip(columns, row, strict=True)
            )
            for row in found
        ]

    async def scalar(self, session: AsyncSession, parameters: Mapping[str, Any]) -> Any:
        """The first column of the statement's first row, or ``None`` if it has none."""
        found = await self.rows(session, parameters)
        return found[0][0] if found else None

    async def execute(self, session: AsyncSession, parameters: Mapping[str, Any]) -> int:
        """Run the statement in the session's transaction; returns the row count."""
        return await self._run(session, (parameters,))

    async def execute_many(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run the statement once per row of ``rows`` (``executemany``: no row count on asyncpg)."""
        if rows:
            await self._run(session, rows)

    async def _run(self, session: AsyncSession, rows: Sequence[Mapping[str, Any]]) -> int:
        connection = await _connection_of(session)
        engine = connection.sync_engine
        if not _straight(engine):
            parameters: Any = dict(rows[0]) if len(rows) == 1 else [dict(row) for row in rows]
            result = await connection.execute(self.statement(engine.dialect.name), parameters)
            return int(getattr(result, "rowcount", 0))
        sql, binds, _ = self._sqlite or self._compile(engine.dialect)
        raw = _sqlite_of(connection)
        if len(rows) == 1:
            return raw.execute(sql, _values(binds, rows[0])).rowcount
        return raw.executemany(sql, [_values(binds, row) for row in rows]).rowcount

    def _compile(self, dialect: Dialect) -> tuple[str, tuple[_Bind, ...], tuple[_Column, ...]]:
        compiled = self.statement(dialect.name).compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.post_compile_params:
            raise ValueError("a prebuilt statement's IN lists one literal() per value, not a list")
        assert compiled.positiontup is not None  # SQLite's parameters are positional
        by_name = compiled.binds  # by the name each parameter is rendered with
        binds = tuple(
            (
                name,
                by_name[name].type.dialect_impl(dialect).bind_processor(dialect),
                by_name[name].effective_value,
            )
            for name in compiled.positiontup
        )
        columns = tuple(
            column[3].dialect_impl(dialect).result_processor(dialect, None)
            for column in compiled._result_columns
        )
        self._sqlite = (compiled.string, binds, columns)
        return self._sqlite


def _values(binds: tuple[_Bind, ...], row: Mapping[str, Any]) -> list[Any]:
    """The statement's positional parameters for ``row``, converted by their types."""
    return [
        # fixed: a value written in the statement
        row.get(name, fixed) if process is None else process(row.get(name, fixed))
        for name, process, fixed in binds
    ]


def _sqlite_of(connection: AsyncConnection) -> sqlite3.Connection:
    """The ``sqlite3`` connection under ``connection``."""
    raw: sqlite3.Connection = connection.sync_connection.connection.driver_connection.connection  # type: ignore[union-attr]
    return raw


def _straight(engine: Engine) -> bool:
    """Whether a prebuilt statement may run straight on the engine's SQLite connection.

    Not on PostgreSQL, nor while statements are logged or watched (tests count them).
    """
    dispatch = engine.dispatch
    return not (
        engine.dialect.name != "sqlite"
        or engine.echo
        or dispatch.before_cursor_execute
        or dispatch.after_cursor_execute
    )


_CONNECTION = "copbot.prebuilt.connection"


async def _connection_of(session: AsyncSession) -> AsyncConnection:
    """The connection of the session's transaction, beginning it if need be.

    ``AsyncSession.connection`` hands over to a greenlet on every call; the connection
    is kept in the session's ``info`` for the rest of its transaction instead.
    """
    transaction = session.sync_session.get_transaction()
    kept = session.info.get(_CONNECTION)
    if kept is not None and transaction is not None and kept[0] is transaction and transaction.is_active:
        connection: AsyncConnection = kept[1]
        return connection
    connection = await session.connection()
    session.info[_CONNECTION] = (session.sync_session.get_transaction(), connection)
    return connection
