"""``/forget`` leaves nothing: a marker planted everywhere a person can write is found nowhere.

The scan is generic: every column of every table the database reports (reflected, so a
table added later is scanned too), and on SQLite the raw bytes of the database file, its
``-wal`` and its ``-shm``, read while the bot still runs.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Connection, MetaData, select

from bot.core.text import Text
from bot.core.types import ChatRef, OutgoingMessage, Role, UserRef
from storage import messages
from storage.audit import AuditLog
from storage.db import Database
from storage.dialogues.relays import MessageKey, RelayRepository
from storage.drafts import StateDrafts
from storage.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Dialogue,
    MemberProfile,
    MemberThread,
    OutboxMessage,
    Prompt,
    Reply,
    WikiSuggestion,
)
from storage.reply_journal import PendingReplies
from storage.state import StateStore
from storage.users import UserRepository
from tests.fakes import Harness

MARKER = "zqxmarker4417"


def _rows_with_marker(connection: Connection) -> list[str]:
    """Every row, of every reflected table, with the marker in any column."""
    metadata = MetaData()
    metadata.reflect(connection)
    found = []
    for table in metadata.sorted_tables:
        for row in connection.execute(select(table)):
            for column, value in zip(table.columns, row, strict=True):
                raw = value if isinstance(value, bytes) else str(value).encode()
                if MARKER.encode() in raw:
                    found.append(f"{table.name}.{column.name}: {value!r}")
    return found


async def _plant(db: Database, harness: Harness) -> int:
    """Amina, with the marker in everything she wrote or that was written about her."""
    now = harness.clock.now()
    async with db.transaction() as session:
        users = UserRepository(session)
        amina = await users.resolve(
            UserRef("console", "amina", f"Amina {MARKER}", username=f"amina_{MARKER}"), now
        )
        person = amina.person_id
        await users.grant(person, Role.MEMBER, now)
        application = Application(
            person_id=person,
            platform="console",
            platform_user_id="amina",
            status="rejected",
            answers={"name": f"Amina {MARKER}", "motivation": f"I train on {MARKER} every week"},
            created_at=now,
            updated_at=now,
            decided_at=now,
            reason=f"rejected because {MARKER}",
        )
        session.add(application)
        await session.flush()
        session.add_all(
            [
                ApplicationEvent(
                    application_id=application.id,
                    at=now,
                    kind="asked",
                    actor_name="Admin",
                    note=f"what is {MARKER}?",
                    details={"answers": {"motivation": MARKER}},
                ),
                ApplicationEvent(
                    application_id=application.id, at=now, kind="rejected", note=f"because {MARKER}"
                ),
            ]
        )
        suggestion = WikiSuggestion(
            person_id=person,
            platform="console",
            platform_user_id="amina",
            title=f"entry {MARKER}",
            fields={"summary": MARKER},
            status="pending",
            created_at=now,
        )
        session.add(suggestion)
        await session.flush()
        audit = AuditLog(session)
        # a moderator's rejection reason and question about her application
        for action in ("application.ask", "application.reject"):
            await audit.record(
                at=now,
                actor="console:admin",
                action=action,
                target=f"application:{application.id}",
                reason=f"{action} {MARKER}",
                details={"person_id": person},
            )
        # an entry about her, and one of her own, with free text in the details
        await audit.record(
            at=now,
            actor="console:admin",
            action="person.ban",
            target=f"person:{person}",
            reason=f"ban {MARKER}",
            details={"note": MARKER},
        )
        await audit.record(
            at=now,
            actor="console:amina",
            actor_person_id=person,
            action="wiki.suggest",
            target=f"wiki_suggestion:{suggestion.id}",
            details={"title": f"suggested {MARKER}"},
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
                person_id=person,
                platform="console",
                chat_id="community",
                message_id="77",
                text=f"my reply mentions {MARKER}",
                created_at=now,
            )
        )
        # the copy of her reply relayed into another platform's community chat, sent there
        copy = OutboxMessage(
            **messages.recipient_columns(
                OutgoingMessage(ChatRef("mirror", "room"), Text.of(f"Amina: my reply mentions {MARKER}"))
            ),
            payload=messages.encode(
                OutgoingMessage(ChatRef("mirror", "room"), Text.of(f"Amina: my reply mentions {MARKER}"))
            ),
            idempotency_key="relay-1",
            status="sent",
            created_at=now,
            sent_at=now,
            message_id="m-9",
        )
        # a message queued for her
        queued = OutgoingMessage(UserRef("console", "amina"), Text.of(f"for you: {MARKER}"))
        session.add_all(
            [
                copy,
                OutboxMessage(
                    **messages.recipient_columns(queued),
                    payload=messages.encode(queued),
                    idempotency_key="queued-1",
                    created_at=now,
                    next_attempt_at=now.replace(year=2100),
                ),
            ]
        )
        await session.flush()
        await RelayRepository(session).record(
            MessageKey("console", "community", "77"), [(ChatRef("mirror", "room"), copy.id)], now, person
        )
        # the copy of a message of hers in a member thread: no reply row leads to it, only its author
        thread_message = OutgoingMessage(
            ChatRef("mirror", "room", "t1"), Text.of(f"Amina: in a thread {MARKER}")
        )
        thread_copy = OutboxMessage(
            **messages.recipient_columns(thread_message),
            payload=messages.encode(thread_message),
            idempotency_key="relay-2",
            status="sent",
            created_at=now,
            sent_at=now,
            message_id="m-10",
        )
        session.add(thread_copy)
        await session.flush()
        await RelayRepository(session).record(
            MessageKey("console", "community/5", "78"),
            [(ChatRef("mirror", "room", "t1"), thread_copy.id)],
            now,
            person,
        )
        # a reply to her still in flight
        await PendingReplies(session).add(
            [
                OutgoingMessage(
                    UserRef("console", "amina"), Text.of(f"pending {MARKER}"), idempotency_key="pending-1"
                ),
                OutgoingMessage(  # in her direct chat, which has her id
                    ChatRef("console", "amina"), Text.of(f"answer {MARKER}"), idempotency_key="pending-2"
                ),
            ],
            now,
        )
        session.add_all(
            [
                MemberThread(
                    title=f"thread {MARKER}", person_id=person, created_at=now, last_activity_at=now
                ),
                MemberProfile(person_id=person, name=f"Amina {MARKER}", bio=f"bio {MARKER}", updated_at=now),
            ]
        )
        # a form she left half-written
        await StateDrafts(StateStore(session), lambda: now).save(
            person, "directory_profile", {"bio": MARKER}, {"cursor": "bio"}
        )
    return person


async def test_forget_leaves_the_marker_nowhere(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path, admins=("console:admin",))
    try:
        person = await _plant(db, harness)
        async with db.engine.connect() as connection:
            assert await connection.run_sync(_rows_with_marker)  # the scan sees what was planted
        await harness.say("/forget", as_="amina")
        assert (await harness.say("#1", as_="amina"))[0] == (
            "[amina] Done: everything I stored about you has been deleted."
        )
        async with db.engine.connect() as connection:
            left = await connection.run_sync(_rows_with_marker)
        assert left == [], "\n".join(left)
        async with db.transaction() as session:
            entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        # the audit log keeps what was done and when, under a pseudonym, without free text
        assert [e.action for e in entries] == [
            "application.ask",
            "application.reject",
            "person.ban",
            "wiki.suggest",
            "privacy.forget",
        ]
        alias = entries[-1].actor
        assert alias.startswith("forgotten:")
        assert all(e.reason is None for e in entries)
        assert {e.target for e in entries[:3]} == {alias}
        assert all(e.details == {} for e in entries[:4])
        assert f"person:{person}" not in repr([(e.target, e.details) for e in entries])
        if db.dialect == "sqlite":  # not even in the files' bytes, while the bot runs
            path = Path(str(db.url.database))
            for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                if file.exists():
                    assert MARKER.encode() not in file.read_bytes(), f"{file.name} still holds the marker"
    finally:
        await harness.stop()
