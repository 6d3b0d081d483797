"""The unit of work: one transaction per event (or per group of events), delivery after commit.

A middleware of the chain (see :mod:`bot.core.middleware` for the whole chain); it needs
storage, so it lives in the shell, next to :mod:`bot.identity`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.context import Context
from bot.core.delivery import flush
from bot.core.middleware import Next
from bot.core.types import OutgoingMessage
from bot.reply_journal import ReplyJournal, journalled_keys
from bot.services import Services
from storage.db import Database
from storage.events import ProcessedEvents
from storage.reply_journal import PendingReplies

log = logging.getLogger(__name__)


class UnitOfWork:
    """One transaction per event, exactly-once claims, and delivery after commit.

    The event's id is claimed in the same transaction as the handler's writes. A
    redelivered event finds its claim and is skipped. When a handler fails, its writes
    are rolled back and the event is claimed alone, so a poisonous event is not retried
    forever. Queued replies and effects run only after a successful commit.

    **Group commit** (on by default for SQLite, which has a single writer anyway): events
    that are ready at the same moment share one transaction. Each handler runs in turn
    inside it, then one COMMIT makes all of them durable before any of them replies. That
    saves a session, a ``BEGIN`` and a ``COMMIT`` per event, which is most of what a small
    event costs. If a handler of a group fails, the whole group is rolled back: the failing
    event is claimed alone and its error goes on to :class:`~bot.core.middleware.ErrorCapture`
    as usual, and every other event of the group is handled again in a transaction of its
    own (their replies and effects had only been queued), so one failing event never costs
    another its effects.

    Replies to platforms whose sends are idempotent are journalled in the transaction too,
    so a crash between the commit and the sends does not lose them (see :mod:`bot.reply_journal`).

    Args:
        db: the database.
        clock: the clock (claims are timestamped).
        journal: the reply journal, if any platform's replies are journalled.
        group_commit: share transactions between events that are ready together; by
            default on SQLite only (PostgreSQL runs transactions concurrently).
        max_group: the most events one transaction carries.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        journal: ReplyJournal | None = None,
        group_commit: bool | None = None,
        max_group: int = 64,
    ) -> None:
        self.db = db
        self.clock = clock
        self.journal = journal if journal is not None and journal.active else None
        self.group_commit = db.dialect == "sqlite" if group_commit is None else group_commit
        self.max_group = max_group
        self._group: _Group | None = None

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        if not self.group_commit:
            await self._alone(ctx, call_next)
            return
        group = self._group
        if group is not None and group.open and group.members < self.max_group:
            committed, error = await self._join(group, ctx, call_next)
        else:
            committed, error = await self._lead(ctx, call_next)
        ctx.services.release()  # after the commit (or rollback): cached profiles, outbox wake-up
        if committed:
            await self._deliver(ctx)
            return
        ctx.discard_effects()
        if error is None:  # another event spoiled the group: this one is redone alone
            await self._alone(ctx, call_next)
            return
        await self._claim_alone(ctx.event.platform, ctx.event.event_id)
        raise error

    async def _alone(self, ctx: Context[Any], call_next: Next) -> None:
        """Handle the event in a transaction of its own."""
        services: Services = ctx.services
        event = ctx.event
        forgotten: set[str] = set()
        try:
            try:
                async with self.db.transaction() as session:
                    services.bind(session)
                    journalled: list[OutgoingMessage] = []
                    await self._handle(services, ctx, call_next, journalled)
                    forgotten = await self._journal(session, journalled)
            finally:
                services.release()  # after the commit: cached profiles, outbox wake-up
        except Exception:
            self._give_back(forgotten)
            ctx.discard_effects()
            await self._claim_alone(event.platform, event.event_id)
            raise
        await self._deliver(ctx)

    async def _lead(self, ctx: Context[Any], call_next: Next) -> tuple[bool, Exception | None]:
        """Open a group's transaction, run this event and those that join it, commit."""
        group = _Group(asyncio.get_running_loop().create_future())
        self._group = group
        error: Exception | None = None
        try:
            async with self.db.sessions() as session:
                group.session = session
                async with session.begin():
                    group.ready.set()
                    error = await self._member(group, ctx, call_next)
                    # Events that are ready now join while we yield once; later ones start
                    # the next group (waiting for more would only delay everyone's reply).
                    await asyncio.sleep(0)
                    group.open = False
                    while group.running:
                        await group.idle.wait()
                    if group.failed:
                        await session.rollback()
                    else:  # the group's replies in one statement, not one per event
                        group.forgotten = await self._journal(session, group.journalled)
        except Exception:
            log.exception("a group transaction failed; its events are handled one by one")
            group.failed = True
        except BaseException:  # cancelled: the transaction was rolled back
            group.failed = True
            raise
        finally:
            if group.failed:
                self._give_back(group.forgotten)
            group.open = False
            if self._group is group:
                self._group = None
            group.ready.set()  # if the transaction never opened, joiners find the group failed
            group.outcome.set_result(not group.failed)
        return not group.failed, error

    async def _join(self, group: _Group, ctx: Context[Any], call_next: Next) -> tuple[bool, Exception | None]:
        error = await self._member(group, ctx, call_next)
        return await asyncio.shield(group.outcome), error

    async def _member(self, group: _Group, ctx: Context[Any], call_next: Next) -> Exception | None:
        """Run one event of the group in its turn; its failure spoils the whole group.

        Returns:
            The handler's exception, if it failed.
        """
        group.members += 1
        group.running += 1
        group.idle.clear()
        try:
            await group.ready.wait()  # the leader is opening the transaction
            async with group.turn:
                if group.failed:
                    return None  # the transaction will be rolled back; the event is redone alone
                services: Services = ctx.services
                services.bind(group.session)
                try:
                    await self._handle(services, ctx, call_next, group.journalled)
                except Exception as error:
                    group.failed = True  # some of its writes may be in the transaction
                    return error
                except BaseException:  # cancelled half-way (the bot stops): commit none of it
                    group.failed = True
                    raise
        finally:
            group.running -= 1
            if not group.running:
                group.idle.set()
        return None

    async def _handle(
        self, services: Services, ctx: Context[Any], call_next: Next, journalled: list[OutgoingMessage]
    ) -> None:
        """Claim the event and, if it is new, run its handler (inside the transaction).

        The replies it queued that are to be journalled get their keys and join ``journalled``.
        """
        if await self._claim(services, ctx):
            await call_next(ctx)
            if self.journal is not None and ctx.outbox:
                journalled += self.journal.keyed(ctx.outbox)

    async def _journal(self, session: AsyncSession, journalled: list[OutgoingMessage]) -> set[str]:
        """Write the transaction's replies to the journal, and forget delivered ones if it is time.

        Returns:
            The delivered keys this transaction forgets (given back if it does not commit).
        """
        if self.journal is None:
            return set()
        forgotten = self.journal.due()
        try:
            replies = PendingReplies(session)
            if journalled:
                await replies.add(journalled, self.clock.now())
            if forgotten:
                await replies.remove(forgotten)
        except BaseException:
            self.journal.give_back(forgotten)
            raise
        return forgotten

    def _give_back(self, forgotten: set[str]) -> None:
        if self.journal is not None and forgotten:
            self.journal.give_back(forgotten)

    async def _deliver(self, ctx: Context[Any]) -> None:
        """Send what the committed event queued; journalled replies are then forgotten."""
        keys = journalled_keys(ctx.outbox) if self.journal is not None else ()
        await flush(ctx)
        if keys:
            assert self.journal is not None
            self.journal.delivered(keys)

    async def _claim(self, services: Services, ctx: Context[Any]) -> bool:
        event = ctx.event
        if await services.events.claim(event.platform, event.event_id, self.clock.now()):
            return True
        log.info("skipping %s event %s: already handled", event.platform, event.event_id)
        return False

    async def _claim_alone(self, platform: str, event_id: str) -> None:
        try:
            async with self.db.transaction() as session:
                await ProcessedEvents(session).claim(platform, event_id, self.clock.now())
        except Exception:
            log.exception("could not record failed %s event %s as handled", platform, event_id)


class _Group:
    """Events sharing one transaction (see :class:`UnitOfWork`)."""

    def __init__(self, outcome: asyncio.Future[bool]) -> None:
        #: Resolves once the group's transaction ended: ``True`` if it committed.
        self.outcome = outcome
        self.session: Any = None
        #: One handler at a time uses the session.
        self.turn = asyncio.Lock()
        #: Set once the transaction is open; joiners wait for it.
        self.ready = asyncio.Event()
        self.idle = asyncio.Event()
        #: The replies of its events to journal, written just before the commit.
        self.journalled: list[OutgoingMessage] = []
        #: Delivered replies its transaction forgets.
        self.forgotten: set[str] = set()
        self.members = 0
        self.running = 0
        self.open = True
        self.failed = False
