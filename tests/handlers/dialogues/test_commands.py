"""Virtual dialogues through the console: planning, posting on time, collecting replies."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from bot.core.errors import RecipientUnreachable
from bot.core.types import (
    ChatRef,
    IncomingMessage,
    MessageDeleted,
    MessageRef,
    OutgoingMessage,
    Role,
    UserRef,
)
from handlers.dialogues.timers import DialogueTimers
from storage.db import Database
from storage.models import OutboxMessage, Person, PromptCopy, PromptPost, Reply
from storage.users import ProfileCache, UserRepository
from tests.fakes import Harness


async def make_member(
    harness: Harness, name: str, country: str | None = None, role: Role = Role.MEMBER
) -> int:
    """Store console user ``name`` with ``role`` (and a country), as an approval would."""
    now = harness.clock.now()
    async with harness.bot.db.transaction() as session:
        users = UserRepository(session)
        person_id = (await users.resolve(UserRef("console", name, name), now)).person_id
        await users.grant(person_id, role, now)
        await session.execute(update(Person).where(Person.id == person_id).values(country=country))
    harness.bot.shared.get(ProfileCache).forget(person_id)
    return person_id


async def post_due(harness: Harness) -> list[str]:
    """Run the dialogue job as a timer would; the lines it printed."""
    await harness.bot.shared.get(DialogueTimers).run()
    return harness.console.take()


async def plan(harness: Harness, *prompts: str) -> list[str]:
    """Dialogue 1 from 2026-09-22 to 2026-10-17, with prompts ``"YYYY-MM-DD HH:MM text"``.

    The clock starts on 2026-09-22 at 09:00 UTC: the dialogue opens as soon as it is
    made, and a prompt for 09:00 is posted as soon as it is added. Returns every line printed.
    """
    lines = await harness.say('/dialogue_new "Current Situation" 2026-09-22 2026-10-17', as_="admin")
    assert lines[0].startswith(
        "[admin] Dialogue 1 Current Situation planned from Sep 22, 2026 to Oct 17, 2026 (UTC)"
    )
    for prompt in prompts:
        answer = await harness.say(f"/prompt_add 1 {prompt}", as_="admin")
        assert answer[0].startswith("[admin] Prompt ")
        lines += answer
    return lines


async def count(db: Database, model: type[PromptPost] | type[Reply]) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_prompt_is_posted_at_its_time_in_its_own_thread(harness: Harness) -> None:
    planned = await plan(harness, "2026-09-22 10:00 What changed in your trainings this year?")
    assert planned[1:] == [  # a dialogue made for today is announced at once
        "[community] The virtual dialogue Current Situation opens today and runs until Oct 17, 2026. "
        "Each prompt gets its own thread: reply there.",
        "[admin] Prompt 1.1 will be posted on Sep 22, 2026, 10:00\u202fAM (UTC).",
    ]
    assert await post_due(harness) == []
    harness.clock.advance(timedelta(minutes=59))
    assert await post_due(harness) == []
    harness.clock.advance(timedelta(minutes=1))
    assert await post_due(harness) == [
        "[community/1] (new thread) Current Situation — prompt 1.1",
        "[community/1] Current Situation — prompt 1.1",
        "  ",
        "  What changed in your trainings this year?",
    ]
    assert await post_due(harness) == []
    async with harness.bot.db.transaction() as session:
        post = (await session.execute(select(PromptPost))).scalar_one()
    assert (post.chat_id, post.thread_id, post.posted_at) == ("community", "1", harness.clock.now())
    lines = await harness.say("/dialogue 1", as_="bea")
    assert "[bea] Current Situation (Sep 22, 2026 to Oct 17, 2026, UTC)" in lines
    assert "  Prompt 1.1 (Sep 22, 2026, 10:00\u202fAM): What changed in your trainings this year?" in lines


async def test_dialogue_invites_replies_to_the_latest_posted_prompt_only(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:00 First question", "2026-09-29 09:00 Second question")
    await post_due(harness)
    member = await harness.say("/dialogue 1", as_="bea")
    assert "  Prompt 1.1 (Sep 22, 2026, 9:00\u202fAM): First question" in member
    assert not any("Second question" in line for line in member)  # not posted: members do not see it
    assert (
        member[-1]
        == "  Reply in the prompt's thread in the community chat, or privately with /reply 1.1 <text>."
    )
    moderator = await harness.say("/dialogue 1", as_="admin")
    assert "  Prompt 1.2 (to be posted Sep 29, 2026, 9:00\u202fAM): Second question" in moderator
    assert moderator[-1].endswith("/reply 1.1 <text>.")


async def test_racing_runs_open_the_dialogue_and_post_each_prompt_once(harness: Harness) -> None:
    await harness.say('/dialogue_new "Race" 2026-09-23 2026-09-30', as_="admin")
    await harness.say("/prompt_add 1 2026-09-23 10:00 First", as_="admin")
    await harness.say("/prompt_add 1 2026-09-23 10:00 Second", as_="admin")
    harness.clock.advance(timedelta(days=1, hours=1))
    await asyncio.gather(*(harness.bot.shared.get(DialogueTimers).run() for _ in range(4)))
    lines = harness.console.take()
    assert sum("opens today" in line for line in lines) == 1
    assert sum("(new thread)" in line for line in lines) == 2
    assert await count(harness.bot.db, PromptPost) == 2


async def test_a_restart_posts_each_missed_prompt_exactly_once(db: Database, tmp_path: Path) -> None:
    first = await Harness.start(db, tmp_path)
    await plan(first, "2026-09-23 09:00 One", "2026-09-24 09:00 Two", "2026-10-01 09:00 Later")
    await first.stop()
    first.clock.advance(timedelta(days=3))  # the bot was down on both dates
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, clock=first.clock)
    try:
        caught_up = second.console.take()
        assert [line for line in caught_up if "(new thread)" in line] == [
            "[community/1] (new thread) Current Situation — prompt 1.1",
            "[community/2] (new thread) Current Situation — prompt 1.2",
        ]
        assert await post_due(second) == []
        assert await count(again, PromptPost) == 2
    finally:
        await second.stop()
    third = await Harness.start(
        Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args),
        tmp_path,
        clock=first.clock,
    )
    try:
        assert not any("(new thread)" in line for line in third.console.take())
    finally:
        await third.stop()


async def test_dates_follow_the_dialogue_time_zone_across_a_dst_change(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path, timezone="Europe/Zurich")
    try:
        await harness.say('/dialogue_new "Autumn" 2026-10-20 2026-10-30', as_="admin")
        # Zurich leaves summer time on 2026-10-25: 10:00 is 08:00 UTC before, 09:00 UTC after.
        before = await harness.say("/prompt_add 1 2026-10-23 10:00 Before", as_="admin")
        after = await harness.say("/prompt_add 1 2026-10-27 10:00 After", as_="admin")
        assert before == ["[admin] Prompt 1.1 will be posted on Oct 23, 2026, 10:00\u202fAM (Europe/Zurich)."]
        assert after == ["[admin] Prompt 1.2 will be posted on Oct 27, 2026, 10:00\u202fAM (Europe/Zurich)."]
        harness.clock.current = harness.clock.current.replace(month=10, day=19, hour=21, minute=59)
        assert await post_due(harness) == []  # 23:59 in Zurich: not open yet
        harness.clock.current = harness.clock.current.replace(hour=22, minute=0)
        assert "opens today" in (await post_due(harness))[0]
        harness.clock.current = harness.clock.current.replace(day=23, hour=7, minute=59)
        assert await post_due(harness) == []
        harness.clock.current = harness.clock.current.replace(hour=8, minute=0)
        assert "(new thread)" in (await post_due(harness))[0]
        harness.clock.current = harness.clock.current.replace(day=27, hour=8, minute=59)
        assert await post_due(harness) == []
        harness.clock.current = harness.clock.current.replace(hour=9, minute=0)
        assert "(new thread)" in (await post_due(harness))[0]
        # the dialogue ends at midnight after its last day, in Zurich (23:00 UTC in winter)
        harness.clock.current = harness.clock.current.replace(day=30, hour=22, minute=59)
        assert await post_due(harness) == []
        harness.clock.current = harness.clock.current.replace(hour=23, minute=0)
        assert "is closed" in (await post_due(harness))[0]
    finally:
        await harness.stop()


async def test_members_replies_are_collected_edited_and_deleted(harness: Harness) -> None:
    await make_member(harness, "amina", "SN")
    await make_member(harness, "bruno", "BR")
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    assert await harness.say("[community/1] Much more online work.", as_="amina") == []
    assert await harness.say("[community/1] Budgets were cut.", as_="bruno") == []
    assert await harness.say("[community/1] I am not a member yet.", as_="guest") == [
        "[guest] Only members' replies are collected in the dialogue threads, so yours was not recorded. "
        "To join the community, send /apply to me."
    ]
    assert await harness.say("[community] not in a thread", as_="amina") == []
    assert await count(harness.bot.db, Reply) == 2
    async with harness.bot.db.transaction() as session:
        message_id = await session.scalar(select(Reply.message_id).where(Reply.text == "Budgets were cut."))
    assert message_id is not None
    # an edit replaces the text; a deletion hides the reply from exports
    await harness.bot.handle(_edit("bruno", message_id, "Budgets were cut by half."))
    await harness.bot.handle(
        MessageDeleted(
            event_id="del-1",
            sender=UserRef("console", "amina"),
            chat=ChatRef("console", "community", "1"),
            message_id=await _message_of(harness, "Much more online work."),
        )
    )
    await harness.bot.drain()
    harness.console.take()
    assert await count(harness.bot.db, Reply) == 2
    exported = await _export(harness, "json")
    replies = json.loads(exported)["prompts"][0]["replies"]
    assert [(r["author"], r["country"], r["text"]) for r in replies] == [
        ("bruno", "BR", "Budgets were cut by half.")
    ]
    assert replies[0]["edited_at"] is not None


async def test_closing_posts_a_digest_closes_threads_and_refuses_late_replies(harness: Harness) -> None:
    await make_member(harness, "amina", "SN")
    await make_member(harness, "bruno", "BR")
    await make_member(harness, "chen", "SN")
    await plan(harness, "2026-09-22 09:00 One", "2026-10-17 23:59 Two")
    await post_due(harness)
    for name in ("amina", "bruno", "chen"):
        await harness.say(f"[community/1] reply from {name}", as_=name)
    await harness.say("[community/1] another from amina", as_="amina")
    harness.clock.current = harness.clock.current.replace(month=10, day=18, hour=0, minute=0)
    lines = await post_due(harness)
    assert "[community/2] (new thread) Current Situation — prompt 1.2" not in lines  # too late to post
    assert (
        "[community] The virtual dialogue Current Situation is closed. Thank you! 4 replies from 3 "
        "participants in 2 countries (BR, SN)." in lines
    )
    assert "[community/1] (thread closed)" in lines
    assert harness.bot.platforms["console"].closed_threads == {ChatRef("console", "community", "1")}  # type: ignore[attr-defined]
    assert await post_due(harness) == []
    assert await harness.say("[community/1] a late thought", as_="amina", lang="fr") == [
        "[amina] Merci ! Ce dialogue est clos : votre message n’y a pas été ajouté."
    ]
    assert await count(harness.bot.db, Reply) == 4


async def test_bad_input_gets_a_specific_error_and_changes_nothing(harness: Harness) -> None:
    async def admin(line: str, lang: str = "en") -> str:
        return "\n".join(await harness.say(line, as_="admin", lang=lang))

    assert (
        await admin('/dialogue_new "X" 2026-13-01 2026-10-01')
        == "[admin] 2026-13-01 is not a date like 2026-09-22."
    )
    assert (
        await admin('/dialogue_new "X" 2026-10-01 2026-09-01')
        == "[admin] The end Sep 1, 2026 is before the start Oct 1, 2026."
    )
    assert (await admin('/dialogue_new "X" 2026-10-01 2026-10-09', "es")).startswith("[admin] Diálogo 1")
    assert await admin("/prompt_add 7 2026-10-02 10:00 Hello", "fr") == "[admin] Il n’y a pas de dialogue 7."
    assert await admin("/prompt_add 1 2026-10-02 25:00 Hello", "es") == (
        "[admin] 2026-10-02 25:00 no es una fecha y hora como 2026-09-22 09:00."
    )
    assert await admin("/prompt_add 1 2026-10-10 10:00 Hello") == (
        "[admin] 2026-10-10 10:00 is outside the dialogue's dates (Oct 1, 2026 to Oct 9, 2026)."
    )
    assert await admin("/prompt_edit 1.3 New text") == "[admin] There is no prompt 1.3."
    assert await admin("/dialogue 99") == "[admin] There is no dialogue 99."
    assert await admin("/export 1 pdf") == "[admin] I export as md, html, csv, json, not pdf."
    assert (
        await admin("/dialogue 1")
        == "[admin] X (Oct 1, 2026 to Oct 9, 2026, UTC)\n  No prompt has been posted yet."
    )
    assert (await harness.say("/dialogue_new X 2026-10-01 2026-10-09", as_="bea"))[0].startswith("[bea] ")
    assert "Dialogue 2" not in "\n".join(await harness.say("/dialogues", as_="bea"))


async def test_moderators_edit_delete_and_cancel(harness: Harness) -> None:
    await plan(harness, "2026-09-25 10:00 Draft wording", "2026-09-26 10:00 To delete")
    assert await harness.say("/prompt_edit 1.1 Better wording", as_="admin") == [
        "[admin] Prompt 1.1 changed; it is posted on Sep 25, 2026, 10:00\u202fAM (UTC)."
    ]
    assert await harness.say("/prompt_edit 1.1 2026-09-24 08:30", as_="admin") == [
        "[admin] Prompt 1.1 changed; it is posted on Sep 24, 2026, 8:30\u202fAM (UTC)."
    ]
    assert await harness.say("/prompt_delete 1.2", as_="admin") == ["[admin] Prompt 1.2 deleted."]
    harness.clock.advance(timedelta(days=2))
    assert "(new thread)" in (await post_due(harness))[0]
    assert await harness.say("/prompt_delete 1.1", as_="admin") == [
        "[admin] Prompt 1.1 is already posted; it cannot be deleted."
    ]
    assert await harness.say("/prompt_edit 1.1 2026-09-25 08:30", as_="admin") == [
        "[admin] Prompt 1.1 is already posted; its time cannot change."
    ]
    async with harness.bot.db.transaction() as session:
        opening_id = await session.scalar(select(PromptPost.message_id))
    assert await harness.say("/prompt_edit 1.1 Better wording, fixed", as_="admin") == [
        "[admin] Prompt 1.1 changed; it is posted on Sep 24, 2026, 8:30\u202fAM (UTC).",
        f"[community/1] (edited #{opening_id}) Current Situation — prompt 1.1",
        "  ",
        "  Better wording, fixed",
    ]
    lines = await harness.say("/dialogue 1", as_="admin")
    assert "  Prompt 1.1 (Sep 24, 2026, 8:30\u202fAM): Better wording, fixed" in lines
    assert not any("To delete" in line for line in lines)
    await harness.say("/prompt_add 1 2026-09-30 10:00 Never posted", as_="admin")
    assert (await harness.say("/dialogue_cancel 1", as_="admin"))[-2:] == [
        "[#1] Cancel the dialogue",
        "[#2] Keep it",
    ]
    assert await harness.say("#1", as_="admin") == [
        "[admin] Dialogue 1 is cancelled; nothing more of it will be posted.",
        "[community/1] The moderators have cancelled the virtual dialogue Current Situation; this thread is now closed. Thank you to everyone who took part.",
        "[community/1] (thread closed)",
    ]
    harness.clock.advance(timedelta(days=10))  # past the cancelled prompt's time
    assert await post_due(harness) == []
    assert await harness.say("/dialogues", as_="bea") == [
        "[bea] No virtual dialogue is open or planned at the moment.",
        "  Past dialogues: /dialogues all.",
    ]


async def test_private_replies_subscriptions_and_own_threads(harness: Harness) -> None:
    await make_member(harness, "amina", "SN")
    assert (await harness.say("/subscribe", as_="amina", lang="es"))[0].startswith("[amina] Recibirás")
    await plan(harness, "2026-09-22 09:30 What changed?")
    harness.clock.advance(timedelta(minutes=30))
    lines = await post_due(harness)
    await harness.bot.settle()  # the copies go through the outbox
    lines += harness.console.take()
    assert "[amina] Nueva consigna 1.1 de Current Situation:" in lines
    assert await harness.say("/reply 1.1 Privately: a lot.", as_="amina") == [
        "[community/1] amina replied: Privately: a lot.",
        "[amina] ¡Gracias! Tu respuesta a 1.1 «What changed?» (Current Situation) está guardada y publicada en su hilo.",
    ]
    assert await count(harness.bot.db, Reply) == 1
    # answering the copy received by direct message is a reply too
    async with harness.bot.db.transaction() as session:
        copy = (await session.execute(select(PromptCopy))).scalar_one()
        row = await session.get(OutboxMessage, copy.outbox_id)
    assert row is not None
    assert (copy.prompt_id, row.recipient_id, row.status) == (1, "amina", "sent")
    await harness.bot.handle(
        IncomingMessage(
            event_id="answer-copy",
            sender=UserRef("console", "amina", "amina", "es"),
            chat=ChatRef("console", "amina"),
            is_direct=True,
            text="And budgets shrank.",
            message_id="dm-1",
            reply_to=row.message_id,
        )
    )
    await harness.bot.drain()
    assert harness.console.take() == [
        "[community/1] amina replied: And budgets shrank.",
        "[amina] ¡Gracias! Tu respuesta a 1.1 «What changed?» (Current Situation) está guardada y publicada en su hilo.",
    ]
    assert await count(harness.bot.db, Reply) == 2
    assert (await harness.say("/reply 1.1 hi", as_="guest"))[0].startswith("[guest] ")
    assert await count(harness.bot.db, Reply) == 2
    assert (await harness.say("/unsubscribe", as_="amina"))[0].startswith("[amina] ")
    assert await harness.say("/thread Budgets in 2027", as_="amina") == [
        "[amina] Tu hilo Budgets in 2027 se está abriendo en el chat de la comunidad.",
        "[community/2] (new thread) Budgets in 2027",
        "[community/2] amina (Console) opened this thread: Budgets in 2027",  # the community's language
    ]


async def test_export_formats_escape_member_content(harness: Harness) -> None:
    await make_member(harness, "amina", "SN")
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    await harness.say("[community/1] <script>alert('x')</script> & more", as_="amina")
    markdown = await _export(harness, "md")
    assert "## 1.1 What changed?" in markdown
    assert (
        "- **amina** (console, SN, 2026-09-22 09:00 UTC): &lt;script&gt;alert('x')&lt;/script&gt; &amp; more"
        in markdown
    )
    assert "<script>" not in markdown
    page = await _export(harness, "html")
    assert page.startswith('<!doctype html>\n<html lang="en" dir="ltr">')
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; more" in page
    assert "/* The public site: system fonts only" in page  # the site's own style sheet, inline
    assert '<p class="meta"><strong>amina</strong> (console, SN, 2026-09-22 09:00 UTC)</p>' in page
    table = await _export(harness, "csv")
    assert table.splitlines()[0] == "prompt,prompt_text,author,country,platform,created_at,edited_at,text"
    assert "amina,SN,console" in table
    assert "@" not in json.dumps(json.loads(await _export(harness, "json")))


async def _export(harness: Harness, kind: str) -> str:
    lines = await harness.say(f"/export 1 {kind}", as_="admin")
    assert lines[0] == "[admin] The export of dialogue 1:"
    path = Path(lines[1].removeprefix("[admin] (file) "))
    assert path.name.startswith("dialogue-1")
    return path.read_text(encoding="utf-8")


async def _message_of(harness: Harness, text: str) -> str:
    async with harness.bot.db.transaction() as session:
        found = await session.scalar(select(Reply.message_id).where(Reply.text == text))
    assert found is not None
    return found


def _edit(user: str, message_id: str, text: str) -> IncomingMessage:
    return IncomingMessage(
        event_id=f"edit-{message_id}",
        sender=UserRef("console", user, user),
        chat=ChatRef("console", "community", "1"),
        text=text,
        message_id=message_id,
        edited=True,
    )


async def test_a_failed_post_gives_its_claim_back_and_the_next_run_posts_it(harness: Harness) -> None:
    await plan(harness, "2026-09-22 09:30 What changed?")
    harness.clock.advance(timedelta(minutes=30))
    console = harness.console
    real_create_thread = console.create_thread
    failures = []

    async def unavailable(chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        failures.append(title)
        raise RecipientUnreachable("the community chat is unavailable")

    console.create_thread = unavailable  # type: ignore[method-assign]
    assert not any("(new thread)" in line for line in await post_due(harness))
    assert failures == ["Current Situation — prompt 1.1"]
    assert await count(harness.bot.db, PromptPost) == 0  # the claim was given back
    console.create_thread = real_create_thread  # type: ignore[method-assign]
    assert "[community/1] (new thread) Current Situation — prompt 1.1" in await post_due(harness)
    assert await post_due(harness) == []


async def test_dialogues_lists_open_and_upcoming_in_the_users_language(harness: Harness) -> None:
    await plan(harness)
    await harness.say('/dialogue_new "Winter" 2026-12-01 2026-12-12', as_="admin")
    await post_due(harness)
    assert await harness.say("/dialogues", as_="bea", lang="fr") == [
        "[bea] Dialogues virtuels :",
        "  1. Current Situation : ouvert jusqu’au 17 oct. 2026",
        "  2. Winter : du 1 déc. 2026 au 12 déc. 2026",
        "  Envoyez /dialogue <id> pour en voir un.",
        "  Dialogues passés : /dialogues all.",
    ]


async def test_a_time_skipped_by_the_clocks_changing_is_refused(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path, timezone="Europe/Zurich")
    try:
        await harness.say('/dialogue_new "Spring" 2027-03-22 2027-04-02', as_="admin")
        assert await harness.say("/prompt_add 1 2027-03-28 02:30 Too early", as_="admin", lang="es") == [
            "[admin] 2027-03-28 02:30 no existe en Europe/Zurich (cambio de hora)."
        ]
        assert await harness.say("/prompt_add 1 2027-03-28 03:30 Fine", as_="admin") == [
            "[admin] La consigna 1.1 se publicará el 28 mar 2027, 3:30 (Europe/Zurich)."
        ]
    finally:
        await harness.stop()


async def test_a_command_missing_its_arguments_shows_its_usage(harness: Harness) -> None:
    assert await harness.say("/prompt_add 1 2026-09-22", as_="admin", lang="fr") == [
        "[admin] Utilisation : /prompt_add <dialogue> <AAAA-MM-JJ HH:MM | now> <texte>"
    ]
    assert await harness.say('/dialogue_new "Only a title"', as_="admin", lang="en") == [
        '[admin] Usage: /dialogue_new "<title>" <start YYYY-MM-DD> <end YYYY-MM-DD>'
    ]
