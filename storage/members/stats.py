"""The figures behind ``/stats``: one aggregate query per figure.

Every query is a ``GROUP BY`` that both SQLite and PostgreSQL run from the indexes the
tables already have; none loads rows one by one. Regions are folded from the per-country
counts in Python (at most a few hundred rows) with the M49 table of
:mod:`storage.regions`, which keeps the region mapping in one data file rather than in SQL.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from bot.core.types import Role
from storage.models import Application, Dialogue, Person, Prompt, Reply, RoleGrant
from storage.regions import REGIONS, region_of
from storage.repository import SessionRepository

#: Roles that make a person count for the "members" figures.
_MEMBER_ROLES = [role.label for role in Role if role >= Role.MEMBER]


@dataclass(frozen=True, slots=True)
class Count:
    """One bar of a figure.

    Attributes:
        key: what is counted: a country or M49 region code, a status; ``None`` for
            "not known" (a member without a country).
        count: how many.
    """

    key: str | None
    count: int


@dataclass(frozen=True, slots=True)
class PromptReplies:
    """The replies to one prompt of a dialogue.

    Attributes:
        prompt_id: the prompt's id.
        position: its place in the dialogue (0, 1, ...).
        text: the prompt's text by language code.
        replies: replies received (deleted ones are not counted).
    """

    prompt_id: int
    position: int
    text: dict[str, Any]
    replies: int


@dataclass(frozen=True, slots=True)
class DialogueReplies:
    """The current dialogue and the replies to each of its prompts.

    Attributes:
        dialogue_id: the dialogue's id.
        title: its title by language code.
        status: ``open`` or ``closed``.
        prompts: every prompt, in order.
    """

    dialogue_id: int
    title: dict[str, Any]
    status: str
    prompts: tuple[PromptReplies, ...]


class StatsRepository(SessionRepository):
    """Read-only figures about the community, for moderators.

    Args:
        session: the unit of work's session.
    """

    async def members_by_country(self) -> list[Count]:
        """Members (member role or higher, not banned) per country, most first.

        Members without a country are counted under ``None``. Ties are ordered by code.
        """
        members = select(RoleGrant.person_id).where(RoleGrant.role.in_(_MEMBER_ROLES))
        # Codes are stored upper case, but a hand-edited row must not split a country.
        country = func.upper(Person.country)
        rows = await self.session.execute(
            select(country, func.count(Person.id))
            .where(Person.id.in_(members), Person.banned_at.is_(None))
            .group_by(country)
        )
        return _ranked(Count(code or None, count) for code, count in rows)

    async def members_by_region(self) -> list[Count]:
        """Members per M49 region code, most first; ``None`` holds the unknown or unmapped."""
        regions: Counter[str | None] = Counter()
        for row in await self.members_by_country():
            regions[region_of(row.key)] += row.count
        order = {region: index for index, region in enumerate(REGIONS)}
        return _ranked(
            (Count(region, count) for region, count in regions.items()),
            tiebreak=lambda key: order.get(key or "", len(order)),
        )

    async def applications_by_status(self) -> list[Count]:
        """Applications per status (draft, submitted, approved, ...), most first."""
        total = func.count(Application.id)
        rows = await self.session.execute(
            select(Application.status, total)
            .group_by(Application.status)
            .order_by(total.desc(), Application.status)
        )
        return [Count(status, count) for status, count in rows]

    async def current_dialogue(self) -> Dialogue | None:
        """The open dialogue, else the one that closed last; ``None`` when neither exists."""
        opened_first = case((Dialogue.status == "open", 0), else_=1)
        return await self.session.scalar(
            select(Dialogue)
            .where(Dialogue.status.in_(("open", "closed")))
            .order_by(opened_first, Dialogue.end_date.desc(), Dialogue.id.desc())
            .limit(1)
        )

    async def dialogues_in_view(self) -> list[Dialogue]:
        """Every open dialogue (earliest start first); without one, the one that closed last."""
        opened = list(
            await self.session.scalars(
                select(Dialogue).where(Dialogue.status == "open").order_by(Dialogue.start_date, Dialogue.id)
            )
        )
        if opened:
            return opened
        latest = await self.current_dialogue()
        return [latest] if latest is not None else []

    async def replies_per_prompt(self, dialogue_id: int | None = None) -> DialogueReplies | None:
        """Replies to each prompt of a dialogue.

        Args:
            dialogue_id: the dialogue; by default :meth:`current_dialogue`.

        Returns:
            The counts, or ``None`` when there is no such dialogue.
        """
        dialogue = (
            await self.current_dialogue()
            if dialogue_id is None
            else await self.session.get(Dialogue, dialogue_id)
        )
        if dialogue is None:
            return None
        # Counted in a subquery grouped by prompt id alone: PostgreSQL cannot group by
        # the JSON ``text`` column, and a prompt without replies still gets its row.
        counts = (
            select(Reply.prompt_id, func.count(Reply.id).label("replies"))
            .join(Prompt, Prompt.id == Reply.prompt_id)
            .where(Prompt.dialogue_id == dialogue.id, Reply.deleted_at.is_(None))
            .group_by(Reply.prompt_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(Prompt.id, Prompt.position, Prompt.text, func.coalesce(counts.c.replies, 0))
            .outerjoin(counts, counts.c.prompt_id == Prompt.id)
            .where(Prompt.dialogue_id == dialogue.id)
            .order_by(Prompt.position, Prompt.id)
        )
        prompts = tuple(PromptReplies(id_, position, dict(text), int(n)) for id_, position, text, n in rows)
        return DialogueReplies(dialogue.id, dict(dialogue.title), dialogue.status, prompts)


def _ranked(counts: Iterable[Count], tiebreak: Callable[[str | None], int] | None = None) -> list[Count]:
    """``counts`` most first (ties by ``tiebreak``, else by key); "not known" (``None``) last."""

    def key(row: Count) -> tuple[bool, int, int, str]:
        return (row.key is None, -row.count, tiebreak(row.key) if tiebreak else 0, row.key or "")

    return sorted(counts, key=key)
