"""What several instances on one PostgreSQL database share to work as one bot.

* ``leases``: which instance holds each singleton job (polling, the scheduler's jobs),
  until when, and a fencing token that grows at every change of holder.
* ``rate_budget``: the next free send moment per platform and per recipient, so every
  instance together stays within the platform's published limits.

Times are seconds since the epoch (floats): the instances' clocks must agree (NTP) far
better than a lease's lifetime.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Lease(Base):
    """One singleton job's holder."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    token: Mapped[int] = mapped_column(BigInteger)
    expires_at: Mapped[float] = mapped_column(Float)


class RateBudget(Base):
    """The next moment a platform (``scope`` ``*``) or one recipient may be sent to."""

    __tablename__ = "rate_budget"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float)
