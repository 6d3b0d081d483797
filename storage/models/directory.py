"""The member directory: what members show each other (``/profile``, ``/directory``).

* ``member_profiles``: one row per member who opened ``/profile``, started from their
  approved application; unlisted, with the handle hidden and their replies never quoted
  on the public site, until they choose otherwise.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class MemberProfile(Base):
    """A member's directory entry; the person's country is read from ``people``."""

    __tablename__ = "member_profiles"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    #: The name shown to others: the application's name, until the member changes it.
    name: Mapped[str] = mapped_column(String(200), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    #: Choice values of the application form's languages step (``en``, ``fr``...).
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Choice values of the application form's expertise step (``gbv``...).
    expertise: Mapped[list[Any]] = mapped_column(JSON, default=list)
    #: Shown in ``/directory`` only when the member asked for it.
    listed: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Their platform handles shown to others only when the member asked for it.
    show_handle: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: Their dialogue replies may be quoted, under their name, on the public web site.
    quote_publicly: Mapped[bool] = mapped_column(default=False, server_default=false())
    updated_at: Mapped[datetime]
