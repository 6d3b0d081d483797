"""What handlers reach through ``ctx.services``: settings, clock, repositories.

One :class:`Services` is made per event. A repository is opened on first use, by its
class (``ctx.services.repo(WikiRepository)``), on the session the unit of work bound
(:class:`bot.unit_of_work.UnitOfWork`), so a handler's reads and writes and the claim
that makes the event count once commit together. Features declare the repositories they
use (:class:`bot.features.Feature`); the bot's own (people, audit, events, state, outbox)
are always there and have a property each.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.clock import Clock
from bot.core.context import Context
from storage.audit import AuditLog
from storage.events import ProcessedEvents
from storage.outbox import Outbox
from storage.repository import Repository, Shared
from storage.state import StateStore
from storage.users import UserRepository

if TYPE_CHECKING:
    from bot.core.router import Router

R = TypeVar("R", bound=Repository)

#: The repositories of the bot itself, open to every feature.
SHELL_REPOSITORIES: frozenset[type[Repository]] = frozenset(
    {UserRepository, AuditLog, ProcessedEvents, StateStore, Outbox}
)


class Services:
    """The services of one unit of work.

    Args:
        settings: the bot's settings.
        clock: the clock (controllable in tests).
        catalogs: every language's messages.
        router: the root router (``/help`` lists its commands).
        shared: the bot's long-lived objects (caches, a feature's timers).
        repositories: the repositories the features declared; opening another is a bug.
        wake_outbox: tells the outbox sender that rows were added.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        catalogs: Catalogs,
        router: Router,
        shared: Shared,
        repositories: frozenset[type[Repository]],
        wake_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.catalogs = catalogs
        self.router = router
        self.shared = shared
        self.wake_outbox = wake_outbox
        self._declared = repositories | SHELL_REPOSITORIES
        self._session: AsyncSession | None = None
        self._opened: dict[type[Any], Any] = {}

    def bind(self, session: AsyncSession) -> None:
        """Attach the unit of work's session; repositories are opened on it on demand."""
        self._opened = {}
        self._session = session

    def release(self) -> None:
        """Detach from the finished unit of work; forget cached people it changed."""
        users = self._opened.get(UserRepository)
        if users is not None:
            users.forget_changed()
        outbox = self._opened.get(Outbox)
        if outbox is not None and outbox.added:
            self.wake_outbox()
        self._opened = {}
        self._session = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("no unit of work is open: services are only usable inside a handler")
        return self._session

    def repo(self, kind: type[R]) -> R:
        """The repository ``kind`` on this unit of work's session, opened once.

        Raises:
            LookupError: no feature declared ``kind``.
            RuntimeError: no unit of work is open.
        """
        opened = self._opened.get(kind)
        if opened is None:
            if kind not in self._declared:
                raise LookupError(f"{kind.__name__} is not declared by any feature (Feature.repositories)")
            opened = self._opened[kind] = kind.open(self.session, self.shared)
        return opened

    def now(self) -> datetime:
        """The current time (UTC)."""
        return self.clock.now()

    @property
    def users(self) -> UserRepository:
        return self.repo(UserRepository)

    @property
    def audit(self) -> AuditLog:
        return self.repo(AuditLog)

    @property
    def events(self) -> ProcessedEvents:
        return self.repo(ProcessedEvents)

    @property
    def state(self) -> StateStore:
        return self.repo(StateStore)

    @property
    def outbox(self) -> Outbox:
        return self.repo(Outbox)


#: The context every copbot handler receives.
Ctx: TypeAlias = Context[Services]
