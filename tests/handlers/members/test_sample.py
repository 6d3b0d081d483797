from __future__ import annotations

from sqlalchemy import func, select

from bot.core.types import Role, UserRef
from handlers.members.sample import COMMUNITY_FILE, SampleCommunity, seed_sample_community
from storage.db import Database
from storage.models import Person
from storage.users import UserRepository
from tests.fakes import FakeClock


def test_the_sample_community_file_is_valid_and_fictional() -> None:
    community = SampleCommunity.load()
    assert len(community.people) >= 3
    assert "SAMPLE DATA" in COMMUNITY_FILE.read_text(encoding="utf-8")
    assert any(Role.MODERATOR in person.roles for person in community.people)


async def test_seeding_loads_once(db: Database, clock: FakeClock) -> None:
    assert await seed_sample_community(db, clock)
    assert not await seed_sample_community(db, clock)
    async with db.transaction() as session:
        count = await session.scalar(select(func.count()).select_from(Person))
        assert count == len(SampleCommunity.load().people)
        users = UserRepository(session)
        mod = await users.resolve(UserRef("console", "mod"), clock.now())
        amina = await users.resolve(UserRef("console", "amina"), clock.now())
    assert mod.role is Role.MODERATOR
    assert mod.display_name == "Maya Moderator"
    assert amina.role is Role.MEMBER
    assert amina.locale == "fr"
