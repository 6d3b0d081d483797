"""A good first day: the approval's welcome, and the name from the form, on every backend."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.text import Style
from bot.core.types import ChatRef, IncomingMessage, UserRef
from storage.db import Database
from tests.fakes import FakeClock, Harness, carla_form_answers, form_answers

FAST = {"rate": 1e6, "burst": 10**6}


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, admins=("console:admin",), flood=FAST)
    yield running
    await running.stop()


async def submit(bot: Harness, who: str, answers: list[str], lang: str = "en") -> None:
    await bot.say("/apply", as_=who, lang=lang)
    for answer in answers:
        await bot.say(answer, as_=who)
    assert (await bot.say("#14", as_=who))[0].startswith(f"[{who}] ")


async def open_dialogue(bot: Harness) -> None:
    """Dialogue 1, open today, whose prompt 1.1 is posted at once and 1.2 comes tomorrow."""
    await bot.say('/dialogue_new "Current Situation" 2026-09-22 2026-10-17', as_="admin")
    await bot.say("/prompt_add 1 2026-09-22 09:00 What changed in your trainings this year?", as_="admin")
    await bot.say("/prompt_add 1 2026-09-23 09:00 What did not?", as_="admin")


async def approved(bot: Harness) -> list[str]:
    """Approve application #1; the lines its applicant read."""
    lines = await bot.say("/approve 1", as_="admin")
    return [line for line in lines if not line.startswith(("[admin]", "[community]"))]


WELCOME_WITH_DIALOGUE = [
    "[bene_o] Welcome to the community of practice, Bénédicte Ouédraogo! Your application #1 has "
    "been approved.",
    "  ",
    "  The community chat: I am letting you in now. If an invitation or an invite link reaches you, "
    "accept it to join.",
    "  ",
    "  Open dialogue: Current Situation, prompt 1.1 now.",
    "  Reply in the prompt's thread in the community chat, or privately with /reply 1.1 <text>.",
    "  ",
    "  Find resources with /wiki, fellow members with /directory, and all your commands with /help.",
]


async def test_the_welcome_names_the_open_dialogue_and_how_to_reply(bot: Harness) -> None:
    await open_dialogue(bot)
    await submit(bot, "bene_o", form_answers("Bénédicte Ouédraogo"))
    assert await approved(bot) == WELCOME_WITH_DIALOGUE
    welcome = next(
        m
        for m in bot.bot.platforms["console"].sent
        if str(m.text).startswith("Welcome to the community of practice,")
    )  # type: ignore[attr-defined]
    assert welcome.text.spans[0].style is Style.BOLD  # the welcome stands out
    # the command it shows works, and the reply is signed with the name from the form
    replied = await bot.say("/reply 1.1 Budgets moved to local councils.", as_="bene_o")
    assert "[community/1] Bénédicte Ouédraogo replied: Budgets moved to local councils." in replied


async def test_without_an_open_dialogue_the_welcome_points_to_the_coming_ones(bot: Harness) -> None:
    await submit(bot, "bene_o", form_answers("Bénédicte Ouédraogo"))
    lines = await approved(bot)
    assert lines[4] == "  No dialogue is open right now: /dialogues shows the coming ones."
    assert "Open dialogue" not in "\n".join(lines)
    assert lines[-1] == WELCOME_WITH_DIALOGUE[-1]


async def test_an_open_dialogue_before_its_first_prompt_is_named_without_a_number(bot: Harness) -> None:
    await bot.say('/dialogue_new "Current Situation" 2026-09-22 2026-10-17', as_="admin")
    await bot.say("/prompt_add 1 2026-09-23 09:00 Tomorrow's question", as_="admin")
    await submit(bot, "bene_o", form_answers("Bénédicte Ouédraogo"))
    lines = await approved(bot)
    assert lines[4] == "  Open dialogue: Current Situation; its first prompt is coming."
    assert "/reply" not in "\n".join(lines)


async def test_the_welcome_is_in_the_applicants_language(bot: Harness) -> None:
    await open_dialogue(bot)
    await submit(bot, "carla", carla_form_answers(), lang="es")
    lines = await approved(bot)
    assert lines[0] == (
        "[carla] ¡Te damos la bienvenida a la comunidad de práctica, Carla Ruiz! Tu solicitud n.º 1 "
        "ha sido aprobada."
    )
    assert "  Diálogo abierto: Current Situation, ahora la consigna 1.1." in lines
    assert lines[-1] == (
        "  Encuentra recursos con /wiki, a otras personas de la comunidad con /directory y todos "
        "tus comandos con /help."
    )


async def test_the_welcome_in_spanish_without_a_dialogue(bot: Harness) -> None:
    await submit(bot, "carla", carla_form_answers(), lang="es")
    lines = await approved(bot)
    assert lines[4] == "  No hay ningún diálogo abierto ahora: /dialogues muestra los próximos."


# -- the name from the form ---------------------------------------------------------------


async def say_as(bot: Harness, user: UserRef, text: str) -> list[str]:
    """A direct message from ``user``, whose platform nickname may have changed."""
    await bot.bot.handle(
        IncomingMessage(
            event_id=uuid.uuid4().hex,
            sender=user,
            chat=ChatRef("console", user.id),
            is_direct=True,
            text=text,
        )
    )
    await bot.bot.drain()
    return bot.console.take()


def members_line(lines: list[str]) -> str:
    return next(line for line in lines if line.startswith("  #") and "member" in line)


async def test_an_approved_member_is_known_by_the_name_from_the_form(bot: Harness, tmp_path: Path) -> None:
    await say_as(bot, UserRef("console", "bene_o", "bene_o", "en", "bene_o"), "/start")
    assert "#1 bene_o — guest" in "\n".join(await bot.say("/members", as_="admin"))
    await submit(bot, "bene_o", form_answers("Bénédicte Ouédraogo"))
    await approved(bot)
    # a new nickname on the platform does not rename her
    await say_as(bot, UserRef("console", "bene_o", "B.O. 🌍", "en", "bene_o"), "/help")
    listed = await bot.say("/members", as_="admin")
    assert "  #1 Bénédicte Ouédraogo — member · KE" in listed
    assert "B.O." not in "\n".join(listed)
    assert (await bot.say("/member 1", as_="admin"))[0] == "[admin] Member #1: Bénédicte Ouédraogo"
    mydata = await say_as(bot, UserRef("console", "bene_o", "B.O. 🌍", "en", "bene_o"), "/mydata")
    data = json.loads(Path(mydata[1].split("(file) ")[1]).read_text(encoding="utf-8"))
    assert data["person"]["name"] == "Bénédicte Ouédraogo"
    assert data["person"]["name_from"] == "form"
    assert data["accounts"][0]["display_name"] == "B.O. 🌍"  # the account still shows its nickname


async def test_a_linked_second_account_keeps_the_name_from_the_form(bot: Harness) -> None:
    await submit(bot, "bene_o", form_answers("Bénédicte Ouédraogo"))
    await approved(bot)
    code = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", "\n".join(await bot.say("/link", as_="bene_o")))
    assert code is not None
    await say_as(bot, UserRef("console", "bene2", "Bene on Matrix", "en", "bene2"), f"/link {code.group()}")
    await say_as(bot, UserRef("console", "bene2", "Bene again", "en", "bene2"), "/help")
    listed = "\n".join(await bot.say("/members", as_="admin"))
    assert "#1 Bénédicte Ouédraogo — member" in listed
    assert "Bene" not in listed.replace("Bénédicte", "")
