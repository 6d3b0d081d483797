"""Linked accounts on the console: /link, /unlink, /deliver, and what a linked person is.

Two console users stand for one person's accounts on two platforms: ``alice`` asks for a
code, ``alice2`` types it. Every test runs on both storage backends.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.core.types import ChatRef, IncomingMessage, Role, UserRef
from storage.db import Database
from storage.models import Application, AuditEntry, DialogueSubscription, Identity, OutboxMessage, Person
from storage.users import UserRepository
from tests.fakes import FakeClock, Harness, RemoteConsole, add_people, start_with_people

CODE = re.compile(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
WRONG = "[alice2] This code is wrong, has expired or was already used. You may try {n} more times."
#: A moderator and two members; ``alice2`` (alice's second account) is not seated.
PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], None),
    ("alice", [Role.MEMBER], "KE"),
    ("bob", [Role.MEMBER], None),
)


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, _ = await start_with_people(db, tmp_path, clock, PEOPLE)
    yield harness
    await harness.stop()


async def code_for(harness: Harness, user: str = "alice") -> str:
    lines = await harness.say("/link", as_=user)
    found = CODE.search("\n".join(lines))
    assert found is not None, lines
    return found.group()


async def person_of(db: Database, user: str) -> int | None:
    async with db.transaction() as session:
        identity = await UserRepository(session).find("console", user)
        return identity.person_id if identity else None


async def link(harness: Harness) -> list[str]:
    return await harness.say(f"/link {await code_for(harness)}", as_="alice2")


async def test_link_gives_a_code_to_type_from_the_other_account(community: Harness) -> None:
    lines = await community.say("/link", as_="alice")
    assert CODE.fullmatch(lines[0].removeprefix("[alice] Your link code: ")), lines
    assert lines[2].startswith("  Within 10 minutes, send /link ")
    group = await community.say("[community] /link", as_="alice")
    assert group[0].startswith("[alice] Your link code: ")
    assert group[-1].startswith("[community] I answered you privately.")


async def test_linking_makes_one_person_with_the_role_language_and_application(
    community: Harness, db: Database
) -> None:
    await community.say("/language fr", as_="alice")
    alice = await person_of(db, "alice")
    assert "/subscribe" not in "\n".join(await community.say("/help", as_="alice2"))  # a guest
    other = await person_of(db, "alice2")
    now = community.clock.now()
    async with db.transaction() as session:  # alice2 started an application and subscribed
        session.add(
            Application(
                person_id=other,
                platform="console",
                platform_user_id="alice2",
                status="draft",
                answers={},
                created_at=now,
                updated_at=now,
            )
        )
        session.add(DialogueSubscription(person_id=other, created_at=now))
    lines = await link(community)
    assert lines == [
        "[alice2] Done: this account now belongs to Alice (#2). Your accounts: console:alice, console:alice2."
    ]
    assert await person_of(db, "alice2") == alice
    async with db.transaction() as session:
        assert await session.get(Person, other) is None
        assert await UserRepository(session).roles(alice) == {Role.MEMBER}  # type: ignore[arg-type]
        applications = list(await session.scalars(select(Application.person_id)))
        assert applications == [alice]
        assert await session.get(DialogueSubscription, alice) is not None
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "person.link"))
        assert entry is not None
        assert entry.details["account"] == "console:alice2"
    # alice2 now speaks French and has the member's commands (the cached profile was dropped)
    help_ = "\n".join(await community.say("/help", as_="alice2"))
    assert "/subscribe" in help_
    assert "/language" in help_
    assert "Choisir la langue" in help_, help_
    member = await community.say("/member console:alice2", as_="mod")
    assert "  Accounts: console:alice (@alice), console:alice2 (@alice2)" in member
    assert "  Roles: member" in member
    assert member[4] == "  Announcements and prompts reach them on console."
    audit = await community.say("/audit 1", as_="mod")
    assert audit[-1].endswith("Alice (#2) linked the account console:alice2 to Alice (#2)")


async def test_wrong_expired_and_reused_codes_are_refused(community: Harness, db: Database) -> None:
    assert await community.say("/link ABCD-EFGH-JKMN", as_="alice2") == [WRONG.format(n=4)]
    assert await community.say("/link not-a-code", as_="alice2") == [WRONG.format(n=3)]
    expired = await code_for(community)
    community.clock.advance(timedelta(minutes=11))
    assert await community.say(f"/link {expired}", as_="alice2") == [WRONG.format(n=2)]
    used = await code_for(community)
    assert (await community.say(f"/link {used.lower()}", as_="alice2"))[0].startswith("[alice2] Done")
    assert await community.say(f"/link {used}", as_="bob") == [
        "[bob] This code is wrong, has expired or was already used. You may try 4 more times."
    ]
    assert await person_of(db, "bob") != await person_of(db, "alice")


async def test_a_new_code_replaces_the_last_one_and_ones_own_code_is_not_used(community: Harness) -> None:
    first = await code_for(community)
    second = await code_for(community)
    assert await community.say(f"/link {second}", as_="alice") == [
        "[alice] This code is yours: send it from your other account."
    ]
    assert await community.say(f"/link {first}", as_="alice2") == [WRONG.format(n=4)]
    assert (await community.say(f"/link {second}", as_="alice2"))[0].startswith("[alice2] Done")


async def test_too_many_wrong_codes_make_the_person_wait(community: Harness, db: Database) -> None:
    for left in (4, 3, 2):
        assert await community.say("/link AAAA-AAAA-AAAA", as_="alice2") == [WRONG.format(n=left)]
    assert await community.say("/link AAAA-AAAA-AAAA", as_="alice2") == [
        "[alice2] This code is wrong, has expired or was already used. You may try 1 more time."
    ]
    assert await community.say("/link AAAA-AAAA-AAAA", as_="alice2") == [
        "[alice2] Too many wrong codes. Try again in 15 minutes."
    ]
    right = await code_for(community)
    assert await community.say(f"/link {right}", as_="alice2") == [
        "[alice2] Too many wrong codes. Try again in 15 minutes."
    ]
    community.clock.advance(timedelta(minutes=9))
    assert (await community.say(f"/link {right}", as_="alice2"))[0] == (
        "[alice2] Too many wrong codes. Try again in 6 minutes."
    )
    community.clock.advance(timedelta(minutes=6))  # the wait is over; the code expired meanwhile
    again = await code_for(community)
    assert (await community.say(f"/link {again}", as_="alice2"))[0].startswith("[alice2] Done")


async def test_codes_survive_a_restart(
    community: Harness, db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    issued = await code_for(community)
    await community.stop()
    again = await Harness.start(
        Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args),
        tmp_path,
        clock=clock,
    )
    try:
        assert (await again.say(f"/link {issued}", as_="alice2"))[0].startswith("[alice2] Done")
    finally:
        await again.stop()
    async with db.transaction() as session:
        stored = await session.scalar(select(func.count()).select_from(AuditEntry))
        assert stored == 1


async def test_a_code_shown_in_a_group_is_cancelled(community: Harness, db: Database) -> None:
    issued = await code_for(community)
    lines = await community.say(f"[community] /link {issued}", as_="bob")
    assert lines[0] == (
        "[bob] A link code must stay secret, and this one was shown in a group chat: I cancelled it. Send /link in a private chat with me for a new one."
    )
    assert lines[1].startswith("[community] I answered you privately.")
    assert await community.say(f"/link {issued}", as_="bob") == [
        "[bob] This code is wrong, has expired or was already used. You may try 4 more times."
    ]


async def test_two_applications_in_progress_refuse_the_link_until_one_is_closed(
    community: Harness, db: Database
) -> None:
    await community.say("/help", as_="alice2")
    now = community.clock.now()
    async with db.transaction() as session:
        for user in ("bob", "alice2"):
            session.add(
                Application(
                    person_id=await person_of(db, user),
                    platform="console",
                    platform_user_id=user,
                    status="draft",
                    answers={},
                    created_at=now,
                    updated_at=now,
                )
            )
    issued = await code_for(community, "bob")
    assert await community.say(f"/link {issued}", as_="alice2") == [
        "[alice2] Both accounts have an application in progress. Finish or cancel one of them (/cancel in its form), then send the code again."
    ]
    assert await person_of(db, "alice2") != await person_of(db, "bob")
    async with db.transaction() as session:
        draft = await session.scalar(select(Application).where(Application.platform_user_id == "alice2"))
        assert draft is not None
        draft.status = "cancelled"
    assert (await community.say(f"/link {issued}", as_="alice2"))[0].startswith("[alice2] Done")
    assert await person_of(db, "alice2") == await person_of(db, "bob")


async def test_unlink_separates_an_account_as_a_new_guest(community: Harness, db: Database) -> None:
    await link(community)
    alice = await person_of(db, "alice")
    assert await community.say("/unlink console:bob", as_="alice") == [
        "[alice] console:bob is not one of your accounts. Your accounts: console:alice, console:alice2."
    ]
    in_group = await community.say("[community] /unlink console:bob", as_="alice")
    assert in_group[0] == (
        "[alice] console:bob is not one of your accounts. Your accounts: console:alice, console:alice2."
    )
    assert in_group[1].startswith("[community] I answered you privately.")
    assert await community.say("/unlink", as_="alice2") == [
        "[alice2] console:alice2 is a separate account again: it starts anew, as a guest. Your other accounts keep your role, language and application."
    ]
    separated = await person_of(db, "alice2")
    assert separated not in (None, alice)
    async with db.transaction() as session:
        users = UserRepository(session)
        assert await users.roles(separated) == frozenset()  # type: ignore[arg-type]
        assert await users.roles(alice) == {Role.MEMBER}  # type: ignore[arg-type]
    assert await community.say("/unlink", as_="alice") == [
        "[alice] This is your only account: there is nothing to unlink."
    ]


async def test_mydata_lists_every_account_and_forget_erases_them_all(
    community: Harness, db: Database
) -> None:
    await link(community)
    lines = await community.say("/mydata", as_="alice2")
    data = json.loads(Path(lines[1].removeprefix("[alice2] (file) ")).read_text(encoding="utf-8"))
    assert [account["id"] for account in data["accounts"]] == ["alice", "alice2"]
    await community.say("/forget", as_="alice2")
    assert (await community.say("#1", as_="alice2"))[0].startswith("[alice2] Done")
    async with db.transaction() as session:
        left = await session.scalars(select(Identity.platform_user_id).order_by(Identity.id))
        assert list(left) == ["mod", "bob"]


async def test_a_ban_removes_every_account(community: Harness, db: Database) -> None:
    await link(community)
    await community.say("/ban console:alice2 spam", as_="mod")
    lines = await community.say("#1", as_="mod")
    assert "[community] (removed) alice" in lines
    assert "[community] (removed) alice2" in lines
    assert await community.say("/help", as_="alice") == []
    assert await community.say("/help", as_="alice2") == []


async def test_an_announcement_reaches_a_linked_person_once(community: Harness, db: Database) -> None:
    await link(community)
    await community.say("/help", as_="alice")  # alice is the account seen last
    lines = await community.say("/announce Hello", as_="mod")
    assert lines[-2] == "[#1] Send to 3 members"
    await community.say("#1", as_="mod")
    async with db.transaction() as session:
        recipients = list(
            await session.scalars(select(OutboxMessage.recipient_id).order_by(OutboxMessage.id))
        )
    assert sorted(recipients) == ["alice", "bob", "mod"]


def remote(user: str, text: str) -> IncomingMessage:
    """``user`` writing ``text`` in their direct chat on the second platform."""
    return IncomingMessage(
        event_id=uuid.uuid4().hex,
        sender=UserRef("remote", user, user.title()),
        chat=ChatRef("remote", user),
        is_direct=True,
        text=text,
    )


async def test_deliver_chooses_the_platform_announcements_reach(
    db: Database, tmp_path: Path, clock: FakeClock
) -> None:
    other = RemoteConsole(tmp_path / "remote")
    harness = await Harness.start(db, tmp_path, clock=clock, extra_platforms=[other])
    try:
        async with db.transaction() as session:
            await add_people(
                session, clock.now(), (("mod", [Role.MODERATOR], None), ("alice", [Role.MEMBER], None))
            )
        await harness.bot.handle(remote("alice", f"/link {await code_for(harness)}"))
        await harness.bot.drain()
        assert other.take()[0].startswith("[alice] Done: this account now belongs to Alice (#2).")
        clock.advance(timedelta(hours=2))
        await harness.say("/help", as_="alice")  # the console account is the one seen last
        assert await harness.say("/deliver", as_="alice") == [
            "[alice] Announcements and prompts reach you once, on console. To choose, send /deliver with one of: console, remote."
        ]
        assert await harness.say("/deliver matrix", as_="alice") == [
            "[alice] You have no account on matrix that I can reach. Choose one of: console, remote."
        ]
        assert await harness.say("/deliver remote", as_="alice") == [
            "[alice] Done: announcements and prompts will reach you on remote."
        ]
        await harness.say("/announce Hello", as_="mod")
        assert (await harness.say("#1", as_="mod")) == ["[mod] Announcement #1 queued for 2 members."]
        await harness.bot.settle()
        assert "[alice] Announcement from the community moderators:" in other.take()
        assert not [line for line in harness.console.take() if line.startswith("[alice]")]
    finally:
        await harness.stop()
