"""The ``/stats`` figures on both backends, from seeded data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pycountry
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Role
from storage.db import Database
from storage.members.stats import Count, StatsRepository
from storage.models import Application, Dialogue, Person, Prompt, Reply, RoleGrant
from storage.regions import REGIONS, region_of, region_of_country, territory_name

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


def person(session: AsyncSession, country: str | None, *roles: Role, banned: bool = False) -> Person:
    someone = Person(display_name="x", country=country, created_at=NOW, banned_at=NOW if banned else None)
    someone.roles = [RoleGrant(role=role.label, granted_at=NOW) for role in roles]
    session.add(someone)
    return someone


async def dialogue(session: AsyncSession, status: str, end: date, *replies: int) -> None:
    """A dialogue whose prompts received ``replies`` (one deleted reply extra on each)."""
    made = Dialogue(
        title={"en": status}, start_date=date(2026, 1, 1), end_date=end, status=status, created_at=NOW
    )
    made.prompts = [
        Prompt(position=position, text={"en": f"Q{position}"}, post_at=NOW)
        for position in range(len(replies))
    ]
    session.add(made)
    await session.flush()
    for prompt, count in zip(made.prompts, replies, strict=True):
        for index in range(count + 1):
            session.add(
                Reply(
                    prompt_id=prompt.id,
                    platform="console",
                    chat_id="community",
                    message_id=f"{status}-{prompt.position}-{index}",
                    text="r",
                    created_at=NOW,
                    deleted_at=NOW if index == count else None,
                )
            )


async def seed(session: AsyncSession) -> None:
    for _ in range(3):
        person(session, "KE", Role.MEMBER)
    person(session, "fr", Role.MEMBER)  # stored lower case by an older import
    person(session, "FR", Role.MEMBER, Role.MODERATOR)
    person(session, "CO", Role.ADMIN)
    person(session, None, Role.MEMBER)
    person(session, "AQ", Role.MEMBER)  # Antarctica: in no M49 region
    person(session, "BR", Role.APPLICANT)  # not a member
    person(session, "BR")  # a guest
    person(session, "US", Role.MEMBER, banned=True)
    await session.flush()
    for status in ("submitted", "submitted", "approved", "rejected", "draft", "submitted"):
        someone = person(session, "DE", Role.APPLICANT)  # one open application per person
        await session.flush()
        session.add(
            Application(
                person_id=someone.id,
                platform="console",
                platform_user_id="x",
                status=status,
                created_at=NOW,
                updated_at=NOW,
            )
        )


async def test_members_by_country_and_region(db: Database) -> None:
    async with db.transaction() as session:
        await seed(session)
    async with db.transaction() as session:
        stats = StatsRepository(session)
        assert await stats.members_by_country() == [
            Count("KE", 3),
            Count("FR", 2),
            Count("AQ", 1),
            Count("CO", 1),
            Count(None, 1),
        ]
        assert await stats.members_by_region() == [
            Count("002", 3),
            Count("150", 2),
            Count("019", 1),
            Count(None, 2),
        ]


async def test_applications_by_status(db: Database) -> None:
    async with db.transaction() as session:
        await seed(session)
    async with db.transaction() as session:
        assert await StatsRepository(session).applications_by_status() == [
            Count("submitted", 3),
            Count("approved", 1),
            Count("draft", 1),
            Count("rejected", 1),
        ]


async def test_replies_per_prompt_of_the_open_dialogue(db: Database) -> None:
    async with db.transaction() as session:
        await dialogue(session, "closed", date(2026, 9, 1), 9)
        await dialogue(session, "open", date(2026, 3, 1), 4, 0, 2)
        await dialogue(session, "scheduled", date(2026, 12, 1), 7)
    async with db.transaction() as session:
        found = await StatsRepository(session).replies_per_prompt()
    assert found is not None
    assert (found.title, found.status) == ({"en": "open"}, "open")
    assert [(p.position, p.text, p.replies) for p in found.prompts] == [
        (0, {"en": "Q0"}, 4),
        (1, {"en": "Q1"}, 0),
        (2, {"en": "Q2"}, 2),
    ]


async def test_without_an_open_dialogue_the_latest_closed_one_counts(db: Database) -> None:
    async with db.transaction() as session:
        await dialogue(session, "closed", date(2026, 3, 1), 1)
        await dialogue(session, "closed", date(2026, 9, 1), 5, 3)
        await dialogue(session, "cancelled", date(2026, 10, 1), 8)
    async with db.transaction() as session:
        found = await StatsRepository(session).replies_per_prompt()
    assert found is not None
    assert [p.replies for p in found.prompts] == [5, 3]


async def test_every_open_dialogue_is_in_view_and_any_one_can_be_counted(db: Database) -> None:
    async with db.transaction() as session:
        await dialogue(session, "closed", date(2026, 9, 1), 9)
        await dialogue(session, "open", date(2026, 3, 1), 4, 0)
        await dialogue(session, "open", date(2026, 5, 1), 1)
    async with db.transaction() as session:
        stats = StatsRepository(session)
        ids = {d.end_date.month: d.id for d in await session.scalars(select(Dialogue))}
        assert [d.id for d in await stats.dialogues_in_view()] == [ids[3], ids[5]]
        closed = await stats.replies_per_prompt(ids[9])
        assert closed is not None
        assert [p.replies for p in closed.prompts] == [9]
        assert await stats.replies_per_prompt(max(ids.values()) + 1) is None
        await session.execute(update(Dialogue).values(status="closed"))
        assert [d.id for d in await stats.dialogues_in_view()] == [ids[9]]  # ended last


async def test_an_empty_community_has_no_figures(db: Database) -> None:
    async with db.transaction() as session:
        stats = StatsRepository(session)
        assert await stats.members_by_country() == []
        assert await stats.members_by_region() == []
        assert await stats.applications_by_status() == []
        assert await stats.replies_per_prompt() is None


def test_every_iso_country_but_antarctica_has_an_m49_region() -> None:
    mapping = region_of_country()
    assert {country.alpha_2 for country in pycountry.countries} - set(mapping) == {"AQ"}
    assert set(mapping.values()) == set(REGIONS)
    assert (region_of("ke"), region_of("MX"), region_of("JP"), region_of("NO"), region_of("NZ")) == REGIONS
    assert region_of(None) is None


def test_region_names_come_from_cldr_in_the_readers_language() -> None:
    assert territory_name("019", "fr") == "Amériques"
    assert territory_name("150", "es") == "Europa"
    assert territory_name("002", "en") == "Africa"
    assert territory_name("CO", "es") == "Colombia"
