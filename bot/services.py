"""What handlers reach through ``ctx.services``: settings, clock, repositories.

One :class:`Services` is made per event. Repositories are created on first use and
bound to the event's transaction by :class:`bot.middleware.UnitOfWork`, so a handler's
reads and writes, and the claim that makes the event count once, commit together.
"""

from __future__ import annotations

from datetime import datetime
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

if TYPE_CHECKING:
    from bot.core.router import Router


class Services:
    """The services of one unit of work.

    Attributes:
        settings: the bot's settings.
        clock: the clock (controllable in tests).
        catalogs: every language's messages.
        router: the root router (``/help`` lists its commands).
        profiles: the process-wide cache of resolved people.
    """

    __slots__ = (
        "_audit",
        "_events",
        "_session",
        "_state",
        "_users",
        "catalogs",
        "clock",
        "profiles",
        "router",
        "settings",
    )

    def __init__(
        self, settings: Settings, clock: Clock, catalogs: Catalogs, router: Router, profiles: ProfileCache
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.catalogs = catalogs
        self.router = router
        self.profiles = profiles
        self._session: AsyncSession | None = None
        self._users: UserRepository | None = None
        self._audit: AuditLog | None = None
        self._events: ProcessedEvents | None = None
        self._state: StateStore | None = None

    def bind(self, session: AsyncSession) -> None:
        """Attach the unit of work's session; repositories are made from it on demand."""
        self._unbind()
        self._session = session

    def release(self) -> None:
        """Detach from the finished unit of work; forget cached people it changed."""
        if self._users is not None:
            for person_id in self._users.changed:
                self.profiles.forget(person_id)
        self._unbind()

    def _unbind(self) -> None:
        self._session = None
        self._users = self._audit = self._events = self._state = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no unit of work is open: services are only usable inside a handler")
        return self._session

    def now(self) -> datetime:
        """The current time (UTC)."""
        return self.clock.now()

    @property
    def users(self) -> UserRepository:
        if self._users is None:
            self._users = UserRepository(self.session, self.profiles)
        return self._users

    @property
    def audit(self) -> AuditLog:
        if self._audit is None:
            self._audit = AuditLog(self.session)
        return self._audit

    @property
    def events(self) -> ProcessedEvents:
        if self._events is None:
            self._events = ProcessedEvents(self.session)
        return self._events

    @property
    def state(self) -> StateStore:
        if self._state is None:
            self._state = StateStore(self.session)
        return self._state


#: The context every copbot handler receives.
Ctx: TypeAlias = Context[Services]
