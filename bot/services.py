"""What handlers reach through ``ctx.services``: settings, clock, repositories.

One :class:`Services` is made per event. Repositories are created on first use and
bound to the event's transaction by :class:`bot.unit_of_work.UnitOfWork`, so a handler's
reads and writes, and the claim that makes the event count once, commit together.

A feature adds its repository as one more ``cached_property`` below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogs import Catalogs
from bot.config import Settings
from bot.core.clock import Clock
from bot.core.context import Context
from storage.application.repository import ApplicationRepository, DraftCache
from storage.audit import AuditLog
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.threads import PromptThreads
from storage.events import ProcessedEvents
from storage.members.privacy import PersonalData
from storage.members.stats import StatsRepository
from storage.outbox import Outbox
from storage.profiles import ProfileCache
from storage.state import StateStore
from storage.users import UserRepository
from storage.wiki.repository import WikiRepository
from storage.wiki.vocabulary import WikiVocabulary

if TYPE_CHECKING:
    from bot.core.router import Router

#: The attributes that belong to one unit of work and are dropped when it ends.
_BOUND = (
    "users",
    "audit",
    "events",
    "state",
    "outbox",
    "dialogues",
    "applications",
    "wiki",
    "stats",
    "personal_data",
)


class Services:
    """The services of one unit of work.

    Attributes:
        settings: the bot's settings.
        clock: the clock (controllable in tests).
        catalogs: every language's messages.
        router: the root router (``/help`` lists its commands).
        profiles: the process-wide cache of resolved people.
        wake_outbox: tells the outbox sender that rows were added.
        drafts: the process-wide cache of application forms in progress.
        wiki_vocabulary: the process-wide words of wiki titles and tags (typo tolerance).
        prompt_threads: the process-wide cache of dialogue threads; the bot sets it.
        reschedule: rebuilds the timed jobs from the database (a handler that changed a
            schedule queues it with ``ctx.after_commit``); the bot sets it.
    """

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        catalogs: Catalogs,
        router: Router,
        profiles: ProfileCache,
        wake_outbox: Callable[[], None] = lambda: None,
        drafts: DraftCache | None = None,
        wiki_vocabulary: WikiVocabulary | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.catalogs = catalogs
        self.router = router
        self.profiles = profiles
        self.wake_outbox = wake_outbox
        self.drafts = drafts
        self.wiki_vocabulary = wiki_vocabulary or WikiVocabulary()
        self._session: AsyncSession | None = None
        self.reschedule: Callable[[], Awaitable[None]] = _nothing
        self.prompt_threads = PromptThreads()

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
        outbox = self.__dict__.get("outbox")
        if isinstance(outbox, Outbox) and outbox.added:
            self.wake_outbox()
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
    def outbox(self) -> Outbox:
        return Outbox(self.session)

    @cached_property
    def dialogues(self) -> DialogueRepository:
        return DialogueRepository(self.session, self.prompt_threads)

    @cached_property
    def applications(self) -> ApplicationRepository:
        return ApplicationRepository(self.session, self.drafts)

    @cached_property
    def wiki(self) -> WikiRepository:
        return WikiRepository(self.session, self.wiki_vocabulary)

    @cached_property
    def stats(self) -> StatsRepository:
        return StatsRepository(self.session)

    @cached_property
    def personal_data(self) -> PersonalData:
        return PersonalData(self.session)


async def _nothing() -> None:
    return None


#: The context every copbot handler receives.
Ctx: TypeAlias = Context[Services]
