"""Moderators' commands in a chat members read are answered privately, on the console.

The rule is the kernel's (``bot/core/router.py``, ``Context.reply``); these tests hold
it for every moderator and admin command that shows something about people.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from bot.core.types import Role
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from tests.fakes import FakeClock, Harness, start_with_people

NOTE = (
    "[community] I answered you privately. If nothing arrived, open a private chat with me and send /start."
)

#: Every moderator or admin command whose answer names or describes someone, with who uses it.
COMMANDS = [
    ("/member console:carlos", "mod"),
    ("/members", "mod"),
    ("/members role:applicant", "mod"),
    ("/audit", "mod"),
    ("/applications", "mod"),
    ("/application 1", "mod"),
    ("/reject 1", "mod"),
    ("/approve 99", "mod"),
    ("/ban console:carlos spam", "mod"),
    ("/unban console:carlos", "mod"),
    ("/remove console:carlos", "mod"),
    ("/ban console:admin", "mod"),
    ("/member nobody", "mod"),
    ("/stats", "mod"),
    ("/announce The next dialogue starts on Monday.", "mod"),
    ("/promote console:carlos", "admin"),
    ("/demote console:mod", "admin"),
    ("/export 1", "mod"),
]
#: A moderator, a member the commands are about, and an applicant.
PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], "KE"),
    ("carlos", [Role.MEMBER], "CO"),
    ("applicant", [Role.APPLICANT], None),
)


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, _ = await start_with_people(db, tmp_path, clock, PEOPLE)
    await harness.say("/ban console:carlos earlier spam", as_="mod")  # something to leak
    await harness.say("#1", as_="mod")  # Ban: the confirmation
    yield harness
    await harness.stop()


def _in(chat: str, lines: list[str]) -> list[str]:
    # ``(removed)`` is the console's picture of the platform removing someone, not a message.
    return [line for line in lines if line.startswith(f"[{chat}]") and "(removed)" not in line]


async def test_a_member_card_asked_for_in_the_community_goes_to_the_moderator(community: Harness) -> None:
    lines = await community.say("[community] /member console:carlos", as_="mod")
    assert _in("community", lines) == [NOTE]
    assert "[mod] Member #2: Carlos" in lines
    assert "  Banned since Sep 22, 2026: earlier spam" in lines
    assert lines.index("[mod] Member #2: Carlos") < lines.index(NOTE)


@pytest.mark.parametrize(("command", "who"), COMMANDS)
async def test_no_moderator_command_posts_about_people_where_members_read(
    community: Harness, command: str, who: str
) -> None:
    lines = await community.say(f"[community] {command}", as_=who)
    assert _in("community", lines) == [NOTE]
    assert _in(who, lines), "the answer went to the moderator's direct chat"
    assert not any("Carlos" in line or "carlos" in line for line in _in("community", lines))


async def test_the_moderators_chat_and_direct_chats_are_answered_where_asked(community: Harness) -> None:
    lines = await community.say("[moderators] /member console:carlos", as_="mod")
    assert lines[0] == "[moderators] Member #2: Carlos"
    assert not _in("mod", lines)
    assert (await community.say("/member console:carlos", as_="mod"))[0] == "[mod] Member #2: Carlos"


async def test_buttons_of_a_private_answer_still_work(community: Harness) -> None:
    for _ in range(10):  # audited refusals: enough entries for two pages
        await community.say("/audit", as_="applicant")
    lines = await community.say("[community] /audit 5", as_="mod")
    assert _in("community", lines) == [NOTE]
    assert "[#1] Older ▶" in lines
    older = await community.say("#1", as_="mod")
    assert older[0].startswith("[mod] Audit log, entries 6-10 of")


async def test_a_refusal_for_lack_of_role_names_no_one(community: Harness) -> None:
    lines = await community.say("[community] /member console:carlos", as_="applicant")
    assert lines == ["[community] Sorry, /member is for moderators only."]


async def test_members_commands_in_the_community_are_answered_there(community: Harness) -> None:
    lines = await community.say("[community] /help", as_="mod")
    assert lines[0].startswith("[community] ")
    assert NOTE not in lines


async def test_exports_charts_and_announcement_reports_go_privately_too(
    community: Harness, db: Database, clock: FakeClock
) -> None:
    async with db.transaction() as session:
        dialogue = await DialogueRepository(session).create(
            title={"en": "Budgets"},
            start=date(2026, 9, 1),
            end=date(2026, 9, 30),
            timezone="UTC",
            now=clock.now(),
            status="open",
        )
    for command in (f"/export {dialogue.id}", f"/stats {dialogue.id}", "/stats"):
        lines = await community.say(f"[community] {command}", as_="mod")
        assert _in("community", lines) == [NOTE]
        assert any(line.startswith("[mod] (file) ") for line in lines), command
    lines = await community.say("[community] /announce Hello", as_="mod")
    assert _in("community", lines) == [NOTE]
    assert any("Send to" in line for line in lines if line.startswith("[#")), (
        lines
    )  # the preview came privately
    lines = await community.say("#1", as_="mod")  # Send, in the private chat where the preview is
    assert _in("community", lines) == []
    assert any(line.startswith("[mod] Announcement #") for line in lines)
    await community.bot.settle()  # the outbox delivers, then reports its progress
    reports = [line for line in community.console.take() if "Broadcast #" in line]
    assert reports
    assert all(line.startswith("[mod] ") for line in reports), reports  # edited in place there too
