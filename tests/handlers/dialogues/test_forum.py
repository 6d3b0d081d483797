"""The forum: console threads that outlive the process, ``/thread`` invitations, ``/threads``, ``/thread_close``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.core.types import Role
from handlers.dialogues.member_threads import parse_thread_args
from storage.db import Database
from storage.models import AuditEntry, MemberThread, RelayedMessage, Reply
from tests.fakes import FakeClock, Harness, MirrorPlatform
from tests.handlers.dialogues.mirroring import count, seat_amina_and_bea, settle
from tests.handlers.dialogues.test_commands import make_member, plan, post_due


async def _restarted(db: Database, tmp_path: Path, clock: FakeClock) -> Harness:
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    return await Harness.start(again, tmp_path, clock=clock)


async def test_console_threads_continue_after_a_restart_and_never_become_replies(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    first = await Harness.start(db, tmp_path, clock=clock)
    await make_member(first, "amina")
    await plan(first, "2026-09-22 09:00 What changed?")
    await post_due(first)
    assert "[community/2] (new thread) Budgets" in await first.say("/thread Budgets", as_="amina")
    await first.stop()

    second = await _restarted(db, tmp_path, clock)
    try:
        lines = await second.say("/thread Tools we use", as_="amina")
        assert "[community/3] (new thread) Tools we use" in lines
        assert await second.say("[community/3] We use the Harvard framework.", as_="amina") == []
        assert await second.say("[community/2] Ours shrank.", as_="amina") == []
        assert await count(second.bot.db, Reply) == 0  # member threads are no dialogue
        assert await second.say("[community/1] Budgets shrank.", as_="amina") == []
        assert await count(second.bot.db, Reply) == 1  # the prompt's thread still collects replies
        async with second.bot.db.transaction() as session:
            counts = {t.title: t.message_count for t in await session.scalars(select(MemberThread))}
        assert counts == {"Budgets": 1, "Tools we use": 1}
        # a thread the console never opened: an answer, nothing filed
        assert await second.say("[community/9] Hello?", as_="amina") == [
            "[amina] There is no open thread 9 here; nothing was posted.",
            "[amina] Open threads:",
            "  [community/3] Tools we use",
            "  [community/2] Budgets",
        ]
        assert await count(second.bot.db, Reply) == 1
    finally:
        await second.stop()


async def test_a_thread_with_a_quoted_title_invites_members_privately_in_their_language(
    harness: Harness,
) -> None:
    await make_member(harness, "amina")
    await make_member(harness, "bea")
    await harness.say("/language fr", as_="bea")  # bea's handle and language become known
    lines = await harness.say('/thread "Co-facilitators in West Africa" @bea #99 @nobody', as_="amina")
    assert lines == [
        "[amina] Your thread Co-facilitators in West Africa is being opened in the community chat.",
        "[amina] I found no member as #99, @nobody; they were not invited.",
        "[bea] amina vous invite au fil Co-facilitators in West Africa.",
        "[#1] Rejoindre",
        "[community/1] (new thread) Co-facilitators in West Africa",
        "[community/1] amina (Console) opened this thread: Co-facilitators in West Africa",
    ]
    assert await harness.say("#1", as_="bea") == [
        "[bea] Le fil Co-facilitators in West Africa est ici : [community/1]"
    ]


async def test_guests_cannot_open_threads_nor_invite(harness: Harness) -> None:
    await make_member(harness, "amina")
    assert await harness.say('/thread "Buy my course" @amina', as_="stranger") == [
        "[stranger] Sorry, /thread is for members only."
    ]
    assert await harness.say("/threads", as_="stranger") == [
        "[stranger] Sorry, /threads is for members only."
    ]
    assert await harness.say("/thread_close 1", as_="amina") == [
        "[amina] Sorry, /thread_close is for moderators only."
    ]
    async with harness.bot.db.transaction() as session:
        assert list(await session.scalars(select(MemberThread))) == []


async def test_threads_lists_open_threads_by_last_activity_ten_a_page(harness: Harness) -> None:
    await make_member(harness, "amina")
    for number in range(1, 12):
        await harness.say(f"/thread Topic {number}", as_="amina")
        harness.clock.advance(timedelta(minutes=1))
    harness.clock.advance(timedelta(hours=2))
    await harness.say("[community/3] Back to this one.", as_="amina")
    harness.clock.advance(timedelta(hours=1))
    lines = await harness.say("/threads", as_="amina", lang="es")
    assert lines[0] == "[amina] Hilos abiertos (1-10 de 11):"
    assert lines[1] == "  #3 Topic 3, abierto por amina; respuestas: 1; última actividad hace 1 hora"
    assert lines[2].startswith("  #11 Topic 11, abierto por amina; respuestas: 0; ")
    assert len([line for line in lines if line.startswith("  #")]) == 10
    assert lines[-1] == "[#11] Siguiente ▶"
    assert "[#1] Unirse: Topic 3" in lines
    (page,) = [payload for payload in harness.payloads() if payload.startswith("forum:page:")]
    second = await harness.press(page, as_="amina")
    assert second[0] == "[amina] Hilos abiertos (11-11 de 11):"
    assert second[1].startswith("  #1 Topic 1, abierto por amina; respuestas: 0;")
    assert await harness.press("forum:join:1", as_="amina") == [
        "[amina] El hilo Topic 1 está aquí: [community/1]"
    ]


async def test_a_moderator_closes_a_thread_everywhere_and_it_is_audited(harness: Harness) -> None:
    await make_member(harness, "amina")
    await make_member(harness, "mod", role=Role.MODERATOR)
    await harness.say("/thread Budgets", as_="amina")
    assert await harness.say("/thread_close #1", as_="mod") == [
        "[mod] Thread #1 Budgets is closed.",
        "[community/1] (thread closed)",
    ]
    assert await harness.say("/thread_close 1", as_="mod") == ["[mod] No member thread #1 is open."]
    assert await harness.say("/thread_close x", as_="mod") == ["[mod] Usage: /thread_close <thread number>"]
    assert await harness.say("/threads", as_="amina") == [
        "[amina] No member thread is open. Open one with /thread."
    ]
    assert (await harness.say("[community/1] Still here?", as_="amina"))[0] == (
        "[amina] There is no open thread 1 here; nothing was posted."
    )
    assert await harness.press("forum:join:1", as_="amina") == ["[amina] Thread #1 is not open any more."]
    async with harness.bot.db.transaction() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert "member_thread.close" in actions


def test_the_title_is_quoted_or_everything_before_the_invitees() -> None:
    assert parse_thread_args('"Co-facilitators in West Africa" @amina #12') == (
        "Co-facilitators in West Africa",
        ["@amina", "#12"],
    )
    assert parse_thread_args("Budgets in 2027 @amina #12") == ("Budgets in 2027", ["@amina", "#12"])
    assert parse_thread_args("«Budgets» @bea") == ("Budgets", ["@bea"])
    assert parse_thread_args('"unclosed title @bea') == ('"unclosed title', ["@bea"])
    assert parse_thread_args("@amina") == ("", ["@amina"])


async def test_after_a_restart_console_messages_take_new_ids_and_are_still_relayed(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    remote = MirrorPlatform(tmp_path / "remote")
    first = await Harness.start(db, tmp_path, clock=clock, extra_platforms=[remote])
    await seat_amina_and_bea(first)
    await first.say("/thread Budgets", as_="amina")
    await first.say("[community/1] Ours shrank.", as_="amina")
    await first.bot.settle()
    await first.stop()

    remote = MirrorPlatform(tmp_path / "remote")
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path, clock=clock, extra_platforms=[remote])
    try:
        remote.take()
        async with second.bot.db.transaction() as session:
            before = {int(m) for m in await session.scalars(select(RelayedMessage.source_message))}
        event = await second.console.feed("[community/1] By half.", "amina")
        assert event is not None
        assert int(event.message_id or 0) > max(before)  # no id is reused
        assert await settle(second, remote) == ([], ["[community/1] amina (Console): By half."])
        assert await count(second.bot.db, RelayedMessage) == 2
    finally:
        await second.stop()
