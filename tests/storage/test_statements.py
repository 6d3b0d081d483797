"""Prebuilt statements: on SQLite straight on the connection, written as SQLAlchemy writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest
from sqlalchemy import Table, event, literal, select, text

from storage.db import Database
from storage.models import BotState
from storage.statements import Prebuilt, insert_ignoring, insert_into

NOW = datetime(2026, 9, 22, 9, 0, 0, 123456, tzinfo=UTC)
_TABLE = cast(Table, BotState.__table__)
_COLUMNS = ("key", "value", "updated_at")
VALUE = {"answers": {"name": "Ada", "languages": ["en", "fr"]}, "note": "é 中文", "n": 3}


async def test_a_prebuilt_statement_stores_what_sqlalchemy_stores(db: Database) -> None:
    prebuilt = Prebuilt(insert_into(_TABLE, _COLUMNS))
    async with db.transaction() as session:
        assert await prebuilt.execute(session, {"key": "prebuilt", "value": VALUE, "updated_at": NOW}) == 1
        await session.execute(
            prebuilt.statement(db.dialect), {"key": "orm", "value": VALUE, "updated_at": NOW}
        )
    async with db.transaction() as session:
        stored = {
            row.key: (str(row.value), str(row.updated_at))
            for row in await session.execute(text("SELECT key, value, updated_at FROM bot_state"))
        }
        assert stored["prebuilt"] == stored["orm"]  # the same JSON text, the same datetime format
        states = {state.key: state for state in await session.scalars(select(BotState))}
    assert states["prebuilt"].value == VALUE
    assert states["prebuilt"].updated_at == NOW


async def test_a_prebuilt_insert_ignoring_counts_only_new_rows_and_rolls_back_with_its_session(
    db: Database,
) -> None:
    prebuilt = Prebuilt(insert_ignoring(_TABLE, _COLUMNS))
    row: dict[str, Any] = {"key": "k", "value": 1, "updated_at": NOW}
    async with db.transaction() as session:
        assert await prebuilt.execute(session, row) == 1
        assert await prebuilt.execute(session, row | {"value": 2}) == 0
    try:
        async with db.transaction() as session:
            assert await prebuilt.execute(session, row | {"key": "gone"}) == 1
            raise RuntimeError
    except RuntimeError:
        pass
    async with db.transaction() as session:
        assert {state.key: state.value for state in await session.scalars(select(BotState))} == {"k": 1}


async def test_a_prebuilt_statement_goes_through_sqlalchemy_while_statements_are_watched(
    db: Database,
) -> None:
    seen: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    prebuilt = Prebuilt(insert_into(_TABLE, _COLUMNS))
    event.listen(db.engine.sync_engine, "before_cursor_execute", watch)
    try:
        async with db.transaction() as session:
            await prebuilt.execute(session, {"key": "watched", "value": None, "updated_at": NOW})
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", watch)
    assert any(statement.startswith("INSERT INTO bot_state") for statement in seen)


async def test_a_prebuilt_statement_runs_once_per_row(db: Database) -> None:
    prebuilt = Prebuilt(insert_into(_TABLE, _COLUMNS))
    rows = [{"key": f"row{n}", "value": {"n": n}, "updated_at": NOW} for n in range(3)]
    async with db.transaction() as session:
        await prebuilt.execute_many(session, rows)
    async with db.transaction() as session:
        stored = {state.key: state.value for state in await session.scalars(select(BotState))}
    assert stored == {f"row{n}": {"n": n} for n in range(3)}


async def test_a_prebuilt_query_reads_what_sqlalchemy_reads(db: Database) -> None:
    query = Prebuilt(
        select(_TABLE.c.key, _TABLE.c.value, _TABLE.c.updated_at)
        .where(_TABLE.c.key.in_([literal("a"), literal("b")]))
        .order_by(_TABLE.c.key)
    )
    new = Prebuilt(insert_ignoring(_TABLE, _COLUMNS, returning=(_TABLE.c.key, _TABLE.c.updated_at)))
    async with db.transaction() as session:
        assert await query.rows(session, {}) == []
        assert await query.scalar(session, {}) is None
        assert await new.rows(session, {"key": "a", "value": VALUE, "updated_at": NOW}) == [("a", NOW)]
        assert await new.rows(session, {"key": "a", "value": 1, "updated_at": NOW}) == []  # ignored
        assert await new.scalar(session, {"key": "b", "value": None, "updated_at": NOW}) == "b"
        found = await query.rows(session, {})
        expected = [tuple(row) for row in await session.execute(query.statement(db.dialect))]
    assert found == expected == [("a", VALUE, NOW), ("b", None, NOW)]
    assert found[0][2].tzinfo is not None  # converted by the column's type, as SQLAlchemy does


async def test_a_prebuilt_statement_refuses_an_expanding_in(db: Database) -> None:
    query = Prebuilt(select(_TABLE.c.key).where(_TABLE.c.key.in_(["a", "b"])))
    async with db.transaction() as session:
        if db.dialect == "sqlite":
            with pytest.raises(ValueError, match="literal"):
                await query.rows(session, {})
        else:  # through SQLAlchemy, which expands the list
            assert await query.rows(session, {}) == []
