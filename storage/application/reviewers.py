"""Who reviews applications: moderators and admins by grant, and the configured admins."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.types import Role, UserRef
from storage.models import Identity, Person, RoleGrant


async def reviewers(session: AsyncSession, admins: Sequence[str]) -> list[tuple[UserRef, str | None]]:
    """Everyone who reviews applications, with their chosen language.

    Moderators and admins by stored grant, plus the configured admins (``console:admin``)
    even if the bot has never met them.

    Returns:
        ``(identity, person's locale)`` pairs, one per platform identity.
    """
    rows = await session.execute(_reviewers_query(tuple(admins)))
    found: dict[str, tuple[UserRef, str | None]] = {}
    for platform, user_id, name, language, username, locale in rows.all():
        user = UserRef(platform, user_id, name, language, username)
        found[user.key] = (user, locale)
    for key in admins:
        platform, _, user_id = key.partition(":")
        found.setdefault(key, (UserRef(platform, user_id), None))
    return list(found.values())


@functools.lru_cache(maxsize=4)
def _reviewers_query(
    admins: tuple[str, ...],
) -> Select[str, str, str, str | None, str | None, str | None]:
    # Built once per configuration: SQLAlchemy then reuses its cache key too.
    labels = [Role.MODERATOR.label, Role.ADMIN.label]
    granted = select(RoleGrant.person_id).where(RoleGrant.role.in_(labels))
    configured = [
        and_(Identity.platform == platform, Identity.platform_user_id == user_id)
        for platform, _, user_id in (key.partition(":") for key in admins)
    ]
    return (
        select(
            Identity.platform,
            Identity.platform_user_id,
            Identity.display_name,
            Identity.language,
            Identity.username,
            Person.locale,
        )
        .join(Person, Person.id == Identity.person_id)
        .where(or_(Identity.person_id.in_(granted), *configured))
        .order_by(Identity.id)
    )
