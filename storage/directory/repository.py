"""Member profiles: stored, listed and counted (the directory's introductions).

A profile exists once its member opened ``/profile``; who may appear in ``/directory`` is
decided here, in one place: a listed profile of a person who is still a member (the
member role or a higher one) and is not banned.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.core.types import Role
from storage.models import AuditEntry, Identity, MemberProfile, Person, RoleGrant
from storage.repository import SessionRepository

#: The audit action of an introduction; the daily limit counts them.
INTRODUCE = "directory.introduce"


def handles_of(identities: Sequence[Identity]) -> list[str]:
    """How others can find a person on each platform: ``@username`` where there is one.

    A platform whose user ids are handles themselves (Matrix: ``@alice:example.org``)
    shows the id when no username is known.
    """
    found: list[str] = []
    for identity in identities:
        if identity.username:
            found.append(f"@{identity.username} ({identity.platform})")
        elif identity.platform_user_id.startswith("@"):
            found.append(f"{identity.platform_user_id} ({identity.platform})")
    return found


class DirectoryRepository(SessionRepository):
    """Member profiles within one unit of work."""

    async def get(self, person_id: int) -> MemberProfile | None:
        return await self.session.get(MemberProfile, person_id)

    async def create(self, person_id: int, now: datetime, **fields: Any) -> MemberProfile:
        """A new profile, unlisted, handle hidden, never quoted, holding ``fields`` (name, bio...)."""
        profile = MemberProfile(
            person_id=person_id, updated_at=now, listed=False, show_handle=False, quote_publicly=False
        )
        profile.name, profile.bio, profile.organisation = "", "", ""
        profile.languages, profile.expertise = [], []
        for name, value in fields.items():
            setattr(profile, name, value)
        self.session.add(profile)
        await self.session.flush()
        return profile

    async def update(self, profile: MemberProfile, now: datetime, **fields: Any) -> None:
        """Change some of a profile's fields."""
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.updated_at = now
        await self.session.flush()

    async def listed(self, person_id: int | None = None) -> list[tuple[MemberProfile, Person]]:
        """The listed profiles of members who are not banned, by name; or only ``person_id``'s."""
        members = select(RoleGrant.person_id).where(
            RoleGrant.role.in_([role.label for role in Role if role >= Role.MEMBER])
        )
        query = (
            select(MemberProfile, Person)
            .join(Person, Person.id == MemberProfile.person_id)
            .where(MemberProfile.listed, Person.banned_at.is_(None), Person.id.in_(members))
            .order_by(func.lower(MemberProfile.name), MemberProfile.person_id)
        )
        if person_id is not None:
            query = query.where(MemberProfile.person_id == person_id)
        rows = await self.session.execute(query)
        return [(profile, person) for profile, person in rows.all()]

    async def identities(self, person_ids: Sequence[int]) -> dict[int, list[Identity]]:
        """The accounts of each person, by person id (for their handles)."""
        found: dict[int, list[Identity]] = {person_id: [] for person_id in person_ids}
        rows = await self.session.scalars(
            select(Identity).where(Identity.person_id.in_(person_ids)).order_by(Identity.id)
        )
        for identity in rows:
            found[identity.person_id].append(identity)
        return found

    async def introductions_since(self, person_id: int, moment: datetime) -> int:
        """How many introductions ``person_id`` asked for since ``moment`` (the audit log's)."""
        count = await self.session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(
                AuditEntry.action == INTRODUCE,
                AuditEntry.actor_person_id == person_id,
                AuditEntry.at >= moment,
            )
        )
        return int(count or 0)
