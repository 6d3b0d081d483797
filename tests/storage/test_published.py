"""The fingerprint of what the public site publishes: the same until a published thing changes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage.db import Database
from storage.models import Dialogue, MemberProfile, Reply
from storage.published import PublishedState
from storage.wiki.data import WikiEntryData
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock
from tests.site.builder import seed


async def _mark(db: Database, clock: FakeClock) -> str:
    async with db.transaction() as session:
        return await PublishedState(session).fingerprint(clock.now())


async def test_the_fingerprint_changes_with_each_published_thing_and_only_then(
    db: Database, clock: FakeClock
) -> None:
    ids = await seed(db, clock)
    first = await _mark(db, clock)
    assert await _mark(db, clock) == first
    clock.advance(timedelta(minutes=1))
    assert await _mark(db, clock) == first  # time alone: no prompt became due yet
    seen = {first}

    async def changed(statement: object = None) -> None:
        if statement is not None:
            async with db.transaction() as session:
                await session.execute(statement)  # type: ignore[call-overload]
        mark = await _mark(db, clock)
        assert mark not in seen
        seen.add(mark)

    clock.advance(timedelta(minutes=10))  # the sample's first prompt is due
    await changed()
    await changed(
        update(MemberProfile)
        .where(MemberProfile.person_id == ids["silent_member"])
        .values(quote_publicly=True)
    )
    await changed(
        update(MemberProfile).where(MemberProfile.person_id == ids["quoted_member"]).values(name="Zanele Q.")
    )
    await changed(update(Reply).where(Reply.person_id == ids["quoted_member"]).values(deleted_at=clock.now()))
    await changed(update(Dialogue).values(title={"en": "Renamed"}))
    await changed(update(Dialogue).values(status="closed"))
    async with db.transaction() as session:
        data = WikiEntryData.model_validate(
            {"slug": "new-entry", "kind": "material", "title": "New", "language": "en"}
        )
        await WikiRepository(session).upsert(data, clock.now())
    await changed()
    assert await _mark(db, clock) in seen
