"""Linked accounts: two people joined into one (``/link``), an account separated again (``/unlink``).

When someone links an account the bot already knew, two people become one. The person
who was given the code is kept: they asked for the link, on the account they already
use, so their name and language stay. Everything else of the other person moves to them
(accounts, applications, dialogue replies, subscription, what they did as a moderator,
the audit log about them), roles add up (the higher role wins) and a ban on either stays.
Two open applications cannot become one person's: :class:`BothApplying` refuses the link
until one is finished or cancelled. Every table that names a person is covered here: a
new one must be added to :meth:`LinkedAccounts.merge` (and to
:class:`storage.members.privacy.PersonalData`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Self

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.application.draft_cache import DraftCache
from storage.application.repository import OPEN
from storage.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Dialogue,
    DialogueSubscription,
    Identity,
    MemberProfile,
    MemberThread,
    NameSource,
    Person,
    RelayedMessage,
    Reply,
    RoleGrant,
    WikiSuggestion,
)
from storage.repository import SessionRepository, Shared
from storage.state import StateStore


class BothApplying(Exception):
    """Both people have an application in progress; one must be finished or cancelled first."""


@dataclass(frozen=True, slots=True)
class Separated:
    """An account taken out of a person by ``/unlink``.

    Attributes:
        person_id: the new person the account now belongs to.
        former_person_id: the person who had it, and keeps everything else.
    """

    person_id: int
    former_person_id: int


class LinkedAccounts(SessionRepository):
    """Joins people and separates accounts, within one unit of work.

    Args:
        session: the unit of work's session.
    """

    #: The bot's draft cache: the entries of the people changed are dropped (none in tests).
    drafts: DraftCache | None = None

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``, dropping what it changes from the bot's draft cache."""
        linked = cls(session)
        linked.drafts = shared.get(DraftCache)
        return linked

    async def merge(self, kept: int, other: int) -> None:
        """Join person ``other`` into person ``kept``; ``other`` no longer exists afterwards.

        Raises:
            BothApplying: each has an open application (draft, submitted or sent back).
            LookupError: one of them does not exist (forgotten meanwhile).
        """
        session = self.session
        keeper, joined = await session.get(Person, kept), await session.get(Person, other)
        if keeper is None or joined is None or kept == other:
            raise LookupError(f"cannot join person {other} into {kept}")
        open_ = select(func.count(func.distinct(Application.person_id))).where(
            Application.person_id.in_((kept, other)), Application.status.in_([s.value for s in OPEN])
        )
        if (await session.scalar(open_) or 0) > 1:
            raise BothApplying(f"people {kept} and {other} both have an open application")
        # what only the joined person has fills the gaps; the kept person's choices stay
        keeper.locale = keeper.locale or joined.locale
        keeper.country = keeper.country or joined.country
        keeper.delivery_platform = keeper.delivery_platform or joined.delivery_platform
        keeper.announcements = keeper.announcements and joined.announcements
        if joined.name_source == NameSource.FORM and keeper.name_source != NameSource.FORM:
            # the name from an approved application outlives any nickname
            keeper.display_name, keeper.name_source = joined.display_name, joined.name_source
        if keeper.banned_at is None and joined.banned_at is not None:
            keeper.banned_at, keeper.banned_reason = joined.banned_at, joined.banned_reason
        await session.flush()
        moves = (
            (Identity.person_id, Identity),
            (Application.person_id, Application),
            (Application.decided_by, Application),
            (ApplicationEvent.actor_person_id, ApplicationEvent),
            (AuditEntry.actor_person_id, AuditEntry),
            (Reply.person_id, Reply),
            (MemberThread.person_id, MemberThread),
            (Dialogue.created_by, Dialogue),
            (RoleGrant.granted_by, RoleGrant),
            (WikiSuggestion.person_id, WikiSuggestion),
            (WikiSuggestion.reviewed_by, WikiSuggestion),
            (RelayedMessage.person_id, RelayedMessage),
        )
        for column, model in moves:
            await session.execute(update(model).where(column == other).values({column.key: kept}))
        await session.execute(
            update(AuditEntry).where(AuditEntry.target == f"person:{other}").values(target=f"person:{kept}")
        )
        await self._move_roles(kept, other)
        for one_per_person in (DialogueSubscription, MemberProfile):
            await self._move_unless_kept_has_one(one_per_person, kept, other)
        # questions waiting for a button press name the joined person's number: void them
        await StateStore(session).forget_questions_naming(other)
        await session.execute(delete(Person).where(Person.id == other))
        self._forget_drafts(kept, other)

    async def _move_roles(self, kept: int, other: int) -> None:
        held = select(RoleGrant.role).where(RoleGrant.person_id == kept).scalar_subquery()
        await self.session.execute(
            update(RoleGrant)
            .where(RoleGrant.person_id == other, RoleGrant.role.not_in(held))
            .values(person_id=kept)
        )
        await self.session.execute(delete(RoleGrant).where(RoleGrant.person_id == other))

    async def _move_unless_kept_has_one(
        self, model: type[DialogueSubscription] | type[MemberProfile], kept: int, other: int
    ) -> None:
        """A row keyed by the person (a subscription, a directory profile): the kept person's wins."""
        if await self.session.get(model, kept) is None:
            await self.session.execute(update(model).where(model.person_id == other).values(person_id=kept))
        await self.session.execute(delete(model).where(model.person_id == other))

    async def separate(self, identity: Identity, now: datetime) -> Separated:
        """Take ``identity`` out of its person: it becomes a new person with nothing but it.

        The person keeps everything else. Their applications made from that account are
        answered on their most recently seen other account from now on.

        Raises:
            ValueError: it is the person's only account.
        """
        session = self.session
        former = identity.person_id
        others = [
            other
            for other in await session.scalars(
                select(Identity)
                .where(Identity.person_id == former, Identity.id != identity.id)
                .order_by(Identity.last_seen_at.desc(), Identity.id)
            )
        ]
        if not others:
            raise ValueError(f"identity {identity.id} is the only account of person {former}")
        person = Person(display_name=identity.display_name, created_at=now)
        session.add(person)
        await session.flush()
        await session.execute(update(Identity).where(Identity.id == identity.id).values(person_id=person.id))
        await session.execute(
            update(Application)
            .where(
                and_(
                    Application.person_id == former,
                    Application.platform == identity.platform,
                    Application.platform_user_id == identity.platform_user_id,
                )
            )
            .values(platform=others[0].platform, platform_user_id=others[0].platform_user_id)
        )
        await session.refresh(identity)
        self._forget_drafts(former)
        return Separated(person.id, former)

    async def set_delivery_platform(self, person_id: int, platform: str | None) -> None:
        """Where announcements and prompts reach the person (``None``: their latest account)."""
        await self.session.execute(
            update(Person).where(Person.id == person_id).values(delivery_platform=platform)
        )

    def _forget_drafts(self, *people: int) -> None:
        if self.drafts is not None:
            for person_id in people:
                self.drafts.forget(person_id)
