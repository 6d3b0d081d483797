"""Members' own threads (``/thread``), mirrored: a copy on the console and on the "remote" platform."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core.types import ChatRef, Media, MediaKind, OutgoingMessage
from storage.models import MemberThread, MemberThreadCopy, RelayedMessage, Reply
from tests.fakes import Harness, MirrorPlatform
from tests.handlers.dialogues.mirroring import Mirrored, bea_deletes, count, seat_amina_and_bea, settle


@pytest.fixture(autouse=True)
async def amina_and_bea(mirrored: Mirrored) -> None:
    """Every test here has amina on the console and bea on the remote platform as members."""
    await seat_amina_and_bea(mirrored[0])


async def open_thread(harness: Harness, remote: MirrorPlatform, title: str = "Budgets in 2027") -> str:
    """Amina opens a thread on the console; the remote copy's thread id."""
    assert await harness.say(f"/thread {title}", as_="amina") == [
        f"[amina] Your thread {title} is being opened in the community chat.",
        f"[community/1] (new thread) {title}",
        f"[community/1] amina (Console) opened this thread: {title}",
    ]
    await harness.bot.settle()
    assert remote.take() == [
        f"[community/1] (new thread) {title}",
        f"[community/1] amina (Console) opened this thread: {title}",
    ]
    return "1"


async def test_a_member_thread_is_opened_everywhere_and_relayed_both_ways_never_as_replies(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    thread = await open_thread(harness, remote)
    async with harness.bot.db.transaction() as session:
        (stored,) = await session.scalars(select(MemberThread))
        copies = {
            (copy.platform, copy.chat_id, copy.thread_id)
            for copy in await session.scalars(select(MemberThreadCopy))
        }
    assert stored.title == "Budgets in 2027"
    assert stored.person_id is not None
    assert copies == {("console", "community", "1"), ("remote", "community", thread)}
    await remote.post("bea", "Ours shrank by half.", thread=thread)
    assert await settle(harness, remote) == (["[community/1] Bea Diallo (Remote): Ours shrank by half."], [])
    assert await harness.say("[community/1] Why?", as_="amina") == []
    assert await settle(harness, remote) == ([], [f"[community/{thread}] amina (Console): Why?"])
    # an answer to the opening answers the opening on the other side
    async with harness.bot.db.transaction() as session:
        rows = await session.execute(select(MemberThreadCopy.platform, MemberThreadCopy.message_id))
        openings = {platform: message_id for platform, message_id in rows.all()}
    await remote.post("bea", "Agreed.", thread=thread, reply_to=openings["remote"])
    await settle(harness, remote)
    assert harness.console.sent[-1].reply_to == openings["console"] is not None
    assert await count(harness.bot.db, Reply) == 0  # a member thread is no dialogue
    assert await count(harness.bot.db, RelayedMessage) == 3


async def test_edits_deletions_files_and_non_members_in_a_member_thread(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    thread = await open_thread(harness, remote)
    original = await remote.post("bea", "Ours shrank.", thread=thread)
    await settle(harness, remote)
    copy = harness.console.sent[-1]
    assert copy.to == ChatRef("console", "community", "1")
    await remote.post(
        "bea", "Ours shrank by half.", thread=thread, message_id=original.message_id, edited=True
    )
    (edited,) = (await settle(harness, remote))[0]
    assert edited.endswith("Bea Diallo (Remote): Ours shrank by half.")
    await bea_deletes(harness, original.message_id)
    (deleted,) = (await settle(harness, remote))[0]
    assert deleted.startswith("[community/1] (deleted #")
    # a file is relayed as a note saying what it was, with its caption
    await remote.post("bea", "Our 2027 plan", thread=thread, media=Media(MediaKind.DOCUMENT, "plan.pdf"))
    await remote.post("bea", None, thread=thread, media=Media(MediaKind.PHOTO, "IMG_1.jpg"))
    assert await settle(harness, remote) == (
        [
            "[community/1] Bea Diallo (Remote) sent a document, plan.pdf: Our 2027 plan",
            "[community/1] Bea Diallo (Remote) sent a photo.",
        ],
        [],
    )
    # someone who is not a member is not relayed
    await remote.post("stranger", "Buy my course!", thread=thread)
    assert await settle(harness, remote) == ([], [])


async def test_a_title_too_long_is_refused_and_a_platform_that_fails_is_left_out(
    mirrored: Mirrored,
) -> None:
    harness, remote = mirrored
    (refusal,) = await harness.say("/thread " + "x" * 129, as_="amina", lang="fr")
    assert refusal == "[amina] Le titre d'un fil peut comporter au plus 128 caractères."

    async def refuse(chat: ChatRef, title: str, opening: OutgoingMessage) -> None:
        raise RuntimeError("the forum is closed")

    remote.create_thread = refuse  # type: ignore[method-assign,assignment]
    await harness.say("/thread Budgets", as_="amina")
    await harness.bot.settle()
    async with harness.bot.db.transaction() as session:
        platforms = list(await session.scalars(select(MemberThreadCopy.platform)))
    assert platforms == ["console"]
    assert await harness.say("[community/1] Anyone?", as_="amina") == []
    assert await settle(harness, remote) == ([], [])
