"""People and how the platforms know them.

* ``people``: a person, whatever platforms they use; their language, roles and the
  platform where messages for many reach them.
* ``identities``: the link table between a person and their platform accounts
  (``telegram:123``, ``matrix:@a:b``); one person may have several.
* ``role_grants``: roles granted to a person (admins come from the configuration).
* ``join_requests``: requests to join a platform's community chat still waiting for an
  answer (Telegram's ``chat_join_request``), so they outlive a restart.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.core.types import UserRef
from storage.models.base import Base


class NameSource(StrEnum):
    """Where a person's name comes from (``people.name_source``)."""

    #: the platform nickname they first came with.
    PLATFORM = "platform"
    #: the full name they gave in their approved application; nicknames no longer change it.
    FORM = "form"


class Person(Base):
    __tablename__ = "people"
    #: A forgotten person's id is never given to a newcomer (SQLite would reuse the highest).
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    #: A :class:`NameSource`: where ``display_name`` comes from; a name from the form
    #: outlives any nickname, also when accounts are joined (``/link``).
    # defaults on the server only: the prebuilt first-contact INSERT names no more columns
    name_source: Mapped[str] = mapped_column(String(16), server_default=NameSource.PLATFORM.value)
    locale: Mapped[str | None] = mapped_column(String(16))
    #: ISO 3166-1 alpha-2, from the approved application; shown in exports and stats.
    country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime]
    #: Set while the person is banned: the bot ignores them and keeps them out.
    banned_at: Mapped[datetime | None]
    banned_reason: Mapped[str | None] = mapped_column(Text)
    #: The platform where announcements and prompts reach a person with linked accounts
    #: (``/deliver``); ``None``: the account they used most recently.
    delivery_platform: Mapped[str | None] = mapped_column(String(16))
    #: Whether moderators' announcements reach the person (``/announcements off|on``).
    announcements: Mapped[bool] = mapped_column(server_default=true())

    identities: Mapped[list[Identity]] = relationship(back_populates="person", passive_deletes=True)
    roles: Mapped[list[RoleGrant]] = relationship(
        foreign_keys="RoleGrant.person_id", back_populates="person", passive_deletes=True
    )


class Identity(Base):
    __tablename__ = "identities"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255), index=True)
    display_name: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str | None] = mapped_column(String(35))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]

    person: Mapped[Person] = relationship(back_populates="identities")

    @property
    def ref(self) -> UserRef:
        """This identity as the platforms know it, e.g. to send it a direct message."""
        return UserRef(self.platform, self.platform_user_id, self.display_name, self.language, self.username)


class RoleGrant(Base):
    __tablename__ = "role_grants"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    granted_at: Mapped[datetime]
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id], back_populates="roles")


class JoinRequestRow(Base):
    """Someone who asked to join a platform's community chat and was not answered yet.

    Written when the request arrives, removed when it is approved (or found gone); the
    adapter reads them at start, so an admission after a restart approves the request.
    """

    __tablename__ = "join_requests"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(255))
    #: The chat through which the bot may write to the requester (Telegram's ``user_chat_id``).
    user_chat_id: Mapped[str] = mapped_column(String(255))
    requested_at: Mapped[datetime]
