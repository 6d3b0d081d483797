"""Applications storage: drafts, their version check and the committed-draft cache, on every backend."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.core.types import UserRef
from storage.application.draft_cache import Draft, DraftCache, StaleDraft
from storage.application.repository import ApplicationAlreadyOpen, ApplicationRepository, Status
from storage.db import Database
from storage.models import Application, Person
from tests.fakes import FakeClock


async def new_person(db: Database, clock: FakeClock) -> int:
    async with db.transaction() as session:
        person = Person(display_name="Ana", created_at=clock.now())
        session.add(person)
        await session.flush()
        return person.id


async def test_a_write_based_on_an_old_read_is_refused(db: Database, clock: FakeClock) -> None:
    person_id = await new_person(db, clock)
    async with db.transaction() as session:
        draft = await ApplicationRepository(session).start(person_id, UserRef("console", "ana"), clock.now())
    async with db.transaction() as session:
        saved = await ApplicationRepository(session).save(draft, clock.now(), answers={"a": 1}, progress={})
    assert (saved.version, saved.answers) == (1, {"a": 1})
    with pytest.raises(StaleDraft):
        async with db.transaction() as session:
            await ApplicationRepository(session).save(draft, clock.now(), answers={"a": 2}, progress={})
    async with db.transaction() as session:
        assert await ApplicationRepository(session).draft_of(person_id) == saved


async def test_closed_drafts_are_gone_and_the_cache_ignores_late_puts(db: Database, clock: FakeClock) -> None:
    cache = DraftCache()
    person_id = await new_person(db, clock)
    async with db.transaction() as session:
        repository = ApplicationRepository(session, cache)
        draft = await repository.start(person_id, UserRef("console", "ana"), clock.now())
        saved = await repository.save(draft, clock.now(), answers={}, progress={"cursor": "x"})
    cache.put(saved)
    assert cache.get(person_id) == saved
    async with db.transaction() as session:
        await ApplicationRepository(session, cache).close(saved, Status.SUBMITTED, clock.now())
    cache.put(saved)  # a put queued before the close committed
    assert cache.get(person_id) is None
    async with db.transaction() as session:
        assert await ApplicationRepository(session, cache).draft_of(person_id) is None
        assert await ApplicationRepository(session).awaiting_decision(person_id) == saved.id


async def test_one_lookup_tells_a_draft_from_an_application_awaiting_a_decision(
    db: Database, clock: FakeClock
) -> None:
    person_id = await new_person(db, clock)
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        assert await repository.draft_of(person_id) is None
        assert await repository.awaiting_decision(person_id) is None
        draft = await repository.start(person_id, UserRef("console", "ana"), clock.now())
        assert await repository.awaiting_decision(person_id) is None  # being filled in
        await repository.close(draft, Status.SUBMITTED, clock.now())
        assert await repository.awaiting_decision(person_id) == draft.id  # in the same unit of work
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        assert await repository.draft_of(person_id) is None
        assert await repository.awaiting_decision(person_id) == draft.id
    async with db.transaction() as session:
        await session.execute(update(Application).values(status=Status.APPROVED.value))
    async with db.transaction() as session:
        assert await ApplicationRepository(session).awaiting_decision(person_id) is None


def test_the_cache_keeps_the_newest_version() -> None:
    cache = DraftCache()
    newer, older = Draft(1, 7, {"a": 2}, {}, 2), Draft(1, 7, {"a": 1}, {}, 1)
    cache.put(newer)
    cache.put(older)
    assert cache.get(7) == newer
    cache.put(Draft(2, 7, {}, {}, 0))  # a new application replaces the old one's entry
    assert cache.get(7) == Draft(2, 7, {}, {}, 0)


async def test_only_the_first_decision_counts(db: Database, clock: FakeClock) -> None:
    person_id = await new_person(db, clock)
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        draft = await repository.start(person_id, UserRef("console", "ana"), clock.now())
        await repository.close(draft, Status.SUBMITTED, clock.now(), answers={"x": 1})
    async with db.transaction() as session:
        first = await ApplicationRepository(session).decide(
            draft.id, Status.APPROVED, clock.now(), None, "Maya", None
        )
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        second = await repository.decide(draft.id, Status.REJECTED, clock.now(), None, "Omar", "late")
        decided = await repository.get(draft.id)
    assert (first, second) == (True, False)
    assert decided is not None
    assert (decided.status, decided.decided_by_name, decided.reason, decided.answers) == (
        "approved",
        "Maya",
        None,
        {"x": 1},
    )


async def test_the_database_allows_one_open_application_per_person(db: Database, clock: FakeClock) -> None:
    person_id = await new_person(db, clock)
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        first = await repository.start(person_id, UserRef("console", "ana"), clock.now())
        with pytest.raises(ApplicationAlreadyOpen):  # e.g. /apply from another platform at once
            await repository.start(person_id, UserRef("telegram", "7"), clock.now())
        assert (await repository.draft_of(person_id)) == first  # the transaction goes on
        await repository.close(first, Status.SUBMITTED, clock.now())
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        with pytest.raises(ApplicationAlreadyOpen):  # a submitted one still counts as open
            await repository.start(person_id, UserRef("console", "ana"), clock.now())
        await session.execute(
            update(Application).where(Application.id == first.id).values(status=Status.REJECTED.value)
        )
        again = await repository.start(person_id, UserRef("console", "ana"), clock.now())
    assert again.id != first.id


async def test_reload_sees_a_change_written_behind_the_loaded_row(db: Database, clock: FakeClock) -> None:
    person_id = await new_person(db, clock)
    async with db.transaction() as session:
        repository = ApplicationRepository(session)
        started = await repository.start(person_id, UserRef("console", "ana"), clock.now())
        loaded = await repository.get(started.id)
        assert loaded is not None
        await session.execute(
            update(Application)
            .where(Application.id == started.id)
            .values(status="approved", decided_by_name="Maya")
            .execution_options(synchronize_session=False)
        )
        assert loaded.status == "draft"
        await repository.reload(loaded)
        assert (loaded.status, loaded.decided_by_name) == ("approved", "Maya")


async def test_reviewers_are_moderators_and_the_configured_admins(db: Database, clock: FakeClock) -> None:
    from bot.core.types import Role
    from storage.users import UserRepository

    async with db.transaction() as session:
        users = UserRepository(session)
        maya = await users.resolve(UserRef("telegram", "7", "Maya"), clock.now())
        await users.resolve(UserRef("telegram", "8", "Omar"), clock.now())
        await users.grant(maya.person_id, Role.MODERATOR, clock.now())
    async with db.transaction() as session:
        found = await ApplicationRepository(session).reviewers(["console:admin"])
    assert [(user.key, locale) for user, locale in found] == [("telegram:7", None), ("console:admin", None)]
