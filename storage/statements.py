"""Statements built once, at import, for every database dialect copbot runs on.

The hot paths (the claim of every event, the first contact of a person, a new draft)
execute prebuilt statements with bound parameters: SQLAlchemy then skips constructing
the statement and computing its cache key on every call, which is a large share of what
a small statement costs. ``INSERT ... ON CONFLICT DO NOTHING`` is spelled by each
dialect's own ``insert``, so those statements come as one per dialect, and
:func:`for_session` picks the one the session is bound to.

Statements are built on a ``Table``, not on the mapped class: an ORM insert given a
parameter dict becomes a bulk insert, which reports no row count and returns no row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Table, bindparam, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert

T = TypeVar("T")


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
