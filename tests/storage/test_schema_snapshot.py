"""A new SQLite database is built from the schema snapshot, and that is what the migrations build.

Every other SQLite test runs on a database built from the snapshot (``tests/conftest.py``'s
template), the wiki's full-text search and its triggers included.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Connection

import storage.schema_snapshot as snapshot
from storage.db import Database, head_revision
from storage.schema_snapshot import SNAPSHOT, create_from_snapshot, revision_of, snapshot_of, statements_of

_CONSTRAINT = re.compile(r"(CONSTRAINT|PRIMARY KEY|UNIQUE|FOREIGN KEY|CHECK)\b", re.IGNORECASE)


def _canonical(sql: str | None) -> str | None:
    """``sql`` with a table's constraints in a fixed order.

    Alembic's table rebuilds write a table's constraints in an order that changes from
    one process to the next (a set's), which SQLite does not care about; the columns'
    order it does, and it is kept.
    """
    if sql is None or not sql.upper().startswith("CREATE TABLE"):
        return sql
    head, _, body = sql.partition("(")
    body, _, tail = body.rpartition(")")
    items, depth, start, quoted = [], 0, 0, False
    for at, char in enumerate(body):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and depth == 0 and char == ",":
            items.append(body[start:at].strip())
            start = at + 1
    items.append(body[start:].strip())
    columns = [item for item in items if not _CONSTRAINT.match(item)]
    constraints = sorted(item for item in items if _CONSTRAINT.match(item))
    return f"{head.strip()} ({', '.join(columns + constraints)}){tail}"


def _master(connection: Connection) -> list[tuple[str, str, str | None]]:
    """Everything SQLite records of a schema, shadow and internal tables included.

    Automatic indexes are counted, not named: their numbers follow the constraints' order.
    """
    rows = connection.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master").all()
    return sorted(
        (kind, re.sub(r"^sqlite_autoindex_(.+)_\d+$", r"sqlite_autoindex_\1", name), _canonical(sql))
        for kind, name, _table, sql in rows
    )


async def _built(path: Path, *, from_snapshot: bool) -> tuple[list[tuple[str, str, str, str | None]], str]:
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        await db.upgrade(from_snapshot=from_snapshot)
        async with db.engine.connect() as connection:
            master = await connection.run_sync(_master)
            written = await connection.run_sync(snapshot_of, head_revision() or "")
        assert await db.current_revision() == head_revision()
        return master, written
    finally:
        await db.dispose()


async def test_the_snapshot_is_what_the_migrations_build(tmp_path: Path) -> None:
    migrated, written = await _built(tmp_path / "migrated.db", from_snapshot=False)
    stored = SNAPSHOT.read_text(encoding="utf-8")
    assert revision_of(stored) == head_revision(), "run `copbot db snapshot` and commit the file"
    assert sorted(map(_canonical, statements_of(stored))) == sorted(
        map(_canonical, statements_of(written))
    ), "run `copbot db snapshot` and commit the file"
    from_file, _ = await _built(tmp_path / "snapshot.db", from_snapshot=True)
    assert from_file == migrated  # tables, indexes, triggers, FTS shadow tables, sqlite_sequence
    assert any(kind == "trigger" for kind, *_ in from_file)


def test_statements_keep_a_triggers_body_whole() -> None:
    text = (
        "-- copbot's SQLite schema at revision 0099. Written by `copbot db snapshot`: do not edit.\n"
        "CREATE TABLE a (x INTEGER);\n\n"
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n    INSERT INTO a VALUES (1);\n    SELECT 1;\nEND;\n"
    )
    assert revision_of(text) == "0099"
    assert statements_of(text) == [
        "CREATE TABLE a (x INTEGER);",
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n    INSERT INTO a VALUES (1);\n    SELECT 1;\nEND;",
    ]
    with pytest.raises(ValueError, match="ends inside a statement"):
        statements_of("CREATE TABLE a (x INTEGER\n")


async def test_a_snapshot_of_another_revision_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "head.sqlite.sql"
    stale.write_text(
        "-- copbot's SQLite schema at revision 0001. Written by `copbot db snapshot`: do not edit.\n"
        "CREATE TABLE not_copbots (x INTEGER);\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(snapshot, "SNAPSHOT", stale)
    master, _ = await _built(tmp_path / "bot.db", from_snapshot=True)
    names = {name for _, name, _ in master}
    assert "not_copbots" not in names
    assert "applications" in names  # the migrations built it


async def test_only_an_empty_database_is_built_from_the_snapshot(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        async with db.engine.begin() as connection:
            await connection.exec_driver_sql("CREATE TABLE somebody_elses (x INTEGER)")
            assert not await connection.run_sync(create_from_snapshot, head_revision() or "")
            assert await connection.run_sync(_master) == [
                ("table", "somebody_elses", "CREATE TABLE somebody_elses (x INTEGER)")
            ]
    finally:
        await db.dispose()


def test_copbot_db_snapshot_writes_what_the_migrations_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from bot.cli import app

    written = tmp_path / "head.sqlite.sql"
    monkeypatch.setattr(snapshot, "SNAPSHOT", written)
    result = CliRunner().invoke(app, ["db", "snapshot"])
    assert result.exit_code == 0, result.output
    assert f"written at revision {head_revision()}" in result.output
    text = written.read_text(encoding="utf-8")
    assert revision_of(text) == head_revision()
    assert sorted(map(_canonical, statements_of(text))) == sorted(
        map(_canonical, statements_of(SNAPSHOT.read_text(encoding="utf-8")))
    )
