"""The traces of a person outside their own rows, removed when they are forgotten.

:meth:`storage.members.privacy.PersonalData.forget` deletes what a person owns; what
others' rows say about them is handled here:

* the audit log keeps each entry's action and time, but an entry about the person, or by
  them, loses its free text (``reason``, ``details``), and a target that was theirs (the
  person, their applications, wiki suggestions and threads) becomes their pseudonym;
* the copies of their messages (dialogue replies, member thread messages) relayed to other
  platforms' chats: the outbox rows that carried them, with the platforms' copies, and
  the thread messages they were made of, to delete;
* replies to them still in flight (``pending_replies``);
* the forms they left half-written (drafts in ``bot_state``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import and_, delete, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import ChatRef, MessageRef
from storage.models import AuditEntry, BotState, OutboxMessage, PendingReply, RelayedMessage, Reply

#: Keys of audit ``details`` that name a person as ``person:<id>``.
_PERSON_DETAILS = ("person", "joined", "separated")


async def scrub_audit(
    session: AsyncSession,
    person_id: int,
    alias: str,
    accounts: Collection[str],
    targets: Collection[str],
) -> None:
    """Pseudonymise the audit log's entries by or about a person, dropping their free text.

    Args:
        session: the unit of work's session.
        person_id: who is forgotten.
        alias: their pseudonym.
        accounts: their platform-qualified ids (``console:amina``), as entries name actors.
        targets: the entries' targets that were theirs (``person:3``, ``application:7``).
    """
    await session.execute(
        update(AuditEntry)
        .where(or_(AuditEntry.actor_person_id == person_id, AuditEntry.actor.in_(list(accounts))))
        .values(actor=alias, actor_person_id=None, reason=None, details={})
    )
    await session.execute(
        update(AuditEntry)
        .where(AuditEntry.target.in_(list(targets)))
        .values(target=alias, reason=None, details={})
    )
    named = f"person:{person_id}"
    await session.execute(
        update(AuditEntry)
        .where(
            or_(
                AuditEntry.details["person_id"].as_integer() == person_id,
                *(AuditEntry.details[key].as_string() == named for key in _PERSON_DETAILS),
            )
        )
        .values(reason=None, details={})
    )


async def drop_relayed_copies(
    session: AsyncSession, person_id: int, replies: Iterable[Reply]
) -> list[MessageRef]:
    """Delete the outbox rows that relayed a person's messages elsewhere.

    A copy is found by its author (a member thread's messages are no replies) or, for
    copies made before authors were recorded, by the reply it was made of.

    Returns:
        the copies the platforms confirmed, and the member thread messages they were made of
        (a reply's own message is found through the reply), to delete on the platforms too.
    """
    sources = [(r.platform, r.chat_id, r.message_id) for r in replies if r.message_id is not None]
    theirs = RelayedMessage.person_id == person_id
    if sources:
        theirs = or_(
            theirs,
            tuple_(
                RelayedMessage.source_platform, RelayedMessage.source_chat, RelayedMessage.source_message
            ).in_(sources),
        )
    rows = (
        await session.execute(
            select(RelayedMessage, OutboxMessage.message_id)
            .join(OutboxMessage, OutboxMessage.id == RelayedMessage.outbox_id)
            .where(theirs)
        )
    ).all()
    copies = [
        MessageRef(ChatRef(relay.target_platform, relay.target_chat, relay.target_thread), message_id)
        for relay, message_id in rows
        if message_id is not None
    ]
    replied = set(sources)
    originals = {
        (relay.source_platform, relay.source_chat, relay.source_message)
        for relay, _ in rows
        if relay.person_id == person_id
    } - replied
    copies += [MessageRef(ChatRef(platform, chat), message) for platform, chat, message in sorted(originals)]
    outbox_ids = [relay.outbox_id for relay, _ in rows]
    if outbox_ids:  # their relayed_messages rows go with them (ON DELETE CASCADE)
        await session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(outbox_ids)))
    return copies


async def drop_pending_replies(session: AsyncSession, accounts: Iterable[tuple[str, str]]) -> None:
    """Delete the replies to a person's accounts that are journalled but not yet confirmed.

    A direct chat has the person's id on the platforms (Telegram, the console), so replies
    there are addressed to a chat of that id: both kinds go.
    """
    wanted = [
        and_(PendingReply.platform == platform, PendingReply.recipient_id == user_id)
        for platform, user_id in accounts
    ]
    if wanted:
        await session.execute(delete(PendingReply).where(or_(*wanted)))


async def drop_drafts(session: AsyncSession, person_id: int) -> None:
    """Delete every form draft a person left in ``bot_state`` (keyed ``<form>.<person id>``)."""
    rows = await session.scalars(
        select(BotState).where(BotState.key.endswith(f".{person_id}", autoescape=True))
    )
    for row in rows:
        if isinstance(row.value, dict) and "answers" in row.value:
            await session.delete(row)
    await session.flush()
