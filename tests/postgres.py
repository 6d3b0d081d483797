"""New, empty PostgreSQL databases for tests and benchmarks that run ``copbot run`` processes.

A schema (``tests/conftest.py``'s ``postgres_schema``) serves tests within this process;
processes that connect on their own, with leases and tokens of their own, get a whole
database, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

import asyncpg

#: The PostgreSQL server the tests use (SQLAlchemy URL).
POSTGRES_URL = os.environ.get("COPBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")


def dsn(url: str) -> str:
    """``url`` as asyncpg takes it (no SQLAlchemy driver name)."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


class Unreachable(Exception):
    """The PostgreSQL server does not answer."""


@contextlib.asynccontextmanager
async def fresh_database(prefix: str) -> AsyncIterator[str]:
    """A new, empty database named ``prefix`` and a random part; its SQLAlchemy URL.

    Raises:
        Unreachable: PostgreSQL does not answer at :data:`POSTGRES_URL`.
    """
    name = f"{prefix}_{os.urandom(5).hex()}"
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        admin = await asyncpg.connect(dsn(f"{base}/postgres"), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        raise Unreachable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}") from error
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
