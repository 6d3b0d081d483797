"""Lease rows and the shared rate budget, on every storage backend."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from storage.db import Database
from storage.events import ProcessedEvents
from storage.leases import Leases
from storage.rate_budget import OVERALL, RateBudgets
from tests.conftest import POSTGRES_URL

NOW = 1_000_000.0


async def test_a_lease_has_one_holder_until_it_expires(db: Database) -> None:
    async with db.transaction() as session:
        first = await Leases(session).acquire("poll", "a", NOW, 7.0)
        assert await Leases(session).acquire("poll", "b", NOW + 1, 7.0) is None
    assert first is not None
    assert first.token == 1

    async with db.transaction() as session:
        renewed = await Leases(session).renew(first, NOW + 5, 7.0)
        assert await Leases(session).acquire("poll", "b", NOW + 8, 7.0) is None  # renewed until +12
        assert await Leases(session).holders(NOW + 8) == {"poll": "a"}
    assert renewed is not None
    assert renewed.expires_at == NOW + 12

    async with db.transaction() as session:
        taken = await Leases(session).acquire("poll", "b", NOW + 13, 7.0)
        lost = await Leases(session).renew(renewed, NOW + 13, 7.0)  # too late: b holds it now
    assert taken is not None
    assert taken.holder == "b"
    assert taken.token == 2
    assert lost is None


async def test_a_released_lease_is_free_at_once_and_a_stale_holder_cannot_renew(db: Database) -> None:
    async with db.transaction() as session:
        held = await Leases(session).acquire("jobs", "a", NOW, 7.0)
    assert held is not None
    async with db.transaction() as session:
        await Leases(session).release(held)
        taken = await Leases(session).acquire("jobs", "b", NOW + 0.1, 7.0)
    assert taken is not None
    assert taken.token == 2
    async with db.transaction() as session:
        assert await Leases(session).renew(held, NOW + 0.2, 7.0) is None  # a's token is stale
        assert await Leases(session).renew(taken, NOW + 0.2, 7.0) is not None


async def test_the_rate_budget_spaces_reservations_and_a_pause_holds_them(db: Database) -> None:
    async with db.transaction() as session:
        budgets = RateBudgets(session)
        slots = [await budgets.reserve("telegram", OVERALL, NOW, 0.5) for _ in range(4)]
        chat = [await budgets.reserve("telegram", "user:1", NOW, 1.0) for _ in range(2)]
        other = await budgets.reserve("telegram", "user:2", NOW, 1.0)
        await budgets.pause("telegram", NOW + 10)
        after_pause = await budgets.reserve("telegram", OVERALL, NOW, 0.5)
        assert await budgets.paused_until("telegram") == NOW + 10
        assert await budgets.paused_until("matrix") == 0.0
    assert slots == [NOW, NOW + 0.5, NOW + 1.0, NOW + 1.5]
    assert chat == [NOW, NOW + 1.0]
    assert other == NOW
    assert after_pause == NOW + 10


@pytest.mark.postgres
async def test_two_instances_claim_one_event_once(postgres_schema: str) -> None:
    """Webhook mode: the same update reaches two instances at once; one handles it."""
    instances = [Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": postgres_schema}})]
    instances.append(Database(POSTGRES_URL, connect_args=instances[0].connect_args))
    event = f"update:{uuid.uuid4().hex}"
    results: list[bool] = []

    async def claim(database: Database) -> None:
        async with database.transaction() as session:
            results.append(await ProcessedEvents(session).claim("telegram", event, datetime.now(UTC)))
            await asyncio.sleep(0.2)  # both transactions are open at once

    try:
        await asyncio.gather(*(claim(database) for database in instances))
    finally:
        for database in instances:
            await database.dispose()
    assert sorted(results) == [False, True]
