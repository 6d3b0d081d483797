"""Fixtures shared by the whole suite.

``db`` runs a test once per storage backend: SQLite (a fresh WAL file per test) and
PostgreSQL (a schema of its own for the session, emptied before each test). Outside CI,
PostgreSQL tests are skipped with the reason when the server is unreachable; with
``CI=true`` they must run and an unreachable server fails them.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from storage.db import Database
from storage.models import Base
from tests.fakes import FakeClock, Harness
from tests.postgres import POSTGRES_URL

T = TypeVar("T")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "reliability: the reliability suite (tests/reliability; COPBOT_RELIABILITY=short|full sets its sizes)",
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"

    async def migrate() -> None:
        db = Database(f"sqlite+aiosqlite:///{path}")
        await db.upgrade()
        await db.dispose()

    _run_in_thread(migrate)
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A PostgreSQL schema for this session, migrated once and dropped at the end."""
    schema = f"copbot_test_{uuid.uuid4().hex[:10]}"

    async def prepare() -> str | None:
        admin = Database(POSTGRES_URL)
        try:
            async with admin.engine.begin() as connection:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except (TimeoutError, OSError, ConnectionError) as error:
            return f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}"
        except Exception as error:
            if "connect" in str(error).lower() or "refused" in str(error).lower():
                return f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}"
            raise
        finally:
            await admin.dispose()
        db = _postgres(schema)
        await db.upgrade()
        await db.dispose()
        return None

    problem = _run_in_thread(prepare)
    if problem is not None:
        if IN_CI:
            pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run)")
        pytest.skip(problem)
    yield schema

    async def drop() -> None:
        admin = Database(POSTGRES_URL)
        async with admin.engine.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()

    _run_in_thread(drop)


def _run_in_thread(function: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on a loop of its own.

    Session fixtures may first be needed from inside a test's running loop, where
    ``asyncio.run`` is not allowed.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, function()).result()


def _postgres(schema: str) -> Database:
    return Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture
async def instances(postgres_schema: str) -> AsyncIterator[list[Database]]:
    """Three instances' databases (each its own pool) on one emptied PostgreSQL schema."""
    settings = {"server_settings": {"search_path": postgres_schema}}
    databases = [Database(POSTGRES_URL, connect_args=settings) for _ in range(3)]
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with databases[0].engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield databases
    for database in databases:
        await database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "copbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        database = Database(f"sqlite+aiosqlite:///{path}")
    else:
        database = _postgres(request.getfixturevalue("postgres_schema"))
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield database
    await database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def harness(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    """A running bot on the console platform, on each storage backend."""
    running = await Harness.start(db, tmp_path, clock=clock)
    yield running
    await running.stop()
