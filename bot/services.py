"""What handlers reach through ``ctx.services``: settings, clock, repositories.

One :class:`Services` is made per event. Repositories are created on first use and
bound to the event's transaction by :class:`bot.middleware.UnitOfWork`, so a handler's
reads and writes, and the claim that makes the event count once, commit together.

A feature adds its repository as one more ``cached_property`` below.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.context import Context
from bot.i18n import Catalogs
from storage.audit import AuditLog
from storage.events import ProcessedEvents
from storage.state import StateStore
from storage.users import ProfileCache, UserRepository
from storage.wiki import WikiRepository
from storage.wiki_vocabulary import WikiVocabulary

if TYPE_CHECKING:
    from bot.core.router import Router

#: The attributes that belong to one unit of work and are dropped when it ends.
_BOUND = ("users", "audit", "events", "state", "wiki")


class Services:
    """The services of one unit of work.

    Attributes:
        settings: the bot's settings.
        clock: the clock (controllable in tests).
        catalogs: every language's messages.
        router: the root router (``/help`` lists its commands).
        profiles: the process-wide cache of resolved people.
        wiki_vocabulary: the process-wide words of wiki titles and tags (typo tolerance).
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        catalogs: Catalogs,
        router: Router,
        profiles: ProfileCache,
        wiki_vocabulary: WikiVocabulary | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.catalogs = catalogs
        self.router = router
        self.profiles = profiles
        self.wiki_vocabulary = wiki_vocabulary or WikiVocabulary()
        self._session: AsyncSession | None = None

    def bind(self, session: AsyncSession) -> None:
        """Attach the unit of work's session; repositories are made from it on demand."""
        self._unbind()
        self._session = session

    def release(self) -> None:
        """Detach from the finished unit of work; forget cached people it changed."""
        users = self.__dict__.get("users")
        if isinstance(users, UserRepository):
            for person_id in users.changed:
                self.profiles.forget(person_id)
        self._unbind()

    def _unbind(self) -> None:
        self._session = None
        for name in _BOUND:
            self.__dict__.pop(name, None)

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no unit of work is open: services are only usable inside a handler")
        return self._session

    def now(self) -> datetime:
        """The current time (UTC)."""
        return self.clock.now()

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session, self.profiles)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.session)

    @cached_property
    def events(self) -> ProcessedEvents:
        return ProcessedEvents(self.session)

    @cached_property
    def state(self) -> StateStore:
        return StateStore(self.session)

    @cached_property
    def wiki(self) -> WikiRepository:
        return WikiRepository(self.session, self.wiki_vocabulary)


#: The context every copbot handler receives.
Ctx: TypeAlias = Context[Services]
