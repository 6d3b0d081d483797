"""The application form and its review, whole conversations on the console, on every backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.core.pacing import UNLIMITED
from bot.core.types import ChatRef, IncomingMessage, JoinRequest, Role, UserRef
from bot.features import SystemJob
from handlers.application import jobs
from storage.db import Database
from storage.models import Application, AuditEntry, Person
from storage.users import ProfileCache, UserRepository
from tests.fakes import FakeClock, Harness, LimitedPlatform, carla_form_answers, form_answers

#: Answers to the default form, in order, up to the summary (English).
ANSWERS = form_answers()
FAST = {"rate": 1e6, "burst": 10**6}
REFUSED = (
    "This must be accepted to go on: the form cannot be sent without it. Press \u201cYes, I accept\u201d to "
    "continue, or send /cancel to discard the form."
)


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, admins=("console:admin",), flood=FAST)
    yield running
    await running.stop()


async def fill(
    bot: Harness, who: str = "alice", lang: str | None = None, answers: list[str] = ANSWERS
) -> list[str]:
    lines = await bot.say("/apply", as_=who, lang=lang)
    for answer in answers:
        lines = await bot.say(answer, as_=who)
    return lines


async def run_job(bot: Harness, job: SystemJob) -> None:
    """Run a scheduled job as the scheduler would, and deliver what it queued in the outbox."""
    await bot.bot.run_system(job.__name__, job)
    await bot.bot.settle()


async def person(bot: Harness, name: str) -> Person:
    async with bot.bot.db.transaction() as session:
        identity = await UserRepository(session).find("console", name)
        assert identity is not None
        found = await session.get(Person, identity.person_id)
        assert found is not None
        roles = await UserRepository(session).roles(found.id)
        found.roles_seen = roles  # type: ignore[attr-defined]
        return found


async def test_apply_answer_submit_and_approve(bot: Harness) -> None:
    summary = await fill(bot)
    assert (
        summary[0] == "[alice] Please check your answers. Press a field to change it, or Submit to send them."
    )
    assert "  Country: Kenya (KE)" in summary
    assert "  Training languages: English, French" in summary
    assert "  Areas of expertise: Gender mainstreaming, Women's economic empowerment" in summary
    assert "  How you heard of us: (skipped)" in summary
    assert summary[-2:] == ["[#14] Submit", "[#15] Cancel"]
    submitted = await bot.say("#14")
    assert submitted[0].startswith("[alice] Thank you! Your application #1 has been sent to the moderators.")
    assert "[admin] New application #1 from Alice Doe:" in submitted
    assert "  Account: console:alice (@alice). Language: English." in submitted
    assert submitted[-3:] == ["[#1] Approve", "[#2] Reject", "[#3] Ask for more information"]
    assert (await person(bot, "alice")).roles_seen == {Role.APPLICANT}  # type: ignore[attr-defined]
    assert await bot.say("/status") == [
        "[alice] Your application #1, sent on Sep 22, 2026, is waiting for a decision by the moderators."
    ]
    assert await bot.say("/apply") == [
        "[alice] Your application #1 is waiting for a decision by the moderators."
    ]

    decided = await bot.say("#1", as_="admin")
    assert decided == [
        "[alice] Welcome to the community of practice, Alice Doe! Your application #1 has been approved.",
        "  ",
        "  The community chat: I am letting you in now. If an invitation or an invite link reaches you, "
        "accept it to join.",
        "  ",
        "  No dialogue is open right now: /dialogues shows the coming ones.",
        "  ",
        "  Find resources with /wiki, fellow members with /directory, and all your commands with /help.",
        "[admin] Application #1 from Alice Doe approved: they are now a member.",
        "[community] (joined) alice",
    ]
    alice = await person(bot, "alice")
    assert alice.country == "KE"
    assert alice.roles_seen == {Role.MEMBER}  # type: ignore[attr-defined]
    assert await bot.say("/status") == ["[alice] Your application #1 was approved. Welcome to the community!"]
    async with bot.bot.db.transaction() as session:
        actions = (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
    assert actions == ["application.submit", "application.approve"]


async def test_every_validation_error_names_the_problem_and_asks_again(bot: Harness) -> None:
    await bot.say("/apply")
    cases = [
        ("A", "Please write at least 2 characters (you wrote 1).", "Question 1 of 13"),
        ("Alice", None, "Question 2 of 13"),
        ("alice@", "That does not look like an email address, such as name@example.org.", "Question 2 of 13"),
        ("a@b.org", None, "Question 3 of 13"),
        ("Org", None, "Question 4 of 13"),
        ("Lead", None, "Question 5 of 13"),
        ("Zqxw", "I do not know the country “Zqxw”. Please type its name.", "Question 5 of 13"),
        (
            "Narnia",
            "I do not know the country “Narnia”. Did you mean one of these? Press its button, or type the name again.",
            "Question 5 of 13",
        ),
        ("Allemagne", None, "Question 6 of 13"),
        (
            "Klingon",
            "I did not recognise: Klingon. Press the buttons, or type the options separated by commas.",
            "Question 6 of 13",
        ),
        ("#9", "Choose at least one option, then press Done.", "Question 6 of 13"),
        ("Spanish", None, "Question 7 of 13"),
        ("health", None, "Question 8 of 13"),
        ("many", "Please answer with a whole number, such as 5.", "Question 8 of 13"),
        ("61", "Please answer with a number from 0 to 60.", "Question 8 of 13"),
        ("0", None, "Question 9 of 13"),
        ("media", None, "Question 10 of 13"),
        ("Too short", "Please write at least 20 characters (you wrote 9).", "Question 10 of 13"),
        ("Long enough motivation to join, surely.", None, "Question 11 of 13"),
        ("A colleague", None, "Question 12 of 13"),
        ("maybe", "Please answer yes or no, or press a button.", "Question 12 of 13"),
        ("no", REFUSED, "Question 12 of 13"),
        ("#2", REFUSED, "Question 12 of 13"),
        ("#1", None, "Question 13 of 13"),
    ]
    for answer, error, question in cases:
        lines = await bot.say(answer)
        text = "\n".join(lines)
        if error is not None:
            assert lines[0] == f"[alice] {error}", answer
        assert question in text, (answer, text)
    terms_shown = "\n".join(await bot.say("/back"))
    assert "Terms of Reference of the Community of Practice" in terms_shown
    assert "Your current answer: accepted" in terms_shown


async def test_a_message_without_text_gets_a_polite_reask(bot: Harness) -> None:
    await bot.say("/apply")
    sticker = IncomingMessage(
        event_id="sticker-1",
        sender=UserRef("console", "alice", "alice"),
        chat=ChatRef("console", "alice"),
        is_direct=True,
        text=None,
    )
    await bot.bot.handle(sticker)
    await bot.bot.drain()
    lines = bot.console.take()
    assert lines[0] == "[alice] I can only read text here."
    assert "Question 1 of 13: What is your full name?" in lines[-2]
    assert lines[-1] == "[#1] Cancel"


async def test_back_skip_and_cancel(bot: Harness) -> None:
    await bot.say("/apply")
    await bot.say("Alice Doe")
    back = await bot.say("/back")
    assert back[0] == "[alice] Question 1 of 13: What is your full name?"
    assert "Your current answer: Alice Doe" in "\n".join(back)
    first = await bot.say("/back")
    assert first[0] == "[alice] This is the first question."
    assert (await bot.say("/skip"))[0] == "[alice] This question must be answered: it cannot be skipped."
    assert (await bot.say("Alicia Doe"))[0] == "[alice] Question 2 of 13: What is your email address?"
    # other commands work mid-form, and the next answer continues it
    assert (await bot.say("/help"))[0] == "[alice] Commands you can use:"
    assert (await bot.say("a@b.org"))[0].startswith("[alice] Question 3 of 13")
    assert await bot.say("/cancel") == [
        "[alice] Do you really want to discard your application form and all its answers?",
        "[#1] Yes, discard it",
        "[#2] No, continue",
    ]
    assert (await bot.say("#2"))[0].startswith("[alice] Question 3 of 13")
    await bot.say("/cancel")
    assert await bot.say("#1") == [
        "[alice] Your application form has been discarded. Send /apply whenever you want to start again."
    ]
    assert await bot.say("/back") == [
        "[alice] You have no application form in progress. Send /apply to start one."
    ]
    assert await bot.say("hello") == [
        "[alice] I answer commands. Send /help to see the commands you can use."
    ]
    assert (await person(bot, "alice")).roles_seen == frozenset()  # type: ignore[attr-defined]
    assert (await bot.say("/apply"))[0].startswith("[alice] Welcome to the application form")


async def test_edit_from_the_summary_returns_to_the_summary(bot: Harness) -> None:
    await fill(bot)
    edit = await bot.say("#2")
    assert edit[0] == "[alice] Question 2 of 13: What is your email address?"
    back = await bot.say("new@example.org")
    assert back[0] == "[alice] Please check your answers. Press a field to change it, or Submit to send them."
    assert "  Email: new@example.org" in back
    toggled = await bot.say("#6")  # edit the languages: buttons start from the stored answer
    assert "[#1] ☑ English" in toggled
    await bot.say("#2")
    summary = await bot.say("#9")
    assert "  Training languages: English, Spanish, French" in summary


async def test_long_answers_are_cut_and_markup_is_kept_verbatim(bot: Harness) -> None:
    await bot.say("/apply")
    await bot.say("<b>Alice</b> & *Doe*\x07")
    for answer in ANSWERS[1:9]:
        await bot.say(answer)
    cut = await bot.say("x" * 2000)
    assert cut[0] == "[alice] Your answer was longer than 1500 characters: I kept the first 1500."
    async with bot.bot.db.transaction() as session:
        stored = await session.scalar(select(Application))
        assert stored is not None
        # markup verbatim; the control character went at the platform boundary (bot.core.text_safety)
        assert stored.answers["full_name"] == "<b>Alice</b> & *Doe*"
        assert stored.answers["motivation"] == "x" * 1500


async def test_rejection_in_the_applicants_language_and_double_decision(bot: Harness) -> None:
    await fill(bot, "carla", "es", carla_form_answers())
    await bot.say("#14", as_="carla")
    assert await bot.say("/reject 1", as_="admin") == [
        "[admin] Write the reason for rejecting application #1 in your next message here; the applicant "
        "will read it. I will show it to you before anything is sent. This lapses after 10 minutes or "
        "when you send a command.",
        "[#1] Keep waiting",
    ]
    assert await bot.say("#1", as_="admin") == ["[admin] Application #1 is still waiting for a decision."]
    assert (await bot.say("just chatting", as_="admin"))[0] != "[carla]"  # no reason pending any more
    shown = await bot.say("/reject 1 We need <more> detail on your training.", as_="admin")
    assert shown[-3:] == ["[#1] Send", "[#2] Edit", "[#3] Keep waiting"]
    rejected = await bot.say("#1", as_="admin")
    assert (
        rejected[0]
        == "[carla] Tu solicitud n.º 1 no ha sido aceptada. La moderación escribió: We need <more> detail on your training."
    )
    assert rejected[-1] == "[admin] Application #1 from Carla Ruiz rejected; they have been told the reason."
    assert await bot.say("/approve 1", as_="admin") == [
        "[admin] Application #1 was already rejected by admin on Sep 22, 2026, 9:00\u202fAM UTC, with this reason: "
        "We need <more> detail on your training."
    ]
    async with bot.bot.db.transaction() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "application.reject"))
        assert entry is not None
        assert (entry.actor, entry.target, entry.reason) == (
            "console:admin",
            "application:1",
            "We need <more> detail on your training.",
        )
    assert (await bot.say("/apply", as_="carla"))[0].startswith(
        "[carla] ¡Hola de nuevo! Tus respuestas de la solicitud n.º 1 ya están completadas."
    )


async def test_reject_by_button_shows_the_next_message_back_before_sending(bot: Harness) -> None:
    await fill(bot)
    await bot.say("#14")
    await bot.say("#2", as_="admin")
    assert not any(  # someone else's plain message is not the reason
        line.startswith("[alice]") for line in await bot.say("I think so too", as_="mallory")
    )
    shown = await bot.say("Please tell us more about your <training> work.", as_="admin")
    assert shown == [
        "[admin] The applicant of application #1 will read this reason for the rejection:",
        "  ",
        "  Please tell us more about your <training> work.",
        "[#1] Send",
        "[#2] Edit",
        "[#3] Keep waiting",
    ]
    decided = await bot.say("#1", as_="admin")
    assert decided == [
        "[alice] Your application #1 has not been accepted. The moderators wrote: "
        "Please tell us more about your <training> work.",
        "  ",
        "  You can apply again at any time with /apply.",
        "[admin] Application #1 from Alice Doe rejected; they have been told the reason.",
    ]
    assert await bot.say("/status") == [
        "[alice] Your application #1 was not accepted. The moderators wrote: Please tell us more about "
        "your <training> work.",
        "  ",
        "  You can send /apply to apply again.",
    ]
    # the reason was used once: the moderator's next message is just a message
    assert not any(line.startswith("[alice]") for line in await bot.say("thanks", as_="admin"))


async def test_only_moderators_see_and_decide_applications(bot: Harness) -> None:
    await fill(bot)
    await bot.say("#14")
    assert await bot.say("/application 1", as_="mallory") == [
        "[mallory] Sorry, /application is for moderators only."
    ]
    assert await bot.say("/approve 1", as_="mallory") == ["[mallory] Sorry, /approve is for moderators only."]
    shown = await bot.say("/application 1", as_="admin")
    assert shown[0] == "[admin] Application #1 from Alice Doe (waiting for a decision):"
    listed = await bot.say("/applications", as_="admin")
    assert listed[:2] == [
        "[admin] Applications waiting for a decision (page 1 of 1):",
        "  #1 Alice Doe, sent on Sep 22, 2026",
    ]


async def test_moderators_by_grant_are_notified_in_their_language(bot: Harness) -> None:
    await bot.say("/language fr", as_="maya")
    async with bot.bot.db.transaction() as session:
        identity = await UserRepository(session).find("console", "maya")
        assert identity is not None
        await UserRepository(session).grant(identity.person_id, Role.MODERATOR, bot.clock.now())
    await fill(bot)
    lines = await bot.say("#14")
    assert "[maya] Nouvelle candidature n° 1 de Alice Doe :" in lines
    assert "  Pays : Kenya (KE)" in lines


async def test_a_platform_with_a_moderators_chat_gets_one_card_there(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    group = LimitedPlatform(UNLIMITED, name="telegram")
    group.moderator_chat = ChatRef("telegram", "-100")
    running = await Harness.start(
        db, tmp_path, clock=clock, admins=("console:admin", "telegram:9"), flood=FAST, extra_platforms=[group]
    )
    try:
        lines = await fill(running)
        lines = await running.say("#14")
        assert "[admin] New application #1 from Alice Doe:" in lines  # the console has no such chat
        await running.bot.settle()
        assert [who for _, who, _ in group.delivered] == ["-100"]  # not also to telegram:9 directly
        assert group.delivered[0][2].startswith("New application #1 from Alice Doe:")
    finally:
        await running.stop()


async def test_the_form_resumes_after_a_restart(db: Database, tmp_path: Path) -> None:
    first = await Harness.start(db, tmp_path, flood=FAST)
    await first.say("/apply")
    await first.say("Alice Doe")
    await first.say("alice@example.org")
    await first.stop()
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, flood=FAST)
    try:
        assert (await second.say("Independent"))[0].startswith("[alice] Question 4 of 13")
        resumed = await second.say("/apply")
        assert resumed[0] == "[alice] Welcome back! Let us continue where you left off."
        assert "Question 4 of 13" in resumed[2]
    finally:
        await second.stop()


async def test_a_changed_form_drops_old_answers_and_asks_new_steps(db: Database, tmp_path: Path) -> None:
    first = await Harness.start(db, tmp_path, flood=FAST)
    await first.say("/apply")
    await first.say("Alice Doe")
    await first.stop()
    form = tmp_path / "form.yaml"
    form.write_text(
        """
