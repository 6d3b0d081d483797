"""Sizes by mode, the figures' recorder and fresh PostgreSQL databases for subprocesses."""

from __future__ import annotations

import json
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from tests.conftest import IN_CI, POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]
MODE = os.environ.get("COPBOT_RELIABILITY", "short")
if MODE not in ("short", "full"):
    raise pytest.UsageError(f"COPBOT_RELIABILITY must be short or full, not {MODE!r}")
#: Where the figures go, one JSON object a line (the report reads them).
LOG = Path(os.environ.get("COPBOT_RELIABILITY_LOG", ROOT / "var" / "reliability" / f"{MODE}.jsonl"))


@dataclass(frozen=True, slots=True)
class Sizes:
    """How much each scenario does in this mode."""

    form_kills: int
    #: a PostgreSQL subprocess starts slower: fewer kills in the short run
    form_kills_postgres: int
    broadcast: int
    pending_updates: int
    storm_users: int
    fuzzed: int
    replayed: int


SIZES = {
    "short": Sizes(
        form_kills=3,
        form_kills_postgres=1,
        broadcast=1_000,
        pending_updates=100,
        storm_users=40,
        fuzzed=1_000,
        replayed=50,
    ),
    "full": Sizes(
        form_kills=40,
        form_kills_postgres=40,
        broadcast=10_000,
        pending_updates=1_000,
        storm_users=300,
        fuzzed=100_000,
        replayed=500,
    ),
}[MODE]
#: ``COPBOT_RELIABILITY_SIZES="fuzzed=20000,form_kills_postgres=10"`` overrides some sizes
#: (a shorter full run, said so in its report).
if overrides := os.environ.get("COPBOT_RELIABILITY_SIZES", ""):
    SIZES = replace(
        SIZES, **{k.strip(): int(v) for k, v in (pair.split("=") for pair in overrides.split(","))}
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    outcome = "failed" if hasattr(report, "wasxfail") else report.outcome  # a known failure fails here
    item.stash.setdefault(_OUTCOMES, {})[report.when] = outcome
    return report


_OUTCOMES = pytest.StashKey[dict[str, str]]()


class Figures:
    """The figures of one scenario on one database; written when the test ends."""

    def __init__(self, scenario: str, database: str) -> None:
        self.scenario = scenario
        self.database = database
        self.values: dict[str, Any] = {}
        self.started = time.monotonic()

    def __setitem__(self, name: str, value: Any) -> None:
        self.values[name] = value

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def add(self, name: str, amount: int = 1) -> None:
        self.values[name] = self.values.get(name, 0) + amount


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Iterator[Figures]:
    """The scenario's recorder: set ``figures.scenario``/``database`` and the figures."""
    node = request.node
    params = getattr(node, "callspec", None)
    database = str(params.params.get("db", params.params.get("backend", "-"))) if params else "-"
    recorder = Figures(node.originalname.removeprefix("test_").replace("_", " "), database)
    yield recorder
    outcome = node.stash.get(_OUTCOMES, {}).get("call", "error")
    if outcome == "skipped":
        return
    LOG.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "scenario": recorder.scenario,
        "database": recorder.database,
        "mode": MODE,
        "figures": recorder.values,
        "passed": outcome == "passed",
        "seconds": round(time.monotonic() - recorder.started, 1),
    }
    with LOG.open("a", encoding="utf-8") as log:
        log.write(json.dumps(line, ensure_ascii=False) + "\n")


def _dsn() -> str:
    """The test database's asyncpg DSN."""
    return POSTGRES_URL.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture
async def postgres_database() -> Any:
    """A new, empty PostgreSQL schema for a subprocess bot; the SQLAlchemy URL that uses it.

    The URL logs in as a role of the schema's name whose ``search_path`` is that schema
    alone (tables another run left in ``public`` stay out of sight). A database per test
    would cost a ``DROP DATABASE``, which waits for a checkpoint: 40-50 s on a busy server.
    """
    name = f"copbot_reliab_{uuid.uuid4().hex[:10]}"
    try:
        admin = await asyncpg.connect(_dsn(), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error}")
    try:
        await admin.execute(f"CREATE ROLE \"{name}\" LOGIN PASSWORD '{name}'")
        await admin.execute(f'CREATE SCHEMA "{name}" AUTHORIZATION "{name}"')
        await admin.execute(f'ALTER ROLE "{name}" SET search_path = "{name}"')
        yield re.sub(r"//[^@/]*@", f"//{name}:{name}@", POSTGRES_URL, count=1)
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", name)
        await admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        await admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    finally:
        await admin.close()


# The Matrix scenarios share the Matrix tests' fixtures: one Synapse for the session.
from tests.platforms.matrix.conftest import bots, members, synapse  # noqa: E402, F401
