"""Hostile text from a platform breaks neither an account nor a query, on every database."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.core.text_safety import REPLACEMENT
from bot.core.types import ChatRef, IncomingMessage, UserRef
from storage.db import Database
from storage.users import UserRepository
from tests.fakes import Harness
from tests.handlers.wiki.test_commands import load

APOLOGY = "Sorry, something went wrong"
HELP = "[eve] Commands you can use:"


def from_eve(text: str, event_id: str, display_name: str = "Eve") -> IncomingMessage:
    return IncomingMessage(
        event_id=event_id,
        sender=UserRef("console", "eve", display_name, None, "eve"),
        chat=ChatRef("console", "eve"),
        is_direct=True,
        text=text,
    )


async def test_a_display_name_with_a_lone_surrogate_and_a_message_with_nul_leave_the_account_working(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    harness = await Harness.start(db, tmp_path)
    try:
        await harness.bot.handle(from_eve("/help\x00", "e1", display_name="Eve\ud800\x00"))
        await harness.bot.handle(from_eve("hello\x00 there\ud800", "e2", display_name="Eve\ud800\x00"))
        await harness.bot.handle(from_eve("/help", "e3", display_name="Eve\ud800\x00"))
        await harness.bot.drain()
        lines = harness.console.take()
        assert lines.count(HELP) == 2
        assert "[eve] I answer commands. Send /help to see the commands you can use." in lines
        assert not [line for line in lines if APOLOGY in line]
        async with db.transaction() as session:
            profile = await UserRepository(session).resolve(
                UserRef("console", "eve", "Eve"), harness.clock.now()
            )
        assert profile.display_name in ("Eve", f"Eve{REPLACEMENT}")
    finally:
        await harness.stop()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "query",
    ["\x00", '"', "*", "OR", "NEAR(", "AND NOT", "-", "'", "\\", "a\x00b", ")(", "title:", "\ud800", "%_"],
)
async def test_wiki_search_answers_hostile_queries_normally(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture, query: str
) -> None:
    harness = await Harness.start(db, tmp_path)
    try:
        await load(harness)
        lines = await harness.say(f"/wiki {query}", as_="eve")
        assert lines, "no answer"
        assert not [line for line in lines if APOLOGY in line], lines
        assert await harness.say("/wiki budgeting", as_="eve")
    finally:
        await harness.stop()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]
