"""Where a message for many reaches each person: one account per person, whatever they linked.

A person may have linked accounts on several platforms (``/link``). Announcements,
prompts sent to subscribers and reminders reach them once, through the account this
module chooses: the one on the platform they chose (``/deliver``) if the bot can reach
it, else the most recently seen account the bot can reach. When none can be reached the
choice falls the same way among all of them, so the outbox records the message as
unreachable rather than the person vanishing from the count.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Identity, Person, UnreachableRecipient


@dataclass(frozen=True, slots=True)
class DeliveryAccount:
    """The account a person is reached through, and the language they chose.

    Attributes:
        identity: the chosen platform account.
        locale: the language the person chose with ``/language``, if any.
    """

    identity: Identity
    locale: str | None


async def delivery_accounts(
    session: AsyncSession, people: Select[int], platforms: Collection[str]
) -> dict[int, DeliveryAccount]:
    """One account per person among ``people``, on one of ``platforms``.

    Args:
        session: the unit of work's session.
        people: a query of person ids.
        platforms: the platforms the bot serves now; accounts elsewhere are never chosen.

    Returns:
        Each person's account by person id, in person order; people with no account on
        ``platforms`` are left out.
    """
    rows = await session.execute(
        select(Identity, Person.locale, Person.delivery_platform, UnreachableRecipient.since)
        .join(Person, Person.id == Identity.person_id)
        .outerjoin(
            UnreachableRecipient,
            and_(
                UnreachableRecipient.platform == Identity.platform,
                UnreachableRecipient.recipient_id == Identity.platform_user_id,
            ),
        )
        .where(Identity.person_id.in_(people), Identity.platform.in_(list(platforms)))
        .order_by(Identity.person_id, Identity.last_seen_at.desc(), Identity.id)
    )
    chosen: dict[int, tuple[tuple[bool, bool], DeliveryAccount]] = {}
    for identity, locale, preferred, unreachable_since in rows:
        # rows come most recently seen first: a later row wins only with a better rank
        rank = (unreachable_since is not None, identity.platform != preferred)
        best = chosen.get(identity.person_id)
        if best is None or rank < best[0]:
            chosen[identity.person_id] = (rank, DeliveryAccount(identity, locale))
    return {person_id: account for person_id, (_, account) in chosen.items()}
