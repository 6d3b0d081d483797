"""Lease rows: which instance holds a singleton job, until when.

A lease is taken when it is free or expired, renewed by its holder before it expires,
and given back on a clean stop. Every change of holder increments the fencing token,
so a holder that was replaced cannot renew (its token is stale). Each operation is one
statement, atomic on PostgreSQL and SQLite alike; times are epoch seconds (floats).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, select, update

from storage.models import Lease
from storage.repository import SessionRepository
from storage.statements import for_session, insert_ignoring

_FIRST = insert_ignoring(cast(Table, Lease.__table__), ("name", "holder", "token", "expires_at"))


@dataclass(frozen=True, slots=True)
class Held:
    """A lease as its holder knows it."""

    name: str
    holder: str
    token: int
    expires_at: float


class Leases(SessionRepository):
    """Takes, renews and gives back leases within one transaction."""

    async def acquire(self, name: str, holder: str, now: float, ttl: float) -> Held | None:
        """Take ``name`` if it is free or expired; ``None`` if someone else holds it."""
        expires = now + ttl
        taken = await self.session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.expires_at < now)
            .values(holder=holder, token=Lease.token + 1, expires_at=expires)
            .returning(Lease.token)
        )
        token = taken.scalar_one_or_none()
        if token is None:
            created = await self.session.execute(
                for_session(_FIRST, self.session),
                {"name": name, "holder": holder, "token": 1, "expires_at": expires},
            )
            if not getattr(created, "rowcount", 0):
                return None
            token = 1
        return Held(name, holder, int(token), expires)

    async def renew(self, lease: Held, now: float, ttl: float) -> Held | None:
        """Extend ``lease``; ``None`` if it expired or changed hands (it is lost)."""
        expires = now + ttl
        result = await self.session.execute(
            update(Lease)
            .where(
                Lease.name == lease.name,
                Lease.holder == lease.holder,
                Lease.token == lease.token,
                Lease.expires_at >= now,
            )
            .values(expires_at=expires)
        )
        if not getattr(result, "rowcount", 0):
            return None
        return Held(lease.name, lease.holder, lease.token, expires)

    async def release(self, lease: Held) -> None:
        """Give ``lease`` back at once (a clean stop): a standby takes it at its next try."""
        await self.session.execute(
            update(Lease)
            .where(Lease.name == lease.name, Lease.holder == lease.holder, Lease.token == lease.token)
            .values(expires_at=0.0)
        )

    async def holders(self, now: float) -> dict[str, str]:
        """The current holder of every lease that has not expired (for operators)."""
        rows = await self.session.execute(select(Lease.name, Lease.holder).where(Lease.expires_at >= now))
        return {name: holder for name, holder in rows.all()}
