"""One applicant's answers reaching two instances on one PostgreSQL database (a webhook
behind a load balancer): the form goes on as it would on one, whatever instance gets which
answer, and two answers handled at the same moment by two instances are both kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage.application.draft_cache import DraftCache
from storage.db import Database
from storage.models import Application, Base
from storage.profiles import SHARED_TTL, ProfileCache
from tests.conftest import POSTGRES_URL
from tests.fakes import FakeClock, Harness, form_answers

pytestmark = pytest.mark.postgres
FAST = {"rate": 1e6, "burst": 10**6}
CONFLICT = "Your form changed in the meantime"


@pytest.fixture
async def two(postgres_schema: str, tmp_path: Path) -> AsyncIterator[tuple[Harness, Harness]]:
    """Two bots, each with its own connection pool, on one emptied PostgreSQL schema."""
    settings = {"server_settings": {"search_path": postgres_schema}}
    databases = [Database(POSTGRES_URL, connect_args=settings) for _ in range(2)]
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with databases[0].engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    clock = FakeClock()
    bots = [
        await Harness.start(db, tmp_path / str(n), clock=clock, flood=FAST) for n, db in enumerate(databases)
    ]
    yield bots[0], bots[1]
    for bot in bots:
        await bot.stop()
    for db in databases:
        await db.dispose()


async def answers_of(bot: Harness) -> dict[str, object]:
    async with bot.bot.db.transaction() as session:
        application = await session.scalar(select(Application))
        assert application is not None
        return dict(application.answers)


async def test_instances_share_nothing_they_cache_of_drafts(two: tuple[Harness, Harness]) -> None:
    a, _ = two
    assert not a.bot.shared.exclusive
    cache = a.bot.shared.get(DraftCache)
    assert not cache.exclusive
    assert a.bot.shared.get(ProfileCache).ttl == SHARED_TTL  # a role or a ban seen within 2 s


async def test_answers_alternating_between_instances_fill_the_form(two: tuple[Harness, Harness]) -> None:
    a, b = two
    printed = await a.say("/apply")
    for number, answer in enumerate(form_answers()):
        printed = await (b if number % 2 == 0 else a).say(answer)
        assert not any(CONFLICT in line for line in printed), (answer, printed)
    assert (
        printed[0] == "[alice] Please check your answers. Press a field to change it, or Submit to send them."
    )
    assert "  Country: Kenya (KE)" in printed
    assert "  Training languages: English, French" in printed
    answers = await answers_of(a)
    assert answers["full_name"] == "Alice Doe"
    assert answers["email"] == "alice@example.org"


async def test_two_answers_at_once_on_two_instances_are_both_kept(two: tuple[Harness, Harness]) -> None:
    a, b = two
    await a.say("/apply")
    await b.say("Alice Doe")
    await a.say("alice@example.org")
    # The organisation and role steps both take free text: whichever instance goes first
    # answers the organisation, the other (waiting on the row lock) the role.
    await asyncio.gather(a.console.feed("Independent", "alice"), b.console.feed("Trainer", "alice"))
    await asyncio.gather(a.bot.drain(), b.bot.drain())
    printed = a.console.take() + b.console.take()
    assert not any(CONFLICT in line for line in printed), printed
    answers = await answers_of(a)
    assert {answers["organisation"], answers["position"]} == {"Independent", "Trainer"}
    assert any("country" in line.lower() for line in printed), printed
