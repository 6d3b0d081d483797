"""A send budget shared by every instance: the next free moment per platform and recipient.

Each reservation is one atomic ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` on the
row of its scope: the row lock serialises instances, so two of them never get the same
moment. The platform's row (scope ``*``) paces the overall rate; a recipient's row paces
that chat. Times are epoch seconds.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Float, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from storage.models import RateBudget
from storage.repository import SessionRepository
from storage.statements import for_session

#: The scope of a platform's overall pace.
OVERALL = "*"
#: The scope whose moment is the end of the platform's last 429 pause.
PAUSE = "pause"
_TABLE = cast(Table, RateBudget.__table__)


class RateBudgets(SessionRepository):
    """Reserves send moments within one (short) transaction."""

    async def reserve(self, platform: str, scope: str, now: float, step: float) -> float:
        """The moment a send in ``scope`` may go; the scope's next free moment moves ``step`` past it.

        Args:
            platform: the platform's name.
            scope: :data:`OVERALL` or a recipient key.
            now: the current time (epoch seconds).
            step: the least interval between two sends in this scope.
        """
        statement = for_session(_UPSERT, self.session)
        slot = await self.session.scalar(
            statement, {"platform": platform, "scope": scope, "now": now, "step": step}
        )
        return float(slot if slot is not None else now) - step

    async def pause(self, platform: str, until: float) -> None:
        """Nothing more goes to ``platform`` before ``until`` (a 429's ``retry_after``).

        New reservations come after it; sends holding an earlier moment check
        :meth:`paused_until` when it comes.
        """
        for scope in (PAUSE, OVERALL):
            await self.session.execute(
                for_session(_UPSERT, self.session),
                {"platform": platform, "scope": scope, "now": until, "step": 0.0},
            )

    async def paused_until(self, platform: str) -> float:
        """The end of ``platform``'s last pause (0 if it never paused)."""
        until = await self.session.scalar(
            select(RateBudget.next_at).where(RateBudget.platform == platform, RateBudget.scope == PAUSE)
        )
        return float(until or 0.0)


def _upsert() -> dict[str, Any]:
    statements: dict[str, Any] = {}
    for name, dialect, greatest in (
        ("postgresql", postgresql.insert, func.greatest),
        ("sqlite", sqlite.insert, func.max),
    ):
        now, step = bindparam("now", type_=Float()), bindparam("step", type_=Float())
        insert = dialect(_TABLE).values(
            platform=bindparam("platform"), scope=bindparam("scope"), next_at=now + step
        )
        statements[name] = insert.on_conflict_do_update(
            index_elements=[_TABLE.c.platform, _TABLE.c.scope],
            set_={"next_at": greatest(_TABLE.c.next_at, now) + step},
        ).returning(_TABLE.c.next_at)
    return statements


_UPSERT = _upsert()
