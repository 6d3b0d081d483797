"""What every repository has in common: it is opened on a unit of work's session.

A handler asks for a repository by its class (``ctx.services.repo(DialogueRepository)``)
and the unit of work opens it once, on its own session, with :meth:`Repository.open`.
Some repositories keep what they learn between units of work in a process-wide cache
(the people already resolved, the drafts in progress, the wiki's words): those live in
the bot's one :class:`Shared`, made on first use, so a repository names the cache it
needs by its type and nothing is wired by hand. A feature's long-lived parts that need
arguments to be made (the dialogue timers) are provided to it when the feature starts.
"""

from __future__ import annotations

from typing import Any, Protocol, Self, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")


class Shared:
    """What one bot keeps for its whole life, one object per type.

    Args:
        exclusive: whether this process is the only one writing the database (SQLite).
            With several instances (PostgreSQL) a cache of what other instances may
            change must not be trusted as long: a kind that caches such things offers
            a ``for_shared_database()`` classmethod, and that is what :meth:`get` makes.
    """

    def __init__(self, *, exclusive: bool = True) -> None:
        self._objects: dict[type[Any], Any] = {}
        self.exclusive = exclusive

    def get(self, kind: type[T]) -> T:
        """The bot's one ``kind``; made now, without arguments, if it is the first time."""
        found = self._objects.get(kind)
        if found is None:
            shared_variant = None if self.exclusive else getattr(kind, "for_shared_database", None)
            found = self._objects[kind] = shared_variant() if shared_variant is not None else kind()
        return found

    def find(self, kind: type[T]) -> T | None:
        """The bot's one ``kind`` if it has been made or provided, else ``None``."""
        return self._objects.get(kind)

    def provide(self, instance: object) -> None:
        """Keep ``instance`` as the bot's one object of its type."""
        self._objects[type(instance)] = instance


class Repository(Protocol):
    """A repository: a class a unit of work can open on its session."""

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """This repository on ``session``, with whatever process-wide cache it keeps."""
        ...


class SessionRepository:
    """The base of repositories that keep nothing between units of work: a session is all."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``."""
        return cls(session)
