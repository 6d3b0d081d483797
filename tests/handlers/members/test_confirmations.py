"""Deliberate decisions: /announce previews, /ban asks, /unban offers to let back in.

Each runs on both storage backends; presses come from the console (``#N``) or, for a
moderator the buttons were not shown to and after a restart, by payload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.types import Role
from storage.db import Database
from storage.models import AuditEntry, OutboxMessage, Person
from tests.fakes import FakeClock, Harness, start_with_people

PREVIEW = [
    "[mod] Preview: this is the announcement as members will receive it (each with the heading in their language).",
    "[mod] Announcement from the community moderators:",
    "  ",
    "  The dialogue opens <b>Monday</b>.",
    "[#1] Send to 4 members",
    "[#2] Cancel",
]
SENT = ["[mod] Announcement #1 queued for 4 members."]
#: Two moderators and two members: the announcement reaches all four.
PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], "KE"),
    ("mod2", [Role.MEMBER, Role.MODERATOR], None),
    ("amina", [Role.MEMBER], "FR"),
    ("carlos", [Role.MEMBER], "CO"),
)


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, _ = await start_with_people(db, tmp_path, clock, PEOPLE)
    yield harness
    await harness.stop()


async def audited(db: Database, action: str) -> int:
    async with db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
            )
            or 0
        )


async def queued(db: Database) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def delivered(harness: Harness) -> list[str]:
    """Wait for the outbox to deliver what was queued; the lines it printed."""
    await harness.bot.settle()
    return harness.console.take()


async def restarted(harness: Harness, db: Database, tmp_path: Path, clock: FakeClock) -> Harness:
    """The same database under a new bot, as after a restart."""
    await harness.stop()
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    return await Harness.start(again, tmp_path, clock=clock)


# -- /announce --------------------------------------------------------------------------


async def test_announce_previews_and_sends_once_on_send(community: Harness, db: Database) -> None:
    assert await community.say("/announce The dialogue opens <b>Monday</b>.", as_="mod") == PREVIEW
    assert await queued(db) == 0  # nothing leaves before Send
    assert await community.say("#1", as_="mod") == SENT
    assert await queued(db) == 4
    assert "[amina] Announcement from the community moderators:" in await delivered(community)
    # a double tap: the first press took the question
    assert await community.say("#1", as_="mod") == [
        "[mod] This question has already been answered, or is no longer valid; nothing more was done."
    ]
    assert await delivered(community) == []
    assert await queued(db) == 4
    assert await audited(db, "broadcast.announce") == 1


async def test_announce_counts_the_members_in_the_moderators_language(community: Harness) -> None:
    lines = await community.say("/announce Hola", as_="mod", lang="es")
    assert lines[1] == "[mod] Anuncio del equipo de moderación de la comunidad:"
    assert lines[-2:] == ["[#1] Enviar a 4 miembros", "[#2] Cancelar"]


async def test_cancel_sends_nothing_and_is_not_an_action(community: Harness, db: Database) -> None:
    await community.say("/announce Not yet", as_="mod")
    assert await community.say("#2", as_="mod") == ["[mod] The announcement was not sent."]
    assert await community.say("#1", as_="mod") == [
        "[mod] This question has already been answered, or is no longer valid; nothing more was done."
    ]
    assert await queued(db) == 0
    assert await audited(db, "broadcast.announce") == 0


async def test_an_unanswered_announcement_expires_after_an_hour(
    community: Harness, db: Database, clock: FakeClock
) -> None:
    await community.say("/announce Late news", as_="mod")
    clock.advance(timedelta(minutes=59))
    send, _cancel = community.payloads()
    await community.say("/announce Later news", as_="mod")  # another question does not replace it
    assert await community.press(send, as_="mod") == SENT
    await delivered(community)
    await community.say("/announce Too late", as_="mod")
    clock.advance(timedelta(hours=1))
    assert await community.say("#1", as_="mod") == [
        "[mod] This question expired after 60 minutes; nothing was done. Send the command again if you still want it."
    ]
    assert await queued(db) == 4


async def test_only_the_moderator_who_asked_can_answer(community: Harness, db: Database) -> None:
    await community.say("/announce From mod", as_="mod")
    send, cancel = community.payloads()
    for payload in (send, cancel):  # in a shared moderators' chat, anyone sees the buttons
        assert await community.press(payload, as_="mod2", chat="moderators") == [
            "[moderators] Only Mod, who asked, can answer this question; nothing was done."
        ]
    assert await queued(db) == 0
    assert await community.press(send, as_="mod") == SENT


async def test_the_question_survives_a_restart_and_still_sends_once(
    community: Harness, db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    await community.say("/announce The dialogue opens <b>Monday</b>.", as_="mod")
    send, _cancel = community.payloads()
    second = await restarted(community, db, tmp_path, clock)
    try:
        assert await second.press(send, as_="mod") == SENT
        await delivered(second)
        assert await second.press(send, as_="mod") == [  # a press redelivered after the restart
            "[mod] This question has already been answered, or is no longer valid; nothing more was done."
        ]
        await second.bot.settle()
        assert await queued(db) == 4
    finally:
        await second.stop()


async def test_announce_to_the_chats_previews_the_post(community: Harness, db: Database) -> None:
    assert await community.say("/announce --chat Welcome!", as_="mod") == [
        "[mod] Preview: this is the announcement as it will be posted in the community chats.",
        "[mod] Announcement from the community moderators:",
        "  ",
        "  Welcome!",
        "[#1] Post in 1 community chat",
        "[#2] Cancel",
    ]
    assert (await community.say("#1", as_="mod"))[0] == "[mod] Announcement #1 queued for 1 community chat."
    await community.bot.settle()
    async with db.transaction() as session:
        entry = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "broadcast.announce"))
        ).one()
    assert entry.details == {"recipients": 1, "text": "Welcome!", "to": "chats"}


# -- /ban and /unban ----------------------------------------------------------------------


async def test_ban_asks_with_who_and_why_and_bans_once(community: Harness, db: Database) -> None:
    assert await community.say("/ban @amina spamming the threads", as_="mod") == [
        "[mod] Ban Amina (#3) for this reason: spamming the threads? The bot will ignore them and remove them from the community chats.",
        "[#1] Ban",
        "[#2] Cancel",
    ]
    assert (await community.say("/help", as_="amina"))[0].startswith("[amina] ")  # not banned yet
    assert await community.say("#1", as_="mod") == [
        "[mod] Amina (#3) is banned.",
        "[community] (removed) amina",
    ]
    assert await community.say("#1", as_="mod") == [
        "[mod] This question has already been answered, or is no longer valid; nothing more was done."
    ]
    assert await community.say("/help", as_="amina") == []
    assert await audited(db, "person.ban") == 1
    assert await community.say("/ban @amina again", as_="mod") == ["[mod] Amina (#3) is already banned."]


async def test_a_cancelled_ban_does_nothing(community: Harness, db: Database) -> None:
    assert (await community.say("/ban @carlos", as_="mod"))[0] == (
        "[mod] Ban Carlos (#4), with no reason given? The bot will ignore them and remove them from the community chats."
    )
    assert await community.say("#2", as_="mod") == ["[mod] Nothing was done: Carlos (#4) is not banned."]
    assert (await community.say("/help", as_="carlos"))[0].startswith("[carlos] ")
    assert await audited(db, "person.ban") == 0


async def test_another_moderator_cannot_press_ban(community: Harness, db: Database) -> None:
    await community.say("/ban @carlos", as_="mod")
    ban, _cancel = community.payloads()
    assert await community.press(ban, as_="mod2", chat="moderators") == [
        "[moderators] Only Mod, who asked, can answer this question; nothing was done."
    ]
    assert await audited(db, "person.ban") == 0
    assert (await community.say("/help", as_="carlos"))[0].startswith("[carlos] ")


async def test_a_ban_confirmed_after_a_restart(
    community: Harness, db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    await community.say("/ban @carlos trolling", as_="mod")
    ban, _cancel = community.payloads()
    second = await restarted(community, db, tmp_path, clock)
    try:
        assert await second.press(ban, as_="mod") == [
            "[mod] Carlos (#4) is banned.",
            "[community] (removed) carlos",
        ]
        async with db.transaction() as session:
            carlos = await session.get(Person, 4)
            assert carlos is not None
            assert carlos.banned_reason == "trolling"
    finally:
        await second.stop()


async def test_unban_offers_to_let_them_back_in_and_tells_them(community: Harness, db: Database) -> None:
    await community.say("/ban @amina spam", as_="mod")
    await community.say("#1", as_="mod")
    assert await community.say("/unban @amina", as_="mod") == [
        "[mod] Amina (#3) is no longer banned. Let them back into the community? They will be told privately that they may come back.",
        "[#1] Let them back in",
        "[#2] Not now",
    ]
    assert await audited(db, "person.unban") == 1
    assert await community.say("#1", as_="mod", lang="fr") == [
        "[amina] Good news: the moderators have lifted your ban. You are welcome back in the community of practice.",
        "[mod] Amina (n° 3) peut revenir dans la communauté ; un message privé le lui a dit.",
        "[community] (joined) amina",
    ]
    assert await audited(db, "person.readmit") == 1
    assert await community.say("#1", as_="mod", lang="en") == [
        "[mod] This question has already been answered, or is no longer valid; nothing more was done."
    ]


async def test_not_now_lifts_the_ban_without_letting_them_back_in(community: Harness, db: Database) -> None:
    await community.say("/ban @amina spam", as_="mod")
    await community.say("#1", as_="mod")
    await community.say("/unban @amina", as_="mod")
    assert await community.say("#2", as_="mod") == [
        "[mod] The ban on Amina (#3) is lifted; they were not invited back."
    ]
    assert await audited(db, "person.readmit") == 0
    assert (await community.say("/help", as_="amina"))[0].startswith("[amina] ")
    assert not any("(joined)" in line for line in community.console.transcript().splitlines())
