from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from bot.core.types import Role, UserRef
from storage.db import Database
from storage.models import Identity, Person
from storage.users import UserRepository

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
ALICE = UserRef("telegram", "1001", "Alice", "es", "alice")


async def test_first_contact_creates_a_person_then_finds_them(db: Database) -> None:
    async with db.transaction() as session:
        created = await UserRepository(session).resolve(ALICE, NOW)
    async with db.transaction() as session:
        found = await UserRepository(session).resolve(ALICE, NOW)
    assert created.created
    assert not found.created
    assert (found.person_id, found.identity_id) == (created.person_id, created.identity_id)
    assert found.display_name == "Alice"
    assert found.role is Role.GUEST
    assert found.locale is None


async def test_profile_changes_reported_by_the_platform_are_kept(db: Database) -> None:
    async with db.transaction() as session:
        await UserRepository(session).resolve(ALICE, NOW)
    renamed = UserRef("telegram", "1001", "Alice B.", "fr", "aliceb")
    async with db.transaction() as session:
        await UserRepository(session).resolve(renamed, NOW + timedelta(minutes=1))
        identity = await UserRepository(session).find("telegram", "1001")
        assert identity is not None
        assert (identity.display_name, identity.username, identity.language) == ("Alice B.", "aliceb", "fr")


async def test_last_seen_is_refreshed_at_most_hourly(db: Database) -> None:
    async with db.transaction() as session:
        await UserRepository(session).resolve(ALICE, NOW)
    for minutes, expected in ((30, NOW), (61, NOW + timedelta(minutes=61))):
        async with db.transaction() as session:
            await UserRepository(session).resolve(ALICE, NOW + timedelta(minutes=minutes))
            identity = await UserRepository(session).find("telegram", "1001")
            assert identity is not None
            assert identity.last_seen_at == expected


async def test_roles_are_granted_and_revoked(db: Database) -> None:
    async with db.transaction() as session:
        users = UserRepository(session)
        person = (await users.resolve(ALICE, NOW)).person_id
        assert await users.grant(person, Role.MEMBER, NOW)
        assert not await users.grant(person, Role.MEMBER, NOW)
        assert await users.grant(person, Role.MODERATOR, NOW)
    async with db.transaction() as session:
        users = UserRepository(session)
        assert (await users.resolve(ALICE, NOW)).role is Role.MODERATOR
        assert await users.revoke(person, Role.MODERATOR)
        assert not await users.revoke(person, Role.MODERATOR)
        assert (await users.resolve(ALICE, NOW)).role is Role.MEMBER
        assert [i.platform_user_id for i in await users.with_role([Role.MEMBER])] == ["1001"]


async def test_one_person_may_have_several_identities(db: Database) -> None:
    matrix = UserRef("matrix", "@alice:example.org", "Alice")
    async with db.transaction() as session:
        users = UserRepository(session)
        person = (await users.resolve(ALICE, NOW)).person_id
        await users.link(matrix, person, NOW)
        await users.set_locale(person, "fr")
    async with db.transaction() as session:
        users = UserRepository(session)
        via_matrix = await users.resolve(matrix, NOW)
        assert via_matrix.person_id == person
        assert via_matrix.locale == "fr"
        assert [i.platform for i in await users.identities(person)] == ["telegram", "matrix"]


async def test_an_identity_belongs_to_one_person(db: Database) -> None:
    async with db.transaction() as session:
        await UserRepository(session).resolve(ALICE, NOW)
    with pytest.raises(IntegrityError):
        async with db.transaction() as session:
            users = UserRepository(session)
            other = (await users.resolve(UserRef("console", "bob"), NOW)).person_id
            await users.link(ALICE, other, NOW)


async def test_concurrent_first_contacts_create_one_person(db: Database) -> None:
    async def contact() -> int:
        async with db.transaction() as session:
            return (await UserRepository(session).resolve(ALICE, NOW)).person_id

    ids = await asyncio.gather(*(contact() for _ in range(8)))
    assert len(set(ids)) == 1
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        assert await session.scalar(select(func.count()).select_from(Identity)) == 1


async def test_deleting_a_person_deletes_their_identities_and_roles(db: Database) -> None:
    async with db.transaction() as session:
        users = UserRepository(session)
        person = (await users.resolve(ALICE, NOW)).person_id
        await users.grant(person, Role.MEMBER, NOW)
    async with db.transaction() as session:
        await session.delete(await session.get(Person, person))
    async with db.transaction() as session:
        assert await UserRepository(session).find("telegram", "1001") is None


async def test_cached_profiles_follow_changes_made_through_the_repository(db: Database) -> None:
    from storage.profiles import ProfileCache

    cache = ProfileCache()
    async with db.transaction() as session:
        person = (await UserRepository(session, cache).resolve(ALICE, NOW)).person_id
    async with db.transaction() as session:
        users = UserRepository(session, cache)
        assert (await users.resolve(ALICE, NOW)).role is Role.GUEST  # now cached
        await users.grant(person, Role.MODERATOR, NOW)
        assert users.changed == {person}
    async with db.transaction() as session:
        assert (await UserRepository(session, cache).resolve(ALICE, NOW)).role is Role.MODERATOR


async def test_a_person_s_country_is_stored(db: Database) -> None:
    async with db.transaction() as session:
        users = UserRepository(session)
        person = (await users.resolve(ALICE, NOW)).person_id
        await users.set_country(person, "KE")
    async with db.transaction() as session:
        stored = await UserRepository(session).person(person)
    assert stored is not None
    assert stored.country == "KE"


async def test_names_longer_than_the_columns_are_cut_not_refused(db: Database) -> None:
    long = UserRef("telegram", "77", "N" * 300, "x" * 300, "u" * 300)
    async with db.transaction() as session:
        first = await UserRepository(session).resolve(long, NOW)
    async with db.transaction() as session:
        again = await UserRepository(session).resolve(long, NOW + timedelta(hours=2))
        identity = (await session.execute(select(Identity))).scalar_one()
    assert again.person_id == first.person_id
    assert (len(identity.display_name), len(identity.username or ""), len(identity.language or "")) == (
        255,
        255,
        35,
    )
