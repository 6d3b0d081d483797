"""The form flow itself: a tiny form, declared with two hooks, driven end to end on the console.

Buttons are pressed by number (``#3``); the numbers follow the buttons of the last
message, as printed. Every test runs on every storage backend.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.core.errors import UserFacingError
from bot.core.router import Router
from bot.core.types import Role, UserRef
from bot.forms import Choice, Form, FormFlow, FormTexts, Reopen, Step, controls_router
from bot.services import Ctx
from handlers import build_router
from storage.db import Database
from storage.drafts import StateDrafts
from storage.profiles import ProfileCache
from storage.users import UserRepository
from tests.fakes import FakeClock, Harness

FAST = {"rate": 1e6, "burst": 10**6}
REFUSED = (
    "This must be accepted to go on: the form cannot be sent without it. Press \u201cYes, I accept\u201d to "
    "continue, or send /cancel to discard the form."
)

PET_FORM = Form(
    steps=(
        Step(field="name", title="Name", question="What is your pet's name?"),
        Step(
            field="kind",
            title="Kind",
            question="What kind of pet is it?",
            kind="single",
            choices=(Choice(value="cat", label="cat"), Choice(value="dog", label="dog")),
        ),
        Step(field="nickname", title="Nickname", question="Any nickname?", required=False),
        Step(field="agree", title="Agreement", question="Do you agree?", kind="consent"),
    )
)

#: What the Submit hook received, in order.
SUBMITTED: list[dict[str, Any]] = []


async def submit(ctx: Ctx, answers: dict[str, Any]) -> Reopen | None:
    if answers["name"] == "Taken":
        return Reopen("name", ctx._("That name is taken."))
    SUBMITTED.append(answers)
    await pet_drafts(ctx).discard(ctx.actor.person_id or 0, PET_FLOW.name)
    ctx.send(ctx.event.sender, "Saved.")
    return None


async def cancelled(ctx: Ctx) -> None:
    ctx.send(ctx.event.sender, "Gone.")


def pet_drafts(ctx: Ctx) -> StateDrafts:
    return StateDrafts(ctx.services.state, ctx.services.now)


PET_FLOW = FormFlow(
    name="pets",
    buttons="pets",
    form=lambda ctx: PET_FORM,
    drafts=pet_drafts,
    texts=FormTexts(
        summary="Your pet:", submit="Save", optional="This one is optional.", discard="Forget the pet?"
    ),
    submit=submit,
    cancelled=cancelled,
    missing=lambda ctx: UserFacingError("No pet form."),
)


def pet_router() -> Router:
    root = Router("root")

    @root.command("pet")
    async def pet(ctx: Ctx) -> None:
        draft = await PET_FLOW.load(ctx)
        if draft is None:
            draft = await pet_drafts(ctx).save(ctx.actor.person_id or 0, PET_FLOW.name, {}, {})
        await PET_FLOW.show(ctx, draft, [])

    root.include(PET_FLOW.router())
    root.include(controls_router([PET_FLOW]))
    return root


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    SUBMITTED.clear()
    running = await Harness.start(db, tmp_path, clock=clock, router=pet_router(), flood=FAST)
    yield running
    await running.stop()


async def test_back_skip_edit_and_submit(bot: Harness) -> None:
    assert await bot.say("/pet") == ["[alice] Question 1 of 4: What is your pet's name?", "[#1] Cancel"]
    assert await bot.say("Rex") == [
        "[alice] Question 2 of 4: What kind of pet is it?",
        "[#1] cat",
        "[#2] dog",
        "[#3] ◀ Back",
        "[#4] Cancel",
    ]
    back = await bot.say("#3")
    assert back[0] == "[alice] Question 1 of 4: What is your pet's name?"
    assert "  Your current answer: Rex" in back
    assert (await bot.say("/skip"))[0] == "[alice] This question must be answered: it cannot be skipped."
    assert (await bot.say("/back"))[0] == "[alice] This is the first question."
    await bot.say("Rex")
    assert await bot.say("#2") == [
        "[alice] Question 3 of 4: Any nickname?",
        "  ",
        "  This one is optional.",
        "[#1] ◀ Back",
        "[#2] Skip",
        "[#3] Cancel",
    ]
    assert (await bot.say("#2"))[-4:] == ["[#1] Yes, I accept", "[#2] No", "[#3] ◀ Back", "[#4] Cancel"]
    assert (await bot.say("#2"))[0] == f"[alice] {REFUSED}"
    summary = await bot.say("#1")
    assert summary == [
        "[alice] Your pet:",
        "  Name: Rex",
        "  Kind: dog",
        "  Nickname: (skipped)",
        "  Agreement: accepted",
        "[#1] ✎ Name",
        "[#2] ✎ Kind",
        "[#3] ✎ Nickname",
        "[#4] ✎ Agreement",
        "[#5] Save",
        "[#6] Cancel",
    ]
    assert (await bot.say("#1"))[0] == "[alice] Question 1 of 4: What is your pet's name?"
    edited = await bot.say("Rexy")  # an edit returns to the summary
    assert edited[:2] == ["[alice] Your pet:", "  Name: Rexy"]
    assert await bot.say("#5") == ["[alice] Saved."]
    assert SUBMITTED == [{"name": "Rexy", "kind": "dog", "nickname": None, "agree": True}]
    assert await bot.say("hello") == []  # the form is over: a plain message is no answer
    assert await bot.say("/back") == ["[alice] No pet form."]


async def test_cancel_is_confirmed_or_denied(bot: Harness) -> None:
    await bot.say("/pet")
    await bot.say("Rex")
    assert await bot.say("/cancel") == [
        "[alice] Forget the pet?",
        "[#1] Yes, discard it",
        "[#2] No, continue",
    ]
    assert (await bot.say("#2"))[0] == "[alice] Question 2 of 4: What kind of pet is it?"
    assert await bot.say("#4") == ["[alice] Forget the pet?", "[#1] Yes, discard it", "[#2] No, continue"]
    assert await bot.say("#1") == ["[alice] Gone."]
    assert await bot.say("/skip") == ["[alice] No pet form."]
    assert SUBMITTED == []


async def test_the_submit_hook_may_send_the_person_back_to_a_step(bot: Harness) -> None:
    for line in ("/pet", "Taken", "#1", "Tom", "#1"):
        await bot.say(line)
    assert await bot.say("#5") == [
        "[alice] That name is taken.",
        "  ",
        "  Question 1 of 4: What is your pet's name?",
        "  ",
        "  Your current answer: Taken",
        "[#1] Cancel",
    ]
    assert (await bot.say("Felix"))[:2] == ["[alice] Your pet:", "  Name: Felix"]


async def test_the_draft_survives_a_restart(db: Database, tmp_path: Path) -> None:
    first = await Harness.start(db, tmp_path, router=pet_router(), flood=FAST)
    await first.say("/pet")
    await first.say("Rex")
    await first.stop()
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, router=pet_router(), flood=FAST)
    try:
        assert (await second.say("cat"))[0] == "[alice] Question 3 of 4: Any nickname?"
    finally:
        await second.stop()


async def test_typed_controls_go_to_the_form_in_progress(db: Database, tmp_path: Path) -> None:
    """An applicant made moderator has an application and a wiki entry in progress."""
    bot = await Harness.start(db, tmp_path, router=build_router(), flood=FAST)
    try:
        await bot.say("/apply", as_="mona")
        await bot.say("Mona Lisa", as_="mona")
        async with bot.bot.db.transaction() as session:
            users = UserRepository(session)
            person = await users.resolve(UserRef("console", "mona", "mona"), bot.clock.now())
            await users.grant(person.person_id, Role.MODERATOR, bot.clock.now())
        bot.bot.shared.get(ProfileCache).forget(person.person_id)
        await bot.say("/wiki_add", as_="mona")
        await bot.say("#2", as_="mona")
        # the wiki form is listed first: it takes the typed controls while in progress
        assert (await bot.say("/back", as_="mona"))[0] == "[mona] Question 1 of 10: What kind of entry is it?"
        # a moderator's plain message answers the wiki, never the application
        assert (await bot.say("training", as_="mona"))[
            0
        ] == "[mona] Question 2 of 10: What is the entry's title?"
        assert (await bot.say("/cancel", as_="mona"))[0] == (
            "[mona] Do you really want to discard this entry and all its answers?"
        )
        assert await bot.say("#1", as_="mona") == ["[mona] The new entry was discarded."]
        # then the application's draft answers them
        back = await bot.say("/back", as_="mona")
        assert back[0] == "[mona] Question 1 of 13: What is your full name?"
        assert "  Your current answer: Mona Lisa" in back
    finally:
        await bot.stop()
