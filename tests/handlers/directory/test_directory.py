"""The member directory through the console: /profile, /directory and introductions, on both backends."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.types import Role
from storage.db import Database
from storage.models import Application, Identity, MemberProfile
from tests.fakes import FakeClock, Harness, add_people, start_with_people

PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], "KE"),
    ("amina", [Role.MEMBER], "SN"),
    ("carlos", [Role.MEMBER], "CO"),
    ("applicant", [Role.APPLICANT], None),
)
#: Approved applications: name, organisation, languages, expertise.
APPLICATIONS = {
    "amina": ("Amina Diallo", "Réseau Genre", ["fr", "en"], ["gbv", "peace"]),
    "carlos": ("Carlos Pérez", "ONG Andina", ["es"], ["budgeting"]),
}


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, ids = await start_with_people(db, tmp_path, clock, PEOPLE)
    async with db.transaction() as session:
        for who, (name, organisation, languages, areas) in APPLICATIONS.items():
            session.add(
                Application(
                    person_id=ids[who],
                    platform="console",
                    platform_user_id=who,
                    status="approved",
                    answers={
                        "full_name": name,
                        "organisation": organisation,
                        "languages": languages,
                        "expertise": areas,
                        "country": "SN",
                    },
                    created_at=clock.now(),
                    updated_at=clock.now(),
                )
            )
    yield harness
    await harness.stop()


async def _list(harness: Harness, *people: str) -> None:
    for who in people:
        await harness.say("/profile listed on", as_=who)


async def test_a_profile_starts_from_the_approved_application_unlisted_and_without_handle(
    community: Harness,
) -> None:
    lines = await community.say("/profile", as_="amina")
    assert lines[:9] == [
        "[amina] Your profile, as other members see it:",
        "  Amina Diallo — Senegal",
        "  Organisation: Réseau Genre",
        "  Training languages: French, English",
        "  Expertise: Gender-based violence, Peace and security",
        "  You are not listed in the directory: other members cannot find you.",
        "  Your handle is hidden.",
        "  Your replies to dialogues are not quoted on the public site.",
        "  To change a field: /profile name …, /profile organisation …, /profile bio …, /profile languages …, /profile expertise …",
    ]
    assert community.payloads() == ["profile:list", "profile:show", "profile:quote"]
    assert await community.say("/directory", as_="carlos") == [
        "[carlos] No listed member matches. Members appear here once they list themselves with /profile."
    ]


async def test_the_buttons_list_and_show_the_handle(community: Harness) -> None:
    await community.say("/profile", as_="amina")
    lines = await community.press("profile:list", as_="amina")
    assert "  You are listed in the directory." in lines
    lines = await community.press("profile:show", as_="amina")
    assert "  Handle: @amina (console)" in lines
    assert community.payloads() == ["profile:unlist", "profile:hide", "profile:quote"]
    directory = await community.say("/directory", as_="carlos")
    assert directory[:3] == [
        "[carlos] Members 1-1 of 1:",
        "  1. Amina Diallo — Senegal",
        "     Organisation: Réseau Genre",
    ]
    assert "     Handle: @amina (console)" in directory
    await community.press("profile:hide", as_="amina")
    assert not any("Handle" in line for line in await community.say("/directory", as_="carlos"))


async def test_editing_the_profile_is_checked(community: Harness) -> None:
    assert await community.say("/profile bio " + "x" * 501, as_="amina") == [
        "[amina] Your bio has 501 characters; keep it to 500."
    ]
    assert await community.say("/profile colour blue", as_="amina") == [
        "[amina] I cannot change colour. You can change: name, organisation, bio, languages, expertise, listed, handle, quoted."
    ]
    assert await community.say("/profile listed maybe", as_="amina") == [
        "[amina] Write on or off after /profile listed."
    ]
    lines = await community.say("/profile expertise gbv, astrology", as_="amina")
    assert lines[0].startswith(
        "[amina] I do not know astrology. Choose among: mainstreaming (Gender mainstreaming), gbv"
    )
    lines = await community.say(
        "/profile bio I train police and judges on survivor-centred approaches.", as_="amina"
    )
    assert lines[0] == "[amina] Your profile is saved."
    assert "  About: I train police and judges on survivor-centred approaches." in lines
    lines = await community.say("/profile expertise Health, gbv", as_="amina")
    assert "  Expertise: Health, Gender-based violence" in lines


async def test_guests_and_applicants_are_refused(community: Harness) -> None:
    assert await community.say("/profile", as_="applicant") == [
        "[applicant] Sorry, /profile is for members only."
    ]
    assert await community.say("/directory", as_="stranger") == [
        "[stranger] Sorry, /directory is for members only."
    ]


async def test_search_by_expertise_region_language_and_words(community: Harness) -> None:
    await _list(community, "amina", "carlos")
    names = ["  1. Amina Diallo — Senegal"]
    assert (await community.say("/directory expertise:gbv", as_="mod"))[1:2] == names
    assert (await community.say("/directory region:africa", as_="mod"))[1:2] == names
    assert (await community.say("/directory region:afrique lang:fr", as_="mod"))[1:2] == names
    assert (await community.say("/directory lang:Spanish", as_="mod"))[1:2] == [
        "  1. Carlos Pérez — Colombia"
    ]
    assert (await community.say("/directory region:co", as_="mod"))[1:2] == ["  1. Carlos Pérez — Colombia"]
    assert (await community.say("/directory andina", as_="mod"))[1:2] == ["  1. Carlos Pérez — Colombia"]
    assert (await community.say("/directory", as_="mod"))[0] == "[mod] Members 1-2 of 2:"
    assert await community.say("/directory expertise:health", as_="mod") == [
        "[mod] No listed member matches. Members appear here once they list themselves with /profile."
    ]
    assert (await community.say("/directory expertise:astrology", as_="mod"))[0].startswith(
        "[mod] I do not know the area of expertise astrology. Choose among: mainstreaming (Gender mainstreaming)"
    )
    assert await community.say("/directory region:atlantis", as_="mod") == [
        "[mod] I do not know the region atlantis. Use one of Africa, Americas, Asia, Europe, Oceania, or a country code such as KE."
    ]


async def test_introductions_reach_both_with_handles_only_when_shared(community: Harness) -> None:
    await _list(community, "amina")
    await community.say("/profile handle on", as_="carlos")  # carlos shows his handle, amina does not
    await community.say("/directory", as_="carlos")
    lines = await community.press(community.payloads()[0], as_="carlos")
    to_amina = [line for line in lines if line.startswith("[amina]")]
    assert to_amina == ["[amina] A member of the community would like to meet you. Here is who they are:"]
    assert "  Handle: @carlos (console)" in lines
    assert "[carlos] I introduced you. Here is who they are:" in lines
    assert not any("@amina" in line for line in lines)
    assert (
        "  They keep their handle private. I sent them your profile, with your handle only if you show it (/profile handle on)."
        in lines
    )
    assert (await community.say("/audit", as_="mod"))[1].endswith(
        "Carlos (#3) asked the directory to introduce them to Amina (#2)"
    )


async def test_introductions_are_limited_and_never_to_oneself(community: Harness) -> None:
    await _list(community, "amina", "carlos")
    assert await community.press("directory:i:2", as_="amina") == [
        "[amina] You cannot be introduced to yourself."
    ]
    for _ in range(5):
        assert "[mod] I introduced you. Here is who they are:" in await community.press(
            "directory:i:2", as_="mod"
        )
    assert await community.press("directory:i:2", as_="mod") == [
        "[mod] You have asked for 5 introductions in the last day; please try again tomorrow."
    ]
    await community.say("/profile listed off", as_="carlos")
    assert await community.press("directory:i:3", as_="amina") == [
        "[amina] That member is no longer listed in the directory."
    ]


async def test_banned_and_removed_people_are_never_listed(community: Harness) -> None:
    await _list(community, "amina", "carlos")
    await community.say("/remove console:carlos", as_="mod")
    await community.say("/ban console:amina spam", as_="mod")
    await community.say("#1", as_="mod")  # the ban's confirmation
    assert await community.say("/directory", as_="mod") == [
        "[mod] No listed member matches. Members appear here once they list themselves with /profile."
    ]


async def test_in_french(community: Harness) -> None:
    await _list(community, "amina")
    lines = await community.say("/directory expertise:violence", as_="carlos", lang="fr")
    assert lines[:4] == [
        "[carlos] Membres 1 à 1 sur 1 :",
        "  1. Amina Diallo — Sénégal",
        "     Organisation : Réseau Genre",
        "     Langues de formation : Français, Anglais",
    ]


async def test_in_a_group_the_answer_is_private(community: Harness) -> None:
    await _list(community, "amina")
    lines = await community.say("[community] /directory", as_="carlos")
    assert [line for line in lines if line.startswith("[community]")] == [
        "[community] I answered you privately. If nothing arrived, open a private chat with me and send /start."
    ]
    assert "[carlos] Members 1-1 of 1:" in lines
    lines = await community.say("[community] /profile", as_="amina")
    assert "[amina] Your profile, as other members see it:" in lines
    assert not any(line.startswith("[community]") and "Amina" in line for line in lines)


async def test_mydata_shows_the_profile_and_forget_removes_it(community: Harness, db: Database) -> None:
    await community.say("/profile bio Trainer of trainers.", as_="amina")
    await community.say("/mydata", as_="amina")
    document = json.loads(community.console.sent[-1].attachments[0].data)
    assert document["directory_profile"]["bio"] == "Trainer of trainers."
    assert document["directory_profile"]["listed"] is False
    await community.say("/forget", as_="amina")
    await community.say("#1", as_="amina")
    async with db.transaction() as session:
        assert await session.get(MemberProfile, 2) is None


async def test_the_directory_pages_by_ten(community: Harness, db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        await add_people(session, clock.now(), [(f"m{n:02}", [Role.MEMBER], "FR") for n in range(1, 12)])
    await _list(community, "amina", *(f"m{n:02}" for n in range(1, 12)))
    first = await community.say("/directory", as_="carlos")
    assert first[0] == "[carlos] Members 1-10 of 12:"
    assert first[1] == "  1. Amina Diallo — Senegal"
    assert community.payloads()[-1] == "directory:p:10"
    assert len([payload for payload in community.payloads() if payload.startswith("directory:i:")]) == 10
    second = await community.press("directory:p:10", as_="carlos")
    assert second[:3] == ["[carlos] Members 11-12 of 12:", "  11. M10 — France", "  12. M11 — France"]
    assert community.payloads()[-1] == "directory:p:0"


async def test_an_other_answer_shows_what_was_typed(
    community: Harness, db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as session:
        mod = await session.scalar(select(Identity.person_id).where(Identity.platform_user_id == "mod"))
        assert mod is not None
        session.add(
            Application(
                person_id=mod,
                platform="console",
                platform_user_id="mod",
                status="approved",
                answers={
                    "full_name": "Wanjiru Kamau",
                    "languages": ["en", "other"],
                    "languages.other": "Kiswahili",
                    "expertise": ["gbv", "other"],
                    "expertise.other": "Gender statistics.",
                },
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    lines = await community.say("/profile", as_="mod")
    assert "  Training languages: English, Kiswahili" in lines
    assert "  Expertise: Gender-based violence, Gender statistics." in lines
    assert not any("Other" in line or "Another language" in line for line in lines)
