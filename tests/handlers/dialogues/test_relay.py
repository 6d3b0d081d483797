"""Mirrored threads: the console and a second in-process platform share each prompt's thread."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.core.types import ChatRef, IncomingMessage, UserRef
from storage.db import Database
from storage.models import OutboxMessage, RelayedMessage, Reply
from tests.fakes import FakeClock, Harness, MirrorPlatform
from tests.handlers.dialogues.mirroring import (
    Mirrored,
    bea_deletes,
    count,
    remote_member,
    seat_amina_and_bea,
    settle,
)
from tests.handlers.dialogues.test_commands import make_member, plan, post_due


async def open_prompt(harness: Harness, remote: MirrorPlatform) -> str:
    """Post prompt 1 on both platforms; the remote thread's id."""
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    await harness.bot.settle()
    harness.console.take()
    thread = remote.sent[-1].to
    assert isinstance(thread, ChatRef)
    assert thread.platform == "remote"
    assert thread.thread_id
    remote.take()
    return thread.thread_id


async def test_a_reply_in_either_copy_reaches_the_other_attributed_and_is_stored_once(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    thread = await open_prompt(harness, remote)
    await seat_amina_and_bea(harness)
    await remote.post("bea", "Budgets shrank.", thread=thread)
    assert await settle(harness, remote) == (["[community/1] Bea Diallo (Remote): Budgets shrank."], [])
    assert await harness.say("[community/1] So did ours.", as_="amina") == []
    assert await settle(harness, remote) == ([], [f"[community/{thread}] amina (Console): So did ours."])
    assert await count(harness.bot.db, Reply) == 2  # the copies are no replies
    assert await count(harness.bot.db, RelayedMessage) == 2
    copy = remote.sent[-1]
    assert str(copy.text.spans[0].text) == "amina"
    assert copy.text.spans[0].style.value == "bold"


async def test_edits_and_deletions_follow_and_answers_map_to_the_copy(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    thread = await open_prompt(harness, remote)
    await seat_amina_and_bea(harness)
    original = await remote.post("bea", "Budgets shrank.", thread=thread)
    await settle(harness, remote)
    copy_id = harness.console.sent[-1]
    async with harness.bot.db.transaction() as session:
        sent_id = await session.scalar(
            select(OutboxMessage.message_id).where(OutboxMessage.platform == "console")
        )
    assert sent_id is not None
    assert copy_id.to == ChatRef("console", "community", "1")
    # answering the copy on the console answers the original on the remote platform
    await harness.bot.handle(_console_message("amina", "Why?", reply_to=sent_id))
    await settle(harness, remote)
    assert remote.sent[-1].reply_to == original.message_id
    # an edit on the remote platform edits the console copy
    await remote.post(
        "bea", "Budgets shrank by half.", thread=thread, message_id=original.message_id, edited=True
    )
    assert await settle(harness, remote) == (
        [f"[community/1] (edited #{sent_id}) Bea Diallo (Remote): Budgets shrank by half."],
        [],
    )
    async with harness.bot.db.transaction() as session:
        texts = set(await session.scalars(select(Reply.text)))
    assert texts == {"Budgets shrank by half.", "Why?"}
    # a deletion (a Matrix redaction) deletes the copy, and the reply leaves the export
    await bea_deletes(harness, original.message_id)
    assert await settle(harness, remote) == ([f"[community/1] (deleted #{sent_id})"], [])


def _console_message(user: str, text: str, *, reply_to: str | None = None) -> IncomingMessage:
    return IncomingMessage(
        event_id=f"console-{text}",
        sender=UserRef("console", user, user),
        chat=ChatRef("console", "community", "1"),
        text=text,
        message_id=f"c-{len(text)}",
        reply_to=reply_to,
    )


async def test_a_copy_not_sent_yet_goes_out_edited_or_not_at_all(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    thread = await open_prompt(harness, remote)
    await remote_member(harness, "bea")
    await harness.bot.outbox.stop()  # the copies wait in the outbox
    first = await remote.post("bea", "First draft.", thread=thread)
    second = await remote.post("bea", "Regretted.", thread=thread)
    await harness.bot.drain()
    await remote.post("bea", "Second draft.", thread=thread, message_id=first.message_id, edited=True)
    await bea_deletes(harness, second.message_id, event_id="redaction-2")
    await harness.bot.drain()
    await harness.bot.outbox.start()
    assert await settle(harness, remote) == (["[community/1] Bea Diallo (Remote): Second draft."], [])
    async with harness.bot.db.transaction() as session:
        statuses = sorted(
            await session.scalars(select(OutboxMessage.status).where(OutboxMessage.platform == "console"))
        )
    assert statuses == ["cancelled", "sent"]


async def test_no_loops_no_banned_people_no_guests(mirrored: Mirrored) -> None:
    harness, remote = mirrored
    thread = await open_prompt(harness, remote)
    await seat_amina_and_bea(harness)
    await remote_member(harness, "spammer", banned=True)
    await harness.say("[community/1] Hello from the console.", as_="amina")
    await settle(harness, remote)
    copy = remote.sent[-1]
    async with harness.bot.db.transaction() as session:
        copy_id = await session.scalar(
            select(OutboxMessage.message_id).where(OutboxMessage.platform == "remote")
        )
    assert copy_id is not None
    assert "Hello from the console." in str(copy.text)
    # the platform echoes the bot's copy back (as Matrix would without its filter): ignored
    await remote.post("copbot", "Anything the bot writes.", thread=thread)
    await remote.post("bea", str(copy.text), thread=thread, message_id=copy_id)
    await remote.post("spammer", "Buy now!", thread=thread)
    await remote.post("guest", "Can I join?", thread=thread)
    console, elsewhere = await settle(harness, remote)
    assert console == []
    assert elsewhere == [
        "[guest] Only members' replies are collected in the dialogue threads, so yours was not recorded. "
        "To join the community, send /apply to me."
    ]
    assert await count(harness.bot.db, Reply) == 1
    assert await count(harness.bot.db, RelayedMessage) == 1


async def test_a_private_reply_reaches_every_copy_and_the_export_counts_it_once(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    thread = await open_prompt(harness, remote)
    await seat_amina_and_bea(harness)
    await harness.say("/reply 1.1 Privately: a lot.", as_="amina")
    await remote.post("bea", "Here too.", thread=thread)
    console, elsewhere = await settle(harness, remote)
    assert console == ["[community/1] Bea Diallo (Remote): Here too."]
    assert elsewhere == [f"[community/{thread}] amina (Console): Privately: a lot."]
    lines = await harness.say("/export 1 csv", as_="admin")
    table = Path(lines[1].removeprefix("[admin] (file) ")).read_text(encoding="utf-8").splitlines()
    assert len(table) == 3  # the header and each reply once, where it was written
    assert ",console," in table[1]
    assert ",remote," in table[2]


async def test_the_general_chat_is_mirrored_only_when_asked(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    for mirror, expected in ((False, []), (True, ["[community] amina (Console): Good morning!"])):
        remote = MirrorPlatform(tmp_path / f"remote-{mirror}")
        harness = await Harness.start(
            db, tmp_path, clock=clock, extra_platforms=[remote], mirror_general_chat=mirror
        )
        try:
            await make_member(harness, "amina", "SN")
            await harness.say("[community] Good morning!", as_="amina")
            assert (await settle(harness, remote))[1] == expected
        finally:
            await harness.stop()
