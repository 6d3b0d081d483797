"""/wiki_suggest: members suggest wiki entries, moderators accept or reject them, on every backend.

Buttons are pressed by number on the console (``#3``); the numbers follow the buttons
of the last message, as printed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.pacing import UNLIMITED
from bot.core.types import ChatRef, Role
from storage.db import Database
from storage.models import AuditEntry, WikiSuggestion
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock, Harness, LimitedPlatform
from tests.handlers.wiki.test_add import ANSWERS, FAST, fill
from tests.handlers.wiki.test_commands import entry, load, member

#: The answers of test_add, given to /wiki_suggest: the summary is shown after the last.
SUGGESTION = ["/wiki_suggest", *ANSWERS[1:]]
SEND = "#11"  # Send to the moderators, under the summary
CARD = [
    "[admin] New wiki suggestion #1 from alice:",
    "  Account: console:alice.",
    "  Kind: material",
    "  Title: Gender budgeting toolkit",
    "  Slug: gender-budgeting-toolkit",
    "  Summary: A toolkit for gender-responsive budgets.",
    "  Body: Step by step, with **examples**.",
    "  Link: https://example.org/toolkit",
    "  Tags: budgeting, toolkit",
    "  Region: (skipped)",
    "  Country: Kenya (KE)",
    "  Language: Spanish",
    "[#1] Accept",
    "[#2] Reject",
]


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, admins=("console:admin",), flood=FAST)
    await member(running, "alice")
    yield running
    await running.stop()


async def suggest(bot: Harness, who: str = "alice", lang: str | None = None) -> list[str]:
    """Fill in the form and press Send: the lines printed then."""
    await fill(bot, SUGGESTION, who=who, lang=lang)
    return await bot.say(SEND, as_=who)


async def stored(bot: Harness) -> list[WikiSuggestion]:
    async with bot.bot.db.transaction() as session:
        return list((await session.scalars(select(WikiSuggestion).order_by(WikiSuggestion.id))).all())


async def audit(bot: Harness) -> list[AuditEntry]:
    async with bot.bot.db.transaction() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith("wiki.")).order_by(AuditEntry.id)
        )
        return list(found.all())


async def test_a_member_suggests_and_an_accepted_entry_is_found_by_search(bot: Harness) -> None:
    lines = await bot.say("/wiki_suggest", as_="alice")
    assert lines[0].startswith("[alice] Let us write the wiki entry you suggest; the moderators read it")
    lines = await fill(bot, SUGGESTION[1:], who="alice")
    assert lines[0] == (
        "[alice] Please check your suggestion. Press a field to change it, or Send to the "
        "moderators to submit it."
    )
    assert lines[-2:] == ["[#11] Send to the moderators", "[#12] Cancel"]
    lines = await bot.say(SEND, as_="alice")
    assert lines[: len(CARD)] == CARD
    assert lines[len(CARD) :] == [
        "[alice] Thank you! Your suggestion Gender budgeting toolkit was sent to the moderators "
        "for review (suggestion #1). I will tell you when they have decided."
    ]
    async with bot.bot.db.transaction() as session:  # nothing is in the wiki before a decision
        assert await WikiRepository(session).get("gender-budgeting-toolkit") is None
    assert await bot.say("/wiki_suggestions", as_="admin") == [
        "[admin] Wiki suggestions waiting for a decision (1):",
        "  #1 Gender budgeting toolkit, from alice, sent on Sep 22, 2026",
        "  Send /wiki_suggestions <id> to see one.",
    ]
    assert (await bot.say("/wiki_suggestions 1", as_="admin"))[0] == "[admin] Wiki suggestion #1 from alice:"
    assert await bot.say("#1", as_="admin") == [
        "[alice] Good news: the moderators accepted your wiki suggestion Gender budgeting toolkit. "
        "It is in the wiki now: read it with /wiki gender-budgeting-toolkit.",
        "[admin] Suggestion #1 accepted: Gender budgeting toolkit is in the wiki as "
        "gender-budgeting-toolkit; its author has been told.",
    ]
    found = await bot.say("/wiki toolkit", as_="alice")
    assert found[1].startswith("  1. Gender budgeting toolkit (material)")
    [suggestion] = await stored(bot)
    assert (suggestion.status, suggestion.reviewed_by_name, suggestion.reason) == ("accepted", "admin", None)
    assert [(e.action, e.target, e.details) for e in await audit(bot)] == [
        ("wiki.suggest", "wiki_suggestion:1", {}),
        ("wiki.accept", "wiki_suggestion:1", {"slug": "gender-budgeting-toolkit"}),
    ]
    assert (await bot.say("/audit", as_="admin"))[1:3] == [
        "  Sep 22, 2026, 9:00\u202fAM admin (#2) accepted wiki suggestion #1: it is the wiki entry gender-budgeting-toolkit",
        "  Sep 22, 2026, 9:00\u202fAM alice (#1) sent wiki suggestion #1",
    ]
    # decided once: a second decision is told who decided
    assert await bot.say("/wiki_accept 1", as_="admin") == [
        "[admin] Suggestion #1 was already accepted by admin on Sep 22, 2026, 9:00\u202fAM UTC."
    ]
    assert await bot.say("/wiki_suggestions", as_="admin") == [
        "[admin] No wiki suggestion is waiting for a decision."
    ]


async def test_a_rejection_tells_the_member_the_reason(bot: Harness) -> None:
    await suggest(bot)
    assert await bot.say("#2", as_="admin") == [  # Reject on the card
        "[admin] To reject suggestion #1, send /wiki_reject 1 followed by the reason; the member will read it."
    ]
    assert await bot.say("/wiki_reject 1", as_="admin") == [
        "[admin] To reject suggestion #1, send /wiki_reject 1 followed by the reason; the member will read it."
    ]
    assert await bot.say("/wiki_reject 1 We have  this toolkit already.", as_="admin") == [
        "[alice] The moderators did not accept your wiki suggestion Gender budgeting toolkit. "
        "They wrote: We have  this toolkit already.",
        "[admin] Suggestion #1 rejected; its author has been told the reason.",
    ]
    assert await bot.say("/wiki_accept 1", as_="admin") == [
        "[admin] Suggestion #1 was already rejected by admin on Sep 22, 2026, 9:00\u202fAM UTC, with this "
        "reason: We have  this toolkit already."
    ]
    async with bot.bot.db.transaction() as session:
        assert await WikiRepository(session).get("gender-budgeting-toolkit") is None
    [suggestion] = await stored(bot)
    assert (suggestion.status, suggestion.reason) == ("rejected", "We have  this toolkit already.")
    assert [(e.action, e.reason) for e in await audit(bot)][-1] == (
        "wiki.reject",
        "We have  this toolkit already.",
    )
    # bad input gets a clear answer
    assert await bot.say("/wiki_reject x", as_="admin") == [
        "[admin] Please give the number of the suggestion, such as 12."
    ]
    assert await bot.say("/wiki_accept 9", as_="admin") == ["[admin] There is no wiki suggestion #9."]
    assert await bot.say("/wiki_accept 1", as_="alice") == [
        "[alice] Sorry, /wiki_accept is for moderators only."
    ]


async def test_guests_are_refused_and_moderators_may_suggest_too(bot: Harness) -> None:
    assert await bot.say("/wiki_suggest", as_="guest") == [
        "[guest] Sorry, /wiki_suggest is for members only."
    ]
    assert await bot.say("/wiki_suggestions", as_="alice") == [
        "[alice] Sorry, /wiki_suggestions is for moderators only."
    ]
    await member(bot, "mona", Role.MODERATOR)
    assert (await bot.say("/wiki_suggest", as_="mona"))[0].startswith("[mona] Let us write the wiki entry")
    # one entry at a time: plain answers go to one form
    assert await bot.say("/wiki_add", as_="mona") == [
        "[mona] You are already writing an entry with /wiki_suggest: finish it or cancel it first."
    ]
    await bot.say("/cancel", as_="mona")
    assert await bot.say("#1", as_="mona") == ["[mona] Your suggestion was discarded."]
    assert (await bot.say("/wiki_add", as_="mona"))[0].startswith("[mona] Let us write a new wiki entry.")
    assert await bot.say("/wiki_suggest", as_="mona") == [
        "[mona] You are already writing an entry with /wiki_add: finish it or cancel it first."
    ]


async def test_in_a_group_the_form_continues_in_a_direct_chat(bot: Harness) -> None:
    lines = await bot.say("[community] /wiki_suggest", as_="alice")
    assert lines[0] == "[community] I have sent you a direct message to continue there."
    assert lines[1].startswith("[alice] Let us write the wiki entry you suggest")
    assert await bot.say("[community] Training", as_="alice") == []  # a group message never feeds the form
    assert (await bot.say("#3", as_="alice"))[0] == "[alice] Question 2 of 10: What is the entry's title?"


async def test_a_slug_taken_meanwhile_is_accepted_under_another(bot: Harness) -> None:
    await suggest(bot)
    await load(bot, [entry("gender-budgeting-toolkit", "Taken meanwhile")])
    assert await bot.say("#1", as_="admin") == [
        "[admin] There is already an entry gender-budgeting-toolkit. To accept suggestion #1 under "
        "another slug, send /wiki_accept 1 <slug>."
    ]
    assert (await bot.say("/wiki_accept 1 Not A Slug", as_="admin"))[0].startswith(
        "[admin] A slug is lower case"
    )
    lines = await bot.say("/wiki_accept 1 budgeting-toolkit-kenya", as_="admin")
    assert lines[0].endswith("read it with /wiki budgeting-toolkit-kenya.")
    async with bot.bot.db.transaction() as session:
        accepted = await WikiRepository(session).get("budgeting-toolkit-kenya")
        assert accepted is not None
        assert accepted.title == "Gender budgeting toolkit"


async def test_the_member_is_told_in_their_language(bot: Harness) -> None:
    lines = await bot.say("/wiki_suggest", as_="alice", lang="fr")
    assert lines[2] == "  Question 1 sur 10 : De quel type d'entrée s'agit-il ?"
    lines = await fill(bot, SUGGESTION[1:], who="alice")
    assert lines[-2:] == ["[#11] Envoyer à la modération", "[#12] Annuler"]
    lines = await bot.say(SEND, as_="alice")
    assert lines[0] == "[admin] New wiki suggestion #1 from alice:"  # the moderator reads English
    assert lines[-1] == (
        "[alice] Merci ! Votre suggestion Gender budgeting toolkit a été envoyée à l'équipe de "
        "modération (suggestion n° 1). Je vous dirai quand elle aura décidé."
    )
    assert (await bot.say("/wiki_reject 1 Déjà dans le wiki.", as_="admin"))[0] == (
        "[alice] L'équipe de modération n'a pas retenu votre suggestion Gender budgeting toolkit. "
        "Elle a écrit : Déjà dans le wiki."
    )


async def test_a_moderators_chat_gets_one_card(db: Database, tmp_path: Path, clock: FakeClock) -> None:
    group = LimitedPlatform(UNLIMITED, name="telegram")
    group.moderator_chat = ChatRef("telegram", "-100")
    running = await Harness.start(
        db, tmp_path, clock=clock, admins=("console:admin", "telegram:9"), flood=FAST, extra_platforms=[group]
    )
    try:
        await member(running, "alice")
        await suggest(running)
        await running.bot.settle()
        assert [who for _, who, _ in group.delivered] == ["-100"]
        assert group.delivered[0][2].startswith("New wiki suggestion #1 from alice:")
    finally:
        await running.stop()


async def test_mydata_lists_suggestions_and_forget_deletes_them(bot: Harness) -> None:
    await suggest(bot)
    await fill(bot, SUGGESTION[:3], who="alice")  # a second one, being written
    lines = await bot.say("/mydata", as_="alice")
    data = json.loads(Path(lines[1].removeprefix("[alice] (file) ")).read_text(encoding="utf-8"))
    [listed] = data["wiki_suggestions"]
    assert (listed["number"], listed["status"], listed["entry"]["title"]) == (
        1,
        "pending",
        "Gender budgeting toolkit",
    )
    await bot.say("/forget", as_="alice")
    await bot.say("#1", as_="alice")
    async with bot.bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(WikiSuggestion)) == 0
    assert await bot.say("/wiki_suggestions", as_="admin") == [
        "[admin] No wiki suggestion is waiting for a decision."
    ]
    # the draft went too: a new member of the same name starts afresh
    await member(bot, "alice")
    assert (await bot.say("/wiki_suggest", as_="alice"))[0].startswith("[alice] Let us write the wiki entry")
