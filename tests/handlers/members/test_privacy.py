"""/mydata and /forget: members own their data."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, select

from bot.core.types import Role, UserRef
from storage.db import Database
from storage.models import Application, AuditEntry, Base, Dialogue, OutboxMessage, Prompt, Reply
from storage.users import UserRepository
from tests.fakes import Harness

MARKER = "ZQX-marker-4417"


async def test_mydata_sends_a_json_document_privately(harness: Harness, tmp_path: Path) -> None:
    lines = await harness.say("/mydata", as_="amina", lang="fr")
    assert lines[0] == "[amina] Voici tout ce que je conserve à votre sujet."
    path = Path(lines[1].removeprefix("[amina] (file) "))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["person"]["name"] == "amina"
    assert data["accounts"][0] == {
        "platform": "console",
        "id": "amina",
        "username": "amina",
        "display_name": "amina",
        "language": "fr",
        "first_seen": data["accounts"][0]["first_seen"],
        "last_seen": data["accounts"][0]["last_seen"],
    }
    group = await harness.say("[community] /mydata@copbot", as_="amina")
    assert group[0] == "[amina] Voici tout ce que je conserve à votre sujet."
    assert group[-1] == "[community] Je vous l'ai envoyé en message privé."


async def test_forget_asks_first_and_can_be_declined(harness: Harness) -> None:
    lines = await harness.say("/forget", as_="amina")
    assert lines[-2:] == ["[#1] Yes, forget me", "[#2] No, keep my data"]
    assert await harness.say("#2", as_="amina") == ["[amina] Nothing was deleted."]
    assert (await harness.say("/mydata", as_="amina"))[0] == "[amina] Here is everything I store about you."


async def test_forget_leaves_no_trace(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path, admins=("console:admin",))
    try:
        now = harness.clock.now()
        async with db.transaction() as session:
            users = UserRepository(session)
            amina = (
                await users.resolve(UserRef("console", "amina", f"Amina {MARKER}", username="amina"), now)
            ).person_id
            await users.grant(amina, Role.MEMBER, now)
            # her application and a reply in a dialogue thread both carry the marker
            session.add(
                Application(
                    person_id=amina,
                    platform="console",
                    platform_user_id="amina",
                    status="approved",
                    answers={"motivation": f"I train on {MARKER} every week"},
                    created_at=now,
                    updated_at=now,
                )
            )
            dialogue = Dialogue(title={"en": "D"}, start_date=now.date(), end_date=now.date(), created_at=now)
            session.add(dialogue)
            await session.flush()
            prompt = Prompt(dialogue_id=dialogue.id, text={"en": "Q"}, post_at=now)
            session.add(prompt)
            await session.flush()
            session.add(
                Reply(
                    prompt_id=prompt.id,
                    person_id=amina,
                    platform="console",
                    chat_id="community",
                    message_id="77",
                    text=f"my reply mentions {MARKER}",
                    created_at=now,
                )
            )
        exported = await harness.say("/mydata", as_="amina")
        data = json.loads(Path(exported[1].removeprefix("[amina] (file) ")).read_text(encoding="utf-8"))
        assert data["applications"][0]["answers"]["motivation"] == f"I train on {MARKER} every week"
        assert data["dialogue_replies"][0]["text"] == f"my reply mentions {MARKER}"
        await harness.say(f"/ban @amina {MARKER} in the reason", as_="admin")
        assert (await harness.say("#1", as_="admin"))[0].endswith("(#1) is banned.")
        await harness.say("/unban @amina", as_="admin")  # the offer to let her back in stays pending
        await harness.say(f"/ban @amina {MARKER} once more", as_="admin")  # a question left unanswered
        await harness.say("/announce news for every member", as_="admin")
        assert (await harness.say("#1", as_="admin"))[0].startswith("[admin] Announcement #1 queued")
        await harness.bot.outbox.idle()
        await harness.say("/forget", as_="amina")
        assert await harness.say("#1", as_="amina") == [
            "[amina] Done: everything I stored about you has been deleted.",
            "[community] (removed) amina",  # a member leaves the community with her data
            "[community] (deleted #77)",  # the platform's copy of her reply
        ]
        async with db.transaction() as session:
            for table in Base.metadata.sorted_tables:
                for row in (await session.execute(select(table))).all():
                    assert MARKER not in repr(row), f"{table.name} still holds {row}"
            queued = await session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient_id == "amina")
            )
            assert queued == 0
            actions = [e.action for e in await session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
            targets = {e.target for e in await session.scalars(select(AuditEntry))}
        assert actions[-1] == "privacy.forget"
        assert "person.ban" in actions
        assert "person:2" not in targets  # ... under a pseudonym
    finally:
        await harness.stop()
    if db.dialect == "sqlite":  # erased for real: not even in the file's free pages
        path = Path(str(db.url.database))
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert MARKER.encode() not in path.read_bytes()


async def test_forget_tells_a_member_that_it_ends_their_membership(harness: Harness) -> None:
    async with harness.bot.db.transaction() as session:
        amina = (
            await UserRepository(session).resolve(UserRef("console", "amina"), harness.clock.now())
        ).person_id
        await UserRepository(session).grant(amina, Role.MEMBER, harness.clock.now())
    asked = await harness.say("/forget", as_="amina")
    assert asked[0] == (
        "[amina] This ends your membership: you are removed from the community and its chats, and to "
        "come back you must apply again. It also deletes your profile, your accounts and roles, your "
        "application, your dialogue replies and everything queued for you. It cannot be undone. Are "
        "you sure?"
    )
    assert asked[-2:] == ["[#1] Yes, forget me", "[#2] No, keep my data"]
    assert await harness.say("#1", as_="amina") == [
        "[amina] Done: everything I stored about you has been deleted.",
        "[community] (removed) amina",
    ]
    # she is a stranger again: the members' commands are closed, /apply is offered
    assert await harness.say("/reply 1.1 hello", as_="amina") == [
        "[amina] Sorry, /reply is for members only."
    ]
    assert "/apply" in "\n".join(await harness.say("/help", as_="amina"))


async def test_forget_keeps_the_plain_wording_for_a_guest_and_removes_no_one(harness: Harness) -> None:
    asked = await harness.say("/forget", as_="visitor", lang="es")
    assert asked[0].startswith("[visitor] ")
    assert "membresía" not in asked[0]
    assert "No se puede deshacer" in asked[0]
    english = await harness.say("/forget", as_="visitor", lang="en")
    assert english[0] == (
        "[visitor] This deletes your profile, your accounts and roles, and everything queued for you. "
        "It cannot be undone. Are you sure?"
    )
    assert await harness.say("#1", as_="visitor") == [
        "[visitor] Done: everything I stored about you has been deleted."
    ]
