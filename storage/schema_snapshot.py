"""A new SQLite database built from the schema at head, instead of by every migration.

The migrations stay the one truth about the schema: they upgrade every existing
database, and PostgreSQL is always built by them. But a *new* SQLite database (the
first ``copbot run``, each test's file) would import Alembic and run all of them, one
table rebuild after another, to arrive where the last one leaves every database: about
0.2 s and 11 MiB of a start-up whose whole budget is one second. As Rails loads
``schema.rb`` and Django a squashed migration, such a database is instead created from
:data:`SNAPSHOT`: the ``CREATE`` statements SQLite itself records in ``sqlite_master``
after the migrations ran, with the revision they reached.

The snapshot is written by ``copbot db snapshot`` from a scratch database the migrations
built. ``tests/storage/test_schema_snapshot.py`` fails when it is not what the current
migrations build. A snapshot of another revision than the migrations' head is never
used (the migrations run, as before).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlalchemy import Connection

#: The SQLite schema at the revision named on its first line.
SNAPSHOT = Path(__file__).parent / "migrations" / "head.sqlite.sql"

_HEADER = "-- copbot's SQLite schema at revision {revision}. Written by `copbot db snapshot`: do not edit.\n"
_REVISION = re.compile(r"^-- copbot's SQLite schema at revision (\S+)\.")
#: Kinds in the order they can be created: a trigger or index needs its table.
_KINDS = ("table", "index", "trigger", "view")


def snapshot_of(connection: Connection, revision: str) -> str:
    """The ``CREATE`` statements of the schema ``connection`` holds, as the snapshot file's text.

    Tables come first (virtual ones included, without the shadow tables SQLite makes for
    them), then indexes, triggers and views, each kind in the order it was created.
    SQLite's own objects (``sqlite_sequence``, automatic indexes) are left to SQLite.
    """
    shadow = {
        row[0]
        for row in connection.exec_driver_sql("SELECT name FROM pragma_table_list WHERE type = 'shadow'")
    }
    rows = connection.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\' ORDER BY rowid"
    ).all()
    statements = [
        f"{sql.strip()};\n"
        for kind in _KINDS
        for row_kind, name, sql in rows
        if row_kind == kind and name not in shadow
    ]
    return _HEADER.format(revision=revision) + "\n".join(statements)


def revision_of(text: str) -> str | None:
    """The revision a snapshot's text was written at (``None`` if it names none)."""
    found = _REVISION.match(text)
    return found.group(1) if found else None


def statements_of(text: str) -> list[str]:
    """The snapshot's statements, one each (a trigger's body keeps its inner ``;``)."""
    statements: list[str] = []
    pending = ""
    for line in text.splitlines(keepends=True):
        if not pending and (not line.strip() or line.startswith("--")):
            continue
        pending += line
        if sqlite3.complete_statement(pending):
            statements.append(pending.strip())
            pending = ""
    if pending.strip():
        raise ValueError(f"{SNAPSHOT.name} ends inside a statement: {pending[:80]!r}")
    return statements


def create_from_snapshot(connection: Connection, head: str) -> bool:
    """Build the schema at ``head`` on an empty database from :data:`SNAPSHOT`.

    Runs inside the caller's transaction (the migration's ``BEGIN IMMEDIATE``, so a second
    process starting on the same new file waits, then finds the schema built).

    Returns:
        whether it did; ``False`` (nothing done) when the database is not empty or the
        snapshot is missing or of another revision, so the migrations must run.
    """
    if connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
        return False
    try:
        text = SNAPSHOT.read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    if revision_of(text) != head:
        return False
    for statement in statements_of(text):
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql("INSERT INTO alembic_version (version_num) VALUES (?)", (head,))
    return True
