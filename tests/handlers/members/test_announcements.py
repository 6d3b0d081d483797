"""/announcements off|on: a member stops the moderators' announcements, on every backend."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.types import Role
from storage.db import Database
from tests.fakes import FakeClock, Harness, start_with_people

#: A moderator and two members.
PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], None),
    ("amina", [Role.MEMBER], None),
    ("bob", [Role.MEMBER], None),
)


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, _ = await start_with_people(db, tmp_path, clock, PEOPLE)
    yield harness
    await harness.stop()


async def announce(harness: Harness, text: str) -> set[str]:
    """A moderator's announcement, confirmed and delivered: who received it."""
    preview = await harness.say(f"/announce {text}", as_="mod")
    assert preview[-2].startswith("[#1] Send to ")
    await harness.say("#1", as_="mod")
    sent = len(harness.console.sent)
    await harness.bot.settle()
    harness.console.take()
    return {str(message.to.id) for message in harness.console.sent[sent:] if str(message.text).endswith(text)}


async def test_announcements_off_skips_the_member_and_on_brings_them_back(community: Harness) -> None:
    assert await announce(community, "First") == {"mod", "amina", "bob"}
    assert await community.say("/announcements off", as_="amina") == [
        "[amina] Done: the moderators' announcements no longer reach you; you stay a member. Dialogue "
        "prompts are not affected (/unsubscribe stops those). /announcements on turns announcements on "
        "again."
    ]
    assert "[#1] Send to 2 members" in await community.say("/announce Counted", as_="mod")
    await community.say("#2", as_="mod")  # not sent
    assert await announce(community, "Second") == {"mod", "bob"}
    # still a member: /members and the members' commands are unchanged
    assert "  #2 Amina — member" in await community.say("/members", as_="mod")
    assert await community.say("/announcements on", as_="amina") == [
        "[amina] Done: the moderators' announcements reach you again."
    ]
    assert await announce(community, "Third") == {"mod", "amina", "bob"}


async def test_announcements_alone_shows_the_setting_with_a_button(community: Harness) -> None:
    assert await community.say("/announcements", as_="bob") == [
        "[bob] The moderators' announcements reach you by direct message.",
        "[#1] Stop announcements",
    ]
    assert (await community.say("#1", as_="bob"))[0].startswith(
        "[bob] Done: the moderators' announcements no longer reach you"
    )
    assert await community.say("/announcements", as_="bob", lang="es") == [
        "[bob] Los anuncios del equipo de moderación no te llegan: los desactivaste.",
        "[#1] Volver a recibir anuncios",
    ]
    assert await community.say("#1", as_="bob") == [
        "[bob] Hecho: los anuncios del equipo de moderación vuelven a llegarte."
    ]
    assert await announce(community, "Back") == {"mod", "amina", "bob"}


async def test_a_wrong_choice_gets_the_two_right_ones(community: Harness) -> None:
    expected = [
        "[amina] Write /announcements off to stop the moderators' announcements, or /announcements on "
        "to get them again."
    ]
    assert await community.say("/announcements maybe", as_="amina") == expected
    assert await community.say("/announcements off please", as_="amina") == expected
    assert await announce(community, "Still") == {"mod", "amina", "bob"}  # nothing changed


async def test_only_members_choose_and_prompts_by_message_are_not_affected(community: Harness) -> None:
    assert await community.say("/announcements off", as_="guest") == [
        "[guest] Sorry, /announcements is for members only."
    ]
    await community.say("/subscribe", as_="amina")
    await community.say("/announcements off", as_="amina")
    lines = await community.say("/mydata", as_="amina")
    data = json.loads(Path(lines[1].split("(file) ")[1]).read_text(encoding="utf-8"))
    assert data["person"]["announcements"] == "off"
    assert data["subscribed_to_prompts"] is True
