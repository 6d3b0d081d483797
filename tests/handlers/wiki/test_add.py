"""/wiki_add: a moderator's guided form for a new wiki entry, on every storage backend.

Buttons are pressed by number on the console (``#3``); the numbers follow the buttons
of the last message, as printed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.types import Role
from storage.db import Database
from storage.models import AuditEntry
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock, Harness
from tests.handlers.wiki.test_commands import entry, load, member

FAST = {"rate": 1e6, "burst": 10**6}
#: Kind "material", a title, the suggested slug, summary, body, link, tags, no region,
#: Kenya, Spanish: then the summary is shown.
ANSWERS = [
    "/wiki_add",
    "#3",
    "Gender budgeting toolkit",
    "#1",
    "A toolkit for gender-responsive budgets.",
    "Step by step, with **examples**.",
    "https://example.org/toolkit",
    "budgeting, toolkit",
    "#2",
    "Kenia",
    "#2",
]


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, admins=("console:admin",), flood=FAST)
    yield running
    await running.stop()


async def fill(bot: Harness, answers: list[str], who: str = "admin", lang: str | None = None) -> list[str]:
    lines = await bot.say(answers[0], as_=who, lang=lang)
    for answer in answers[1:]:
        lines = await bot.say(answer, as_=who)
    return lines


async def audit(bot: Harness) -> list[AuditEntry]:
    async with bot.bot.db.transaction() as session:
        return list((await session.scalars(select(AuditEntry).where(AuditEntry.action == "wiki.add"))).all())


async def test_a_moderator_adds_an_entry_that_search_finds_at_once(bot: Harness) -> None:
    lines = await fill(bot, ANSWERS)
    assert lines[:12] == [
        "[admin] Please check the new entry. Press a field to change it, or Add to the wiki to save it.",
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
        "[#1] ✎ Kind",
    ]
    assert lines[-2:] == ["[#11] Add to the wiki", "[#12] Cancel"]
    assert await bot.say("#11", as_="admin") == [
        "[admin] Added Gender budgeting toolkit to the wiki. Read it with /wiki gender-budgeting-toolkit."
    ]
    shown = await bot.say("/wiki gender-budgeting-toolkit", as_="admin")
    assert shown[0].startswith("[admin] Gender budgeting toolkit")
    assert any("Step by step" in line for line in shown)
    found = await bot.say("/wiki toolkit", as_="admin")
    assert found[1].startswith("  1. Gender budgeting toolkit (material)")
    typo = await bot.say("/wiki tolkit", as_="admin")  # the "did you mean" vocabulary knows it
    assert any("toolkit" in line.lower() for line in typo)
    async with bot.bot.db.transaction() as session:
        stored = await WikiRepository(session).get("gender-budgeting-toolkit")
        assert stored is not None
        assert (stored.tags, stored.country, stored.language, stored.region) == (
            ["budgeting", "toolkit"],
            "KE",
            "es",
            None,
        )
    [record] = await audit(bot)
    assert (record.actor, record.target, record.details["kind"]) == (
        "console:admin",
        "gender-budgeting-toolkit",
        "material",
    )
    # the form is over: a plain message is no longer an answer, /wiki_add starts afresh
    assert not any("Question" in line for line in await bot.say("hello", as_="admin"))
    assert (await bot.say("/wiki_add", as_="admin"))[0].startswith("[admin] Let us write a new wiki entry.")


async def test_bad_answers_are_refused_with_the_reason(bot: Harness) -> None:
    await load(bot, [entry("taken-slug", "Taken")])
    await fill(bot, ["/wiki_add", "#4", "Fellowship 2027"])
    assert (await bot.say("Not A Slug!", as_="admin"))[0] == (
        "[admin] A slug is lower case letters, digits and single hyphens between them, such as "
        "gender-budgeting-guide."
    )
    assert (await bot.say("taken-slug", as_="admin"))[0] == (
        "[admin] There is already an entry taken-slug: please choose another slug."
    )
    lines = await fill(bot, ["Fellowship-2027", "A paid fellowship.", "Apply online."])
    assert lines[0] == "[admin] Question 6 of 11: Where can one read more? Send a web address."
    assert (await bot.say("www example org", as_="admin"))[0] == (
        "[admin] That does not look like a web address, such as https://example.org."
    )
    lines = await fill(bot, ["https://example.org/f", "#2", "#2", "#2", "#1"])
    assert lines[0] == (
        "[admin] Question 11 of 11: Until which date can one apply? Write it as year-month-day, "
        "such as 2026-12-31."
    )
    for bad in ("31/12/2027", "2027-02-30", "20271231"):
        assert (await bot.say(bad, as_="admin"))[0] == (
            "[admin] Please write a date as year-month-day, such as 2026-12-31."
        ), bad
    lines = await bot.say("2027-03-31", as_="admin")
    assert "  Slug: fellowship-2027" in lines
    assert "  Deadline: 2027-03-31" in lines
    await bot.say("#12", as_="admin")
    async with bot.bot.db.transaction() as session:
        stored = await WikiRepository(session).get("fellowship-2027")
        assert stored is not None
        assert (stored.kind, str(stored.deadline), stored.link) == (
            "opportunity",
            "2027-03-31",
            "https://example.org/f",
        )


async def test_back_skip_and_cancel(bot: Harness) -> None:
    lines = await bot.say("/wiki_add", as_="admin")
    assert lines[-6:] == [  # no Back on the first question, no Skip on a required one
        "[#1] institution",
        "[#2] training",
        "[#3] material",
        "[#4] opportunity",
        "[#5] template",
        "[#6] Cancel",
    ]
    await fill(bot, ["#2", "Training of trainers"])
    lines = await bot.say("#2", as_="admin")  # ◀ Back from the slug
    assert lines[:3] == [
        "[admin] Question 2 of 10: What is the entry's title?",
        "  ",
        "  Your current answer: Training of trainers",
    ]
    assert (await bot.say("Training of trainers, 2026", as_="admin"))[
        2
    ] == "  Suggestion: training-of-trainers-2026"
    # a required question offers no Skip
    lines = await fill(bot, ["#1", "Five days.", "Day one: concepts."])
    assert lines[-3:] == ["[#1] ◀ Back", "[#2] Skip", "[#3] Cancel"]
    lines = await fill(bot, ["#2", "#2", "#2", "#2"])  # skip link, tags, region, country
    assert lines[0] == "[admin] Question 10 of 10: In which language is the entry written?"
    # the draft outlives the conversation: /wiki_add continues it
    lines = await bot.say("/wiki_add", as_="admin")
    assert lines[:3] == [
        "[admin] Welcome back! Let us continue where you left off.",
        "  ",
        "  Question 10 of 10: In which language is the entry written?",
    ]
    lines = await bot.say("French", as_="admin")
    assert "  Link: (skipped)" in lines
    assert "  Tags: (skipped)" in lines
    assert "  Language: French" in lines
    assert (await bot.say("#12", as_="admin"))[0] == (
        "[admin] Do you really want to discard this entry and all its answers?"
    )
    assert (await bot.say("#2", as_="admin"))[0].startswith("[admin] Please check the new entry.")
    await bot.say("#12", as_="admin")
    assert await bot.say("#1", as_="admin") == ["[admin] The new entry was discarded."]
    assert await bot.say("/wiki_add", as_="admin") != []
    async with bot.bot.db.transaction() as session:
        assert await WikiRepository(session).get("training-of-trainers-2026") is None
    assert await audit(bot) == []


async def test_a_field_is_edited_from_the_summary(bot: Harness) -> None:
    await fill(bot, ANSWERS)
    lines = await bot.say("#2", as_="admin")  # ✎ Title
    assert lines[0] == "[admin] Question 2 of 10: What is the entry's title?"
    lines = await bot.say("Budgeting toolkit, second edition", as_="admin")
    assert lines[0].startswith("[admin] Please check the new entry.")
    assert "  Title: Budgeting toolkit, second edition" in lines
    assert "  Slug: gender-budgeting-toolkit" in lines  # kept: the slug is its own answer
    # becoming an opportunity adds the deadline question, asked before the summary
    await bot.say("#1", as_="admin")
    lines = await bot.say("#4", as_="admin")
    assert lines[0].startswith("[admin] Question 11 of 11: Until which date can one apply?")
    lines = await bot.say("#2", as_="admin")  # Skip
    assert "  Deadline: (skipped)" in lines
    assert "  Kind: opportunity" in lines
    assert lines[-2:] == ["[#12] Add to the wiki", "[#13] Cancel"]
    await bot.say("#12", as_="admin")
    async with bot.bot.db.transaction() as session:
        stored = await WikiRepository(session).get("gender-budgeting-toolkit")
        assert stored is not None
        assert (stored.title, stored.kind, stored.deadline) == (
            "Budgeting toolkit, second edition",
            "opportunity",
            None,
        )


async def test_members_may_not_add_entries(bot: Harness) -> None:
    await member(bot, "alice")
    assert await bot.say("/wiki_add", as_="alice") == ["[alice] Sorry, /wiki_add is for moderators only."]
    await member(bot, "mona", Role.MODERATOR)
    assert (await bot.say("/wiki_add", as_="mona"))[0].startswith("[mona] Let us write a new wiki entry.")
    # a group message never feeds the form
    assert await bot.say("[community] hello", as_="mona") == []


async def test_the_form_speaks_spanish(bot: Harness) -> None:
    lines = await bot.say("/wiki_add", as_="admin", lang="es")
    assert lines[2] == "  Pregunta 1 de 10: ¿Qué tipo de entrada es?"
    lines = await fill(bot, ["#3", "Guía de presupuestos", "mala slug"])
    assert lines[0] == (
        "[admin] Un slug se compone de letras minúsculas, cifras y guiones simples entre ellas, "
        "como gender-budgeting-guide."
    )
    lines = await fill(bot, ["#1", "Una guía.", "Texto.", "#2", "#2", "#2", "#2", "español"])
    assert lines[0] == (
        "[admin] Revisa la nueva entrada. Pulsa un campo para cambiarlo, o Añadir a la wiki para guardarla."
    )
    assert "  Idioma: Español" in lines
    assert (await bot.say("#11", as_="admin"))[0] == (
        "[admin] Guía de presupuestos se ha añadido a la wiki. Léela con /wiki guia-de-presupuestos."
    )


async def test_typed_back_skip_and_cancel_reach_the_wiki_form(bot: Harness) -> None:
    await fill(bot, ["/wiki_add", "#2", "Training of trainers"])
    assert (await bot.say("/back", as_="admin"))[0] == "[admin] Question 2 of 10: What is the entry's title?"
    assert (await bot.say("/skip", as_="admin"))[0] == (
        "[admin] This question must be answered: it cannot be skipped."
    )
    lines = await fill(
        bot, ["Training of trainers", "training-of-trainers", "Five days.", "Concepts.", "/skip"]
    )
    assert lines[0] == "[admin] Question 7 of 10: Which keywords describe it? Separate them with commas."
    assert (await bot.say("/cancel", as_="admin"))[0] == (
        "[admin] Do you really want to discard this entry and all its answers?"
    )
    assert await bot.say("#1", as_="admin") == ["[admin] The new entry was discarded."]
    # with no form in progress, the application form answers as it always did
    assert (await bot.say("/back", as_="admin"))[0].startswith(
        "[admin] You have no application form in progress."
    )


async def test_the_draft_survives_a_restart(db: Database, tmp_path: Path) -> None:
    first = await Harness.start(db, tmp_path, admins=("console:admin",), flood=FAST)
    await fill(first, ["/wiki_add", "#3", "Gender budgeting toolkit"])
    await first.stop()
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, admins=("console:admin",), flood=FAST)
    try:
        lines = await second.say("gender-budgeting-toolkit", as_="admin")
        assert lines[0] == (
            "[admin] Question 4 of 10: Write a summary of a sentence or two; it is shown in search results."
        )
    finally:
        await second.stop()


async def test_the_form_speaks_french(bot: Harness) -> None:
    lines = await bot.say("/wiki_add", as_="admin", lang="fr")
    assert lines[2] == "  Question 1 sur 10 : De quel type d'entrée s'agit-il ?"
    assert lines[-1] == "[#6] Annuler"
    lines = await fill(bot, ["#4", "Bourse 2027", "bourse-2027", "Une bourse.", "Texte.", "lien"])
    assert lines[0] == "[admin] Cela ne ressemble pas à une adresse web, comme https://example.org."


async def test_an_entry_may_be_written_in_any_of_the_six_languages(bot: Harness) -> None:
    lines = await fill(bot, ANSWERS[:-1])
    assert lines[0] == "[admin] Question 10 of 10: In which language is the entry written?"
    assert lines[-8:-2] == [
        "[#1] English",
        "[#2] Spanish",
        "[#3] French",
        "[#4] Arabic",
        "[#5] Chinese",
        "[#6] Russian",
    ]
    lines = await bot.say("#5", as_="admin")
    assert "  Language: Chinese" in lines
    await bot.say("#11", as_="admin")
    async with bot.bot.db.transaction() as session:
        stored = await WikiRepository(session).get("gender-budgeting-toolkit")
        assert stored is not None
        assert stored.language == "zh"
