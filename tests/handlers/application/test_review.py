"""Review as a conversation, on the console and every backend: deliberate notes, questions, history."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.types import Role
from storage.db import Database
from storage.models import ApplicationEvent, AuditEntry
from tests.fakes import FakeClock, Harness, add_people, carla_form_answers, form_answers

FAST = {"rate": 1e6, "burst": 10**6}
WRITE_REASON = (
    "[moderators] Write the reason for rejecting application #1 in your next message here; the "
    "applicant will read it. I will show it to you before anything is sent. This lapses after 10 "
    "minutes or when you send a command."
)
NOTHING_WAITING = (
    "You have nothing waiting to be sent about application #1: it was sent, dropped, or it lapsed "
    "after 10 minutes."
)
JUST_A_MESSAGE = "I answer commands. Send /help to see the commands you can use."


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, admins=("console:admin",), flood=FAST)
    async with running.bot.db.transaction() as session:
        await add_people(session, clock.now(), [("maya", [Role.MODERATOR, Role.MEMBER], None)])
    yield running
    await running.stop()


async def submit(
    bot: Harness, who: str = "alice", lang: str | None = None, answers: list[str] | None = None
) -> None:
    await bot.say("/apply", as_=who, lang=lang)
    for answer in answers or form_answers():
        await bot.say(answer, as_=who)
    await bot.say("#14", as_=who)


def to(lines: list[str], who: str) -> list[str]:
    return [line for line in lines if line.startswith(f"[{who}]")]


async def test_a_reason_is_taken_only_from_its_writer_and_sent_only_on_send(bot: Harness) -> None:
    await submit(bot)
    assert await bot.say("[moderators] /reject 1", as_="admin") == [WRITE_REASON, "[#1] Keep waiting"]
    # another moderator talking in the shared chat is never the reason
    assert await bot.say("@maya [moderators] ok, let me look at her CV first", as_="maya") == []
    shown = await bot.say("[moderators] Your training record is incomplete.", as_="admin")
    assert shown == [
        "[moderators] The applicant of application #1 will read this reason for the rejection:",
        "  ",
        "  Your training record is incomplete.",
        "[#1] Send",
        "[#2] Edit",
        "[#3] Keep waiting",
    ]
    # Send pressed by another moderator: not theirs to send
    assert await bot.say("@maya [moderators] #1", as_="maya") == [f"[moderators] {NOTHING_WAITING}"]
    # once shown back, later messages are just messages
    assert await bot.say("[moderators] hmm, wait", as_="admin") == []
    await bot.say("[moderators] #3", as_="admin")  # the keyboard is the last one shown: Keep waiting
    assert (await bot.say("/status"))[0].startswith("[alice] Your application #1, sent on")
    # Edit asks for the text again; only Send tells the applicant
    await bot.say("[moderators] /reject 1 Incomplete.", as_="admin")
    assert (await bot.say("[moderators] #2", as_="admin")) == [WRITE_REASON, "[#1] Keep waiting"]
    await bot.say("[moderators] We need the list of trainings you gave.", as_="admin")
    sent = await bot.say("[moderators] #1", as_="admin")
    assert sent == [
        "[alice] Your application #1 has not been accepted. The moderators wrote: We need the list of "
        "trainings you gave.",
        "  ",
        "  You can apply again at any time with /apply.",
        "[moderators] Application #1 from Alice Doe rejected; they have been told the reason.",
    ]
    async with bot.bot.db.transaction() as session:
        reasons = (
            await session.scalars(select(AuditEntry.reason).where(AuditEntry.action == "application.reject"))
        ).all()
    assert reasons == ["We need the list of trainings you gave."]


async def test_a_started_note_lapses_after_ten_minutes(bot: Harness) -> None:
    await submit(bot)
    await bot.say("#2", as_="admin")  # Reject on the card
    bot.clock.advance(timedelta(minutes=10))
    assert await bot.say("ok, let me look at her CV first", as_="admin") == [f"[admin] {JUST_A_MESSAGE}"]
    # shown back, then left for ten minutes: Send does nothing
    await bot.say("/reject 1 Not enough experience.", as_="admin")
    bot.clock.advance(timedelta(minutes=10, seconds=1))
    assert await bot.say("#1", as_="admin") == [f"[admin] {NOTHING_WAITING}"]
    assert (await bot.say("/status"))[0].startswith("[alice] Your application #1, sent on")


async def test_any_command_drops_the_note_being_written(bot: Harness) -> None:
    await submit(bot)
    await bot.say("#3", as_="admin")  # Ask for more information on the card
    dropped = await bot.say("/applications", as_="admin")
    assert dropped[0] == (
        "[admin] You sent a command, so your question about application #1 was not sent; the "
        "application is still waiting for a decision."
    )
    assert dropped[1] == "[admin] Applications waiting for a decision (page 1 of 1):"
    # the next message is just a message: not shown back, and nothing reaches the applicant
    assert await bot.say("ok, let me look at her CV first", as_="admin") == [f"[admin] {JUST_A_MESSAGE}"]


async def test_a_decided_application_says_who_decided_when_and_why(bot: Harness) -> None:
    await submit(bot)
    await bot.say("/reject 1 We only admit trainers with five years of practice.", as_="admin")
    await bot.say("#1", as_="admin")
    why = (
        "Application #1 was already rejected by admin on Sep 22, 2026, 9:00\u202fAM UTC, with this reason: "
        "We only admit trainers with five years of practice."
    )
    assert await bot.say("/approve 1", as_="maya") == [f"[maya] {why}"]
    assert await bot.say("/reject 1 again", as_="maya") == [f"[maya] {why}"]
    assert await bot.say("/ask 1", as_="maya") == [f"[maya] {why}"]
    await submit(bot, "bea", answers=form_answers("Bea Lee", "bea@example.org"))
    await bot.say("/approve 2", as_="maya")
    assert await bot.say("/approve 2", as_="admin") == [
        "[admin] Application #2 was already approved by Maya on Sep 22, 2026, 9:00\u202fAM UTC."
    ]
    assert await bot.say("#2", as_="admin") == [  # Reject on the old card: nothing changes
        "[admin] Application #2 was already approved by Maya on Sep 22, 2026, 9:00\u202fAM UTC."
    ]


async def test_ask_edit_one_field_resubmit_see_the_changes_then_approve(bot: Harness) -> None:
    await submit(bot, "carla", "es", carla_form_answers())
    await bot.say("#3", as_="admin")
    await bot.say("Which organisations have you trained for?", as_="admin")
    sent = await bot.say("#1", as_="admin")
    assert sent == [
        "[carla] La moderación tiene una pregunta sobre tu solicitud n.º 1:",
        "  ",
        "  Which organisations have you trained for?",
        "  ",
        "  Pulsa el botón de abajo o envía /apply para ver tus respuestas, cambiar lo necesario y "
        "enviarlas de nuevo.",
        "[#1] Cambiar mis respuestas",
        "[admin] Application #1 from Carla Ruiz went back to them with your question; it comes back "
        "here when they send it again.",
    ]
    assert (await bot.say("/status", as_="carla"))[0].startswith("[carla] La moderación hizo una pregunta")
    assert (await bot.say("/application 1", as_="admin"))[0] == (
        "[admin] Application #1 from Carla Ruiz (changes requested):"
    )
    assert (await bot.say("/approve 1", as_="maya"))[0] == (
        "[maya] Application #1 went back to the applicant: admin asked on Sep 22, 2026, 9:00\u202fAM UTC: "
        "Which organisations have you trained for?"
    )
    reopened = await bot.say("#1", as_="carla")  # the button under the question
    assert reopened[:3] == [
        "[carla] La moderación preguntó: Which organisations have you trained for?",
        "  ",
        "  Cambia las respuestas que lo necesiten con los botones de abajo y pulsa Enviar para "
        "mandar tu solicitud de nuevo.",
    ]
    assert "  Organización: ONG" in reopened
    assert reopened[-2:] == ["[#14] Enviar", "[#15] Cancelar"]
    # the plain messages of the applicant answer the one form flow again
    assert (await bot.say("#3", as_="carla"))[0].startswith("[carla] Pregunta 3 de 13")
    back = await bot.say("ONU Mujeres y ministerios", as_="carla")
    assert "  Organización: ONU Mujeres y ministerios" in back
    resubmitted = await bot.say("#14", as_="carla")
    assert resubmitted[0].startswith("[carla] ¡Gracias! Tu solicitud n.º 1")
    assert to(resubmitted, "admin") == ["[admin] Application #1 from Carla Ruiz is back with changes."]
    card = resubmitted[resubmitted.index("[admin] Application #1 from Carla Ruiz is back with changes.") :]
    assert card[1:6] == [
        "  Account: console:carla (@carla).",
        "  admin asked: Which organisations have you trained for?",
        "  What changed:",
        "  Organisation: ONG → ONU Mujeres y ministerios",
        "  Send /application 1 to see the whole application.",
    ]
    assert card[-3:] == ["[#1] Approve", "[#2] Reject", "[#3] Ask for more information"]
    approved = await bot.say("#1", as_="admin")
    assert approved[0] == (
        "[carla] ¡Te damos la bienvenida a la comunidad de práctica, Carla Ruiz! Tu solicitud n.º 1 "
        "ha sido aprobada."
    )
    shown = await bot.say("/application 1", as_="admin")
    assert shown[1] == "  Account: console:carla (@carla). Language: Spanish."
    assert shown[shown.index("  History:") :] == [
        "  History:",
        "  Sep 22, 2026, 9:00\u202fAM UTC: sent by carla.",
        "  Sep 22, 2026, 9:00\u202fAM UTC: admin asked: Which organisations have you trained for?",
        "  Sep 22, 2026, 9:00\u202fAM UTC: sent again by carla, with changes:",
        "  Organisation: ONG → ONU Mujeres y ministerios",
        "  Sep 22, 2026, 9:00\u202fAM UTC: approved by admin.",
    ]
    async with bot.bot.db.transaction() as session:
        kinds = (await session.scalars(select(ApplicationEvent.kind).order_by(ApplicationEvent.id))).all()
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert kinds == ["submitted", "asked", "resubmitted", "approved"]
    assert actions == ["application.submit", "application.ask", "application.submit", "application.approve"]


async def test_the_member_card_links_the_application_and_shows_what_it_said(bot: Harness) -> None:
    await submit(bot)
    await bot.say("/approve 1", as_="admin")
    card = await bot.say("/member console:alice", as_="maya")
    assert "  Accounts: console:alice (@alice)" in card
    assert card[-3:] == [
        "  Application: /application 1 (approved)",
        "  Organisation: Independent",
        "  Areas of expertise: Gender mainstreaming, Women's economic empowerment",
    ]


async def test_a_rejected_applicant_starts_again_from_their_answers(bot: Harness) -> None:
    await submit(bot)
    await bot.say("/reject 1 Please tell us more about your motivation.", as_="admin")
    await bot.say("#1", as_="admin")
    again = await bot.say("/apply")
    assert again[0] == (
        "[alice] Welcome back! Your answers from application #1 are filled in. Change what you want "
        "with the buttons below, then press Submit to send them."
    )
    assert "  Organisation: Independent" in again
    assert again[-2:] == ["[#14] Submit", "[#15] Cancel"]
    await bot.say("#10")
    await bot.say("I want to learn from other trainers, share my materials and mentor new ones.")
    lines = await bot.say("#14")
    assert "[admin] New application #2 from Alice Doe:" in lines
    assert (
        "  Motivation: I want to learn from other trainers, share my materials and mentor new ones." in lines
    )


async def test_the_history_is_personal_data_of_the_applicant_not_of_the_moderator(
    bot: Harness, tmp_path: Path
) -> None:
    await submit(bot)
    await bot.say("/ask 1 Which organisations have you trained for?", as_="maya")
    await bot.say("#1", as_="maya")
    exported = await bot.say("/mydata")
    data = json.loads(Path(exported[1].removeprefix("[alice] (file) ")).read_text(encoding="utf-8"))
    assert [(e["what"], e["note"]) for e in data["applications"][0]["history"]] == [
        ("submitted", None),
        ("asked", "Which organisations have you trained for?"),
    ]
    await bot.say("/forget", as_="maya")
    await bot.say("#1", as_="maya")
    history = await bot.say("/application 1", as_="admin")
    asked = next(line for line in history if "asked: Which organisations" in line)
    assert "maya" not in asked.lower()  # the moderator's name went with her
    await bot.say("/forget")
    await bot.say("#1")
    async with bot.bot.db.transaction() as session:
        assert (await session.scalars(select(ApplicationEvent))).all() == []


async def test_a_note_being_written_survives_a_restart(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    first = await Harness.start(db, tmp_path, clock=clock, flood=FAST)
    await submit(first)
    await first.say("#2", as_="admin")
    await first.stop()
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, clock=clock, flood=FAST)
    try:
        shown = await second.say("Your training record is incomplete.", as_="admin")
        assert shown[0] == "[admin] The applicant of application #1 will read this reason for the rejection:"
        assert (await second.say("#1", as_="admin"))[-1] == (
            "[admin] Application #1 from Alice Doe rejected; they have been told the reason."
        )
    finally:
        await second.stop()
