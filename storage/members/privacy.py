"""Everything stored about a person: exported on request, erased on request.

A feature that stores personal data adds it here, to both :meth:`PersonalData.export` and
:meth:`PersonalData.forget`.

Each aggregate that keeps personal data contributes here, explicitly: what to export
and what to erase. The audit log keeps its events, with the person replaced by a
pseudonym and any free text about them dropped.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.types import ChatRef, MessageRef
from storage.db import checkpoint_wal
from storage.members.erasure import drop_drafts, drop_pending_replies, drop_relayed_copies, scrub_audit
from storage.members.link_codes import LinkCodes
from storage.messages import USER
from storage.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    DialogueSubscription,
    Identity,
    MemberProfile,
    MemberThread,
    OutboxMessage,
    Person,
    Reply,
    RoleGrant,
    UnreachableRecipient,
    WikiSuggestion,
)
from storage.repository import SessionRepository
from storage.state import StateStore

_SALT_KEY = "privacy.pseudonym_salt"


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What erasing a person left to do outside the database.

    Attributes:
        alias: the pseudonym the audit log now uses for them.
        messages: their messages on the platforms (dialogue replies), to delete there.
    """

    alias: str
    messages: tuple[MessageRef, ...]


class PersonalData(SessionRepository):
    """Everything stored about people, within one unit of work: exported or erased on request.

    Args:
        session: the unit of work's session.
    """

    async def pseudonym(self, person_id: int, now: datetime) -> str:
        """A stable pseudonym for a person, unlinkable without the database's secret salt."""
        session = self.session
        state = StateStore(session)
        salt = await state.get(_SALT_KEY)
        if salt is None:
            salt = secrets.token_hex(16)
            await state.set(_SALT_KEY, salt, now)
        digest = hashlib.sha256(f"{salt}:{person_id}".encode()).hexdigest()[:12]
        return f"forgotten:{digest}"

    async def export(self, person_id: int) -> dict[str, Any]:
        """Everything stored about a person, as JSON-ready data."""
        session = self.session
        person = await session.get(Person, person_id)
        if person is None:
            return {}
        identities = list(await session.scalars(select(Identity).where(Identity.person_id == person_id)))
        keys = [(i.platform, i.platform_user_id) for i in identities]
        roles = list(await session.scalars(select(RoleGrant).where(RoleGrant.person_id == person_id)))
        audit = list(
            await session.scalars(
                select(AuditEntry)
                .where(
                    or_(AuditEntry.actor_person_id == person_id, AuditEntry.target == f"person:{person_id}")
                )
                .order_by(AuditEntry.at)
            )
        )
        messages = []
        for platform, user_id in keys:
            messages += list(
                await session.scalars(
                    select(OutboxMessage).where(
                        OutboxMessage.platform == platform,
                        OutboxMessage.recipient_kind == USER,
                        OutboxMessage.recipient_id == user_id,
                    )
                )
            )
        applications = list(
            await session.scalars(
                select(Application).where(Application.person_id == person_id).order_by(Application.id)
            )
        )
        events = list(
            await session.scalars(
                select(ApplicationEvent)
                .where(ApplicationEvent.application_id.in_([a.id for a in applications]))
                .order_by(ApplicationEvent.id)
            )
        )
        replies = list(
            await session.scalars(select(Reply).where(Reply.person_id == person_id).order_by(Reply.id))
        )
        subscribed = await session.get(DialogueSubscription, person_id) is not None
        threads = list(
            await session.scalars(
                select(MemberThread).where(MemberThread.person_id == person_id).order_by(MemberThread.id)
            )
        )
        profile = await session.get(MemberProfile, person_id)
        suggestions = list(
            await session.scalars(
                select(WikiSuggestion)
                .where(WikiSuggestion.person_id == person_id)
                .order_by(WikiSuggestion.id)
            )
        )
        return {
            "person": {
                "member_number": person.id,
                "name": person.display_name,
                "language": person.locale,
                "country": person.country,
                "known_since": person.created_at.isoformat(),
                "banned_at": person.banned_at.isoformat() if person.banned_at else None,
                "banned_reason": person.banned_reason,
                "name_from": person.name_source,
                # where announcements and prompts reach them (/deliver), and whether
                # announcements do at all (/announcements)
                "announcements_on": person.delivery_platform,
                "announcements": "on" if person.announcements else "off",
            },
            "accounts": [
                {
                    "platform": i.platform,
                    "id": i.platform_user_id,
                    "username": i.username,
                    "display_name": i.display_name,
                    "language": i.language,
                    "first_seen": i.created_at.isoformat(),
                    "last_seen": i.last_seen_at.isoformat(),
                }
                for i in identities
            ],
            "roles": [{"role": r.role, "since": r.granted_at.isoformat()} for r in roles],
            "audit_log": [
                {
                    "at": e.at.isoformat(),
                    "by": e.actor,
                    "action": e.action,
                    "target": e.target,
                    "reason": e.reason,
                }
                for e in audit
            ],
            "applications": [
                {
                    "number": a.id,
                    "status": a.status,
                    "answers": a.answers,
                    "started": a.created_at.isoformat(),
                    "submitted": a.submitted_at.isoformat() if a.submitted_at else None,
                    "decided": a.decided_at.isoformat() if a.decided_at else None,
                    "reason": a.reason,
                    "history": [
                        {"at": e.at.isoformat(), "what": e.kind, "note": e.note, "details": e.details}
                        for e in events
                        if e.application_id == a.id
                    ],
                }
                for a in applications
            ],
            "dialogue_replies": [
                {
                    "prompt": r.prompt_id,
                    "platform": r.platform,
                    "text": r.text,
                    "written": r.created_at.isoformat(),
                    "edited": r.edited_at.isoformat() if r.edited_at else None,
                    "deleted": r.deleted_at.isoformat() if r.deleted_at else None,
                }
                for r in replies
            ],
            "subscribed_to_prompts": subscribed,
            "directory_profile": None
            if profile is None
            else {
                "name": profile.name,
                "organisation": profile.organisation,
                "languages": profile.languages,
                "expertise": profile.expertise,
                "bio": profile.bio,
                "listed": profile.listed,
                "handle_shown": profile.show_handle,
                "quoted_publicly": profile.quote_publicly,
                "updated": profile.updated_at.isoformat(),
            },
            "threads_opened": [{"title": t.title, "opened": t.created_at.isoformat()} for t in threads],
            "wiki_suggestions": [
                {
                    "number": w.id,
                    "status": w.status,
                    "entry": w.fields,
                    "sent": w.created_at.isoformat(),
                    "decided": w.decided_at.isoformat() if w.decided_at else None,
                    "reason": w.reason,
                }
                for w in suggestions
            ],
            "messages_sent_to_you": [
                {
                    "at": m.created_at.isoformat(),
                    "status": m.status,
                    "text": "".join(span[0] for span in m.payload["text"]),
                }
                for m in messages
            ],
        }

    async def checkpoint(self) -> bool:
        """After an erasure committed: leave no copy of the erased rows in SQLite's WAL.

        Returns:
            whether the log was emptied (always, on PostgreSQL).
        """
        bind = self.session.bind
        return await checkpoint_wal(bind) if isinstance(bind, AsyncEngine) else True

    async def forget(self, person_id: int, now: datetime) -> Forgotten | None:
        """Erase a person: profile, directory entry, accounts, roles, applications, replies, queued messages.

        What others' rows say about them goes too (:mod:`storage.members.erasure`): the audit
        log keeps its entries' actions and times under a pseudonym, without their free text.
        Once committed, :meth:`checkpoint` clears SQLite's write-ahead log.
        """
        session = self.session
        person = await session.get(Person, person_id)
        if person is None:
            return None
        alias = await self.pseudonym(person_id, now)
        identities = list(await session.scalars(select(Identity).where(Identity.person_id == person_id)))
        accounts = [(i.platform, i.platform_user_id) for i in identities]
        targets = [f"person:{person_id}"]
        for prefix, column, owner in (
            ("application", Application.id, Application.person_id),
            ("wiki_suggestion", WikiSuggestion.id, WikiSuggestion.person_id),
            ("member_thread", MemberThread.id, MemberThread.person_id),
        ):
            targets += [
                f"{prefix}:{i}" for i in await session.scalars(select(column).where(owner == person_id))
            ]
        replies = list(await session.scalars(select(Reply).where(Reply.person_id == person_id)))
        messages = tuple(
            MessageRef(ChatRef(r.platform, r.chat_id), r.message_id)
            for r in replies
            if r.message_id is not None
        ) + tuple(await drop_relayed_copies(session, person_id, replies))
        await session.execute(delete(Reply).where(Reply.person_id == person_id))
        await session.execute(delete(MemberProfile).where(MemberProfile.person_id == person_id))
        # the titles of their threads are their words; the threads stay, no longer mirrored
        await session.execute(delete(MemberThread).where(MemberThread.person_id == person_id))
        await session.execute(
            update(Application).where(Application.decided_by == person_id).values(decided_by_name=alias)
        )
        # their wiki suggestions are their words (an accepted one lives on as a wiki entry),
        # and the one they were writing too; their decisions on others' stay, under the pseudonym
        await session.execute(delete(WikiSuggestion).where(WikiSuggestion.person_id == person_id))
        await session.execute(
            update(WikiSuggestion)
            .where(WikiSuggestion.reviewed_by == person_id)
            .values(reviewed_by_name=alias)
        )
        # what they did in other people's application reviews stays, under the pseudonym
        await session.execute(
            update(ApplicationEvent)
            .where(ApplicationEvent.actor_person_id == person_id)
            .values(actor_name=alias)
        )
        for platform, user_id in accounts:
            await session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.platform == platform,
                    OutboxMessage.recipient_id == user_id,
                )
            )
            await session.execute(
                delete(UnreachableRecipient).where(
                    UnreachableRecipient.platform == platform,
                    UnreachableRecipient.recipient_id == user_id,
                )
            )
        await drop_pending_replies(session, accounts)
        await scrub_audit(session, person_id, alias, [f"{p}:{u}" for p, u in accounts], targets)
        await drop_drafts(session, person_id)
        await StateStore(session).forget_questions_naming(person_id)
        await LinkCodes(session).forget(person_id)
        # identities, roles, applications and subscriptions go with the person (ON DELETE CASCADE)
        await session.execute(delete(Person).where(Person.id == person_id))
        return Forgotten(alias, messages)