steps:
  - field: city
    question: {en: "Which city?", es: "¿Qué ciudad?"}
    title: {en: City}
  - field: full_name
    question: {en: "Your name?"}
  - field: level
    kind: single
    question: {en: "Level?"}
    choices:
      - {value: low, label: {en: Low}}
      - {value: high, label: {en: High}}
""",
        encoding="utf-8",
    )
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, flood=FAST, application_form=form)
    try:
        assert (await second.say("/apply"))[2] == "  Question 1 of 3: Which city?"
        assert (await second.say("Geneva"))[0] == "[alice] Question 3 of 3: Level?"
        summary = await second.say("#2")
        assert summary[1:4] == ["  City: Geneva", "  Your name?: Alice Doe", "  Level?: High"]
    finally:
        await second.stop()


async def test_abandoned_forms_are_reminded_once_then_expire(bot: Harness) -> None:
    await bot.say("/apply", lang="fr")
    await bot.say("Alice Doe")
    bot.clock.advance(timedelta(days=2, hours=23))
    await run_job(bot, jobs.remind_and_expire_forms)
    assert bot.console.take() == []
    bot.clock.advance(timedelta(hours=2))
    await bot.bot.run_system("forms", jobs.remind_and_expire_forms)
    await run_job(bot, jobs.remind_and_expire_forms)  # reminders go through the outbox
    assert bot.console.take() == [
        "[alice] Votre formulaire de candidature n'est pas terminé. Envoyez /apply pour reprendre là où vous vous êtes arrêté."
    ]
    bot.clock.advance(timedelta(days=11))
    await run_job(bot, jobs.remind_and_expire_forms)
    assert bot.console.take() == [
        "[alice] Votre formulaire de candidature inachevé a expiré et a été supprimé. Envoyez /apply pour recommencer."
    ]
    assert (await bot.say("/status"))[0].startswith("[alice] Vous n'avez aucune candidature en cours.")


async def test_moderators_are_reminded_of_waiting_applications(bot: Harness) -> None:
    await fill(bot)
    await bot.say("#14")
    await run_job(bot, jobs.remind_reviewers)
    assert bot.console.take() == []
    bot.clock.advance(timedelta(days=2, minutes=1))
    await run_job(bot, jobs.remind_reviewers)
    assert bot.console.take() == [
        "[admin] These applications have been waiting for a decision for more than 2 days:",
        "  #1, sent on Sep 22, 2026",
    ]
    await run_job(bot, jobs.remind_reviewers)  # a restart the same day
    assert bot.console.take() == []
    bot.clock.advance(timedelta(days=1))
    await run_job(bot, jobs.remind_reviewers)
    assert bot.console.take()[0].startswith("[admin] These applications")


async def test_a_join_request_starts_the_form_or_lets_a_member_in(bot: Harness) -> None:
    def knock(user: str, event_id: str | None = None) -> JoinRequest:
        return JoinRequest(
            event_id=event_id or f"knock-{user}",
            sender=UserRef("console", user, user),
            chat=ChatRef("console", "community"),
        )

    await bot.bot.handle(knock("nadia"))
    await bot.bot.drain()
    lines = bot.console.take()
    assert lines[0] == "[nadia] Thank you for your interest in the community of practice!"
    assert "Question 1 of 13: What is your full name?" in "\n".join(lines)
    assert (await bot.say("Nadia K", as_="nadia"))[0].startswith("[nadia] Question 2 of 13")
    async with bot.bot.db.transaction() as session:
        identity = await UserRepository(session).find("console", "nadia")
        assert identity is not None
        await UserRepository(session).grant(identity.person_id, Role.MEMBER, bot.clock.now())
    bot.bot.shared.get(ProfileCache).forget(identity.person_id)
    await bot.bot.handle(knock("nadia", "knock-2"))
    await bot.bot.drain()
    assert bot.console.take() == [
        "[nadia] You are a member of the community: I have let you in.",
        "[community] (joined) nadia",
    ]


async def test_terms_are_shown_in_the_users_language(bot: Harness) -> None:
    spanish = await bot.say("/terms", lang="es")
    assert spanish[0] == "[alice] Términos de referencia de la comunidad de práctica"
    french = await bot.say("/terms", as_="bob", lang="fr")
    assert french[0] == "[bob] Termes de référence de la communauté de pratique"
    assert not any("#" in line or "**" in line for line in [*spanish, *french])


async def test_a_terms_file_replaces_the_shipped_terms(db: Database, tmp_path: Path) -> None:
    terms = tmp_path / "terms.md"
    terms.write_text("Be kind.\n", encoding="utf-8")
    running = await Harness.start(db, tmp_path, terms_file=terms)
    try:
        assert await running.say("/terms") == ["[alice] Be kind."]
    finally:
        await running.stop()


async def test_applications_are_listed_by_pages(bot: Harness) -> None:
    from storage.application.repository import ApplicationRepository, Status

    async with bot.bot.db.transaction() as session:
        users, applications = UserRepository(session), ApplicationRepository(session)
        for number in range(12):
            user = UserRef("console", f"person{number}", f"person{number}")
            profile = await users.resolve(user, bot.clock.now())
            draft = await applications.start(profile.person_id, user, bot.clock.now())
            await applications.close(
                draft, Status.SUBMITTED, bot.clock.now(), answers={"full_name": f"P{number}"}
            )
    first = await bot.say("/applications", as_="admin")
    assert first[0] == "[admin] Applications waiting for a decision (page 1 of 2):"
    assert first[1] == "  #1 P0, sent on Sep 22, 2026"
    assert first[-1] == "[#1] Next page"
    second = await bot.say("#1", as_="admin")
    assert second[:3] == [
        "[admin] Applications waiting for a decision (page 2 of 2):",
        "  #11 P10, sent on Sep 22, 2026",
        "  #12 P11, sent on Sep 22, 2026",
    ]


async def test_apply_in_a_group_continues_in_a_direct_chat(bot: Harness) -> None:
    lines = await bot.say("[community] /apply")
    assert lines[0] == "[community] I have sent you a direct message to continue there."
    assert lines[1].startswith("[alice] Welcome to the application form")
    assert await bot.say("[community] Alice Doe") == []  # group messages are not answers
    assert (await bot.say("Alice Doe"))[0].startswith("[alice] Question 2 of 13")


async def test_rejected_applications_are_deleted_after_the_retention_period(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    harness = await Harness.start(db, tmp_path, clock=clock, retention_days=180)
    try:
        now = clock.now()
        async with db.transaction() as session:
            person = (await UserRepository(session).resolve(UserRef("console", "old"), now)).person_id
            for status, decided in (("rejected", 181), ("rejected", 179), ("approved", 400)):
                session.add(
                    Application(
                        person_id=person,
                        platform="console",
                        platform_user_id="old",
                        status=status,
                        created_at=now - timedelta(days=decided + 1),
                        updated_at=now - timedelta(days=decided),
                        decided_at=now - timedelta(days=decided),
                    )
                )
        await harness.bot.run_system("retention", jobs.delete_old_rejections)
        async with db.transaction() as session:
            left = sorted(
                (a.status, (now - a.decided_at).days) for a in await session.scalars(select(Application))
            )
        assert left == [("approved", 400), ("rejected", 179)]
    finally:
        await harness.stop()
