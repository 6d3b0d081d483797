"""Moderation: who may do what, and what each command does, on both storage backends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.types import ChatRef, IncomingMessage, Role, UserRef
from storage.db import Database
from storage.models import Application, AuditEntry
from storage.users import UserRepository
from tests.fakes import FakeClock, Harness, add_people

MODERATOR_COMMANDS = [
    "/members",
    "/member @amina",
    "/ban @amina spam",
    "/unban @amina",
    "/remove @amina",
    "/announce hello",
    "/audit",
]


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness = await Harness.start(db, tmp_path, clock=clock)
    now = clock.now()
    async with db.transaction() as session:
        await add_people(
            session,
            now,
            (
                ("mod", [Role.MEMBER, Role.MODERATOR], "KE"),
                ("amina", [Role.MEMBER], "FR"),
                ("carlos", [Role.MEMBER], "CO"),
                ("applicant", [Role.APPLICANT], None),
            ),
        )
    yield harness
    await harness.stop()


@pytest.mark.parametrize("who", ["guest", "applicant", "carlos"])
@pytest.mark.parametrize("command", MODERATOR_COMMANDS)
async def test_moderator_commands_are_refused_below_moderator(
    community: Harness, who: str, command: str
) -> None:
    name = command.split()[0]
    assert await community.say(command, as_=who) == [f"[{who}] Sorry, {name} is for moderators only."]


async def test_refusals_are_audited_and_a_borrowed_display_name_gets_nothing(
    community: Harness, db: Database
) -> None:
    spoof = IncomingMessage(
        event_id="spoof-1",
        sender=UserRef("console", "evil", "Mod", username="evil"),
        chat=ChatRef("console", "evil"),
        is_direct=True,
        text="/ban @amina",
    )
    await community.bot.handle(spoof)
    await community.bot.drain()
    assert community.console.take() == ["[evil] Sorry, /ban is for moderators only."]
    async with db.transaction() as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")))
    assert [(e.actor, e.target) for e in entries] == [("console:evil", "ban")]


@pytest.mark.parametrize("command", ["/promote @amina", "/demote @mod"])
async def test_admin_commands_are_refused_to_moderators(community: Harness, command: str) -> None:
    name = command.split()[0]
    assert await community.say(command, as_="mod") == [f"[mod] Sorry, {name} is for admins only."]


async def test_promote_and_demote(community: Harness) -> None:
    assert await community.say("/promote @amina", as_="admin") == ["[admin] Amina (#2) is now a moderator."]
    assert await community.say("/promote #2", as_="admin") == ["[admin] Amina (#2) is already a moderator."]
    assert (await community.say("/members", as_="amina"))[0].startswith("[amina] People 1-")
    assert await community.say("/demote console:amina", as_="admin") == [
        "[admin] Amina (#2) is no longer a moderator."
    ]
    assert await community.say("/members", as_="amina") == ["[amina] Sorry, /members is for moderators only."]


async def test_people_are_named_by_id_username_or_number_never_by_display_name(community: Harness) -> None:
    for reference in ("#2", "2", "console:amina", "@amina", "@AMINA"):
        assert (await community.say(f"/member {reference}", as_="mod"))[0] == "[mod] Member #2: Amina"
    assert await community.say("/member Amina", as_="mod") == ["[mod] I know no one as Amina."]
    assert await community.say("/member #99", as_="mod") == ["[mod] I know no one as #99."]
    assert (await community.say("/member", as_="mod"))[0].startswith("[mod] Name the person:")


async def test_member_profile_in_the_moderators_language(community: Harness) -> None:
    assert await community.say("/member @amina", as_="mod", lang="fr") == [
        "[mod] Membre n° 2 : Amina",
        "  Rôles : membre",
        "  Langue : -. Pays : France.",
        "  Comptes : console:amina (@amina)",
        "  Connu depuis le 22 sept. 2026.",
    ]
    assert (await community.say("/member @carlos", as_="mod", lang="es"))[2] == "  Idioma: -. País: Colombia."


async def test_ban_silences_and_unban_restores(community: Harness) -> None:
    await community.say("/ban @amina spamming the threads", as_="mod")
    assert await community.say("#1", as_="mod") == [
        "[mod] Amina (#2) is banned.",
        "[community] (removed) amina",  # after the reply: platform effects run after commit
    ]
    assert await community.say("/help", as_="amina") == []
    profile = await community.say("/member @amina", as_="mod")
    assert any("spamming the threads" in line for line in profile)
    assert (await community.say("/unban @amina", as_="mod"))[0].startswith(
        "[mod] Amina (#2) is no longer banned."
    )
    assert (await community.say("/help", as_="amina"))[0].startswith("[amina] ")


async def test_moderators_cannot_act_against_moderators_or_admins(community: Harness) -> None:
    assert await community.say("/ban @mod", as_="mod") == ["[mod] Sorry, you cannot do that to Mod."]
    await community.say("/help", as_="admin")
    assert await community.say("/remove @admin", as_="mod") == ["[mod] Sorry, you cannot do that to admin."]


@pytest.mark.parametrize("command", ["ban", "remove"])
@pytest.mark.parametrize(
    ("actor", "target", "protects"),
    [("mod", "admin", "admin"), ("mod", "amina", "moderator"), ("mod", "mod", "self")],
)
async def test_refusals_that_protect_admins_and_moderators_are_audited(
    community: Harness, db: Database, command: str, actor: str, target: str, protects: str
) -> None:
    await community.say("/help", as_="admin")  # the bot knows the admin now
    await community.say("/promote @amina", as_="admin")  # another moderator
    lines = await community.say(f"/{command} @{target} no reason", as_=actor)
    assert len(lines) == 1
    assert lines[0].startswith(f"[{actor}] Sorry, you cannot do that to ")
    async with db.transaction() as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "access.denied")))
        [person] = await UserRepository(session).lookup(f"@{target}")
    assert [(e.actor, e.target, e.details) for e in entries] == [
        (
            f"console:{actor}",
            command,
            {"person": f"person:{person.id}", "protects": protects, "role": "moderator"},
        )
    ]
    assert person.banned_at is None


async def test_remove_revokes_membership(community: Harness) -> None:
    assert await community.say("/remove @carlos left the field", as_="mod") == [
        "[mod] Carlos (#3) is no longer a member.",
        "[community] (removed) carlos",
    ]
    assert await community.say("/remove @carlos", as_="mod") == ["[mod] Carlos (#3) is not a member."]
    assert await community.say("/members", as_="carlos") == [
        "[carlos] Sorry, /members is for moderators only."
    ]


async def test_members_filters_and_paging(community: Harness, db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        users = UserRepository(session)
        for n in range(25):
            person = (await users.resolve(UserRef("console", f"m{n}", f"M{n}"), clock.now())).person_id
            await users.grant(person, Role.MEMBER, clock.now())
    first = await community.say("/members role:member", as_="mod")
    assert first[0] == "[mod] People 1-20 of 28:"
    assert first[-1] == "[#1] Next ▶"
    second = await community.say("#1", as_="mod")
    assert second[0] == "[mod] People 21-28 of 28:"
    assert second[-1] == "[#1] ◀ Previous"
    assert await community.say("/members country:fr", as_="mod") == [
        "[mod] People 1-1 of 1:",
        "  #2 Amina — member · FR",
    ]
    assert await community.say("/members region:africa", as_="mod") == [
        "[mod] People 1-1 of 1:",
        "  #1 Mod — moderator · KE",
    ]
    assert await community.say("/members region:americas role:member", as_="mod") == [
        "[mod] People 1-1 of 1:",
        "  #3 Carlos — member · CO",
    ]
    assert await community.say("/members colour:blue", as_="mod") == [
        "[mod] I do not understand the filter colour:blue. Use country:XX, region:name (africa, americas, asia, europe, oceania), platform:name, role:name or expertise:area (for example expertise:budgeting)."
    ]


async def test_members_by_expertise_from_their_approved_application(
    community: Harness, db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as session:
        users = UserRepository(session)
        for name, status, areas in (
            ("amina", "approved", ["gbv", "peace"]),
            ("carlos", "approved", ["budgeting"]),
            ("applicant", "rejected", ["peace"]),  # not a member's expertise
        ):
            identity = await users.find("console", name)
            assert identity is not None
            session.add(
                Application(
                    person_id=identity.person_id,
                    platform="console",
                    platform_user_id=name,
                    status=status,
                    answers={"expertise": areas, "full_name": name},
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
    amina = ["[mod] People 1-1 of 1:", "  #2 Amina — member · FR"]
    assert await community.say("/members expertise:peace", as_="mod") == amina
    assert await community.say("/members expertise:paix", as_="mod") == amina  # a label, in French
    assert await community.say("/members expertise:gbv country:fr", as_="mod") == amina
    assert await community.say("/members expertise:budgeting", as_="mod") == [
        "[mod] People 1-1 of 1:",
        "  #3 Carlos — member · CO",
    ]
    assert await community.say("/members expertise:health", as_="mod") == ["[mod] No one matches."]
    assert (await community.say("/members expertise:gender", as_="mod"))[0].startswith(
        "[mod] I do not understand the filter expertise:gender."  # three areas start so
    )


async def test_the_audit_log_pages_newest_first(community: Harness) -> None:
    await community.say("/promote @amina", as_="admin")
    await community.say("/ban @carlos", as_="mod")
    await community.say("#1", as_="mod")
    lines = await community.say("/audit 1", as_="mod")
    assert lines[0] == "[mod] Audit log, entries 1-1 of 2:"
    assert lines[1] == "  Sep 22, 2026, 9:00\u202fAM Mod (#1) banned Carlos (#3)"
    assert lines[-1] == "[#1] Older ▶"
    older = await community.say("#1", as_="mod")
    assert older[1] == "  Sep 22, 2026, 9:00\u202fAM admin (#5) made Amina (#2) a moderator"
