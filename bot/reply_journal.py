"""Interactive replies that survive a crash between their event's commit and their send.

A handler's replies are sent after its event's transaction has committed, and the event
is confirmed to its platform only after they were sent. A process killed between that
commit and the end of the sends would, on its own, lose those replies: the redelivered
event finds its claim and is skipped.

So every reply without attachments to a platform that is not a local operator's
terminal gets a key and a row in ``pending_replies``, written in the event's own
transaction. Once the platform confirmed the send (or it was given up and logged) its
key is forgotten: by the DELETE that a later event's transaction carries along, at most
every ``forget_every`` seconds, or by a transaction of its own when the bot is idle. At
the next start, what is still journalled is sent again as soon as that platform has
started.

* Where a send carrying the same idempotency key is dropped as a repeat
  (:attr:`~bot.core.platform.Capability.IDEMPOTENT_SEND`: Matrix transaction ids), a
  reply that had reached the platform is dropped there: replies are exactly once.
* Elsewhere (Telegram) nothing can tell a repeat, so replies are at least once: a crash
  repeats only the sends that were in flight, those the platform had received and whose
  keys were not forgotten yet (the last ``forget_every`` seconds' worth, at most).
* The console is not journalled: it is one operator's terminal, whose input dies with the
  process, and its pipeline would keep only about 0.8x its speed.

Replies older than the replay window (the platform keeps its idempotency keys for a
limited time, and an hour-old answer is no answer) are logged and dropped instead of sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Collection, Mapping, MutableSequence
from dataclasses import replace
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.delivery import deliver
from bot.core.platform import Capability, Platform
from bot.core.types import OutgoingMessage
from storage.db import Database
from storage.reply_journal import PendingReplies

log = logging.getLogger(__name__)

#: Keys the journal issues start with this, so its replies are told from the outbox's.
KEY_PREFIX = "reply-"
#: Journalled replies older than this are not sent again after a restart.
REPLAY_WINDOW = timedelta(hours=1)
#: How often delivered replies are forgotten, in seconds: a crash repeats, on a platform
#: that cannot drop a repeat, at most the replies delivered in that time.
FORGET_EVERY = 0.25
#: Delivered keys forgotten in the next transaction even before the period is over.
FORGET_AT_ONCE = 500


def journalled_keys(messages: Collection[OutgoingMessage]) -> list[str]:
    """The keys of the journalled replies among ``messages``."""
    return [
        message.idempotency_key
        for message in messages
        if message.idempotency_key is not None and message.idempotency_key.startswith(KEY_PREFIX)
    ]


class ReplyJournal:
    """Journals interactive replies and sends them again after a crash.

    Args:
        db: the database.
        platforms: every running platform by name.
        clock: the bot's clock (rows are dated with it, and the replay window measured).
        forget_every: how often delivered replies are removed from the journal, in seconds.
            (A crash repeats, at most, what was delivered in that time: Matrix drops it,
            Telegram shows it twice.)
    """

    def __init__(
        self,
        db: Database,
        platforms: Mapping[str, Platform],
        clock: Clock,
        *,
        forget_every: float = FORGET_EVERY,
    ) -> None:
        self.db = db
        self.platforms = platforms
        self.clock = clock
        self.forget_every = forget_every
        self._delivered: set[str] = set()
        self._forgotten_at = time.monotonic()
        self._task: asyncio.Task[None] | None = None
        self._journalled = {name for name, platform in platforms.items() if not platform.local_operator}

    @property
    def active(self) -> bool:
        """Whether any running platform's replies are journalled."""
        return bool(self._journalled)

    def keyed(self, outbox: MutableSequence[OutgoingMessage]) -> list[OutgoingMessage]:
        """Give each reply of ``outbox`` to journal its key, in place; returns those replies.

        The caller writes them (:class:`~storage.reply_journal.PendingReplies`) in the
        transaction of the event that queued them.
        """
        journalled = []
        for index, message in enumerate(outbox):
            if (
                message.to.platform in self._journalled
                and not message.attachments
                and message.idempotency_key is None
            ):
                keyed = _with_key(message)
                outbox[index] = keyed
                journalled.append(keyed)
        return journalled

    def delivered(self, keys: Collection[str]) -> None:
        """The sends of these replies are over: they need not be sent again."""
        self._delivered.update(keys)

    async def replay(self, platform: Platform) -> None:
        """Send again what a crash left journalled for ``platform`` (call once it has started)."""
        if platform.name not in self._journalled:
            return
        async with self.db.transaction() as session:
            pending = await PendingReplies(session).of(platform.name)
        if not pending:
            return
        oldest = self.clock.now() - REPLAY_WINDOW
        stale = [reply for reply in pending if reply.created_at < oldest]
        if stale:
            log.warning(
                "dropping %d %s replies left unsent by a crash over %s ago",
                len(stale),
                platform.name,
                REPLAY_WINDOW,
            )
        if len(stale) < len(pending):
            log.info(
                "sending again %d %s replies a crash may have cut off%s",
                len(pending) - len(stale),
                platform.name,
                ""
                if platform.supports(Capability.IDEMPOTENT_SEND)
                else " (those that were in flight may arrive twice)",
            )
        for reply in pending:
            if reply.created_at >= oldest:
                await deliver(self.platforms, reply.message)
        self.delivered(journalled_keys([reply.message for reply in pending]))
        await self.forget()

    def due(self) -> set[str]:
        """The delivered keys to forget in a transaction about to commit anyway, if it is time.

        Forgetting rides on the events' own transactions, so it costs no commit of its
        own while the bot is busy; :meth:`give_back` returns the keys if that
        transaction does not commit.
        """
        if not self._delivered:
            return set()
        if (
            len(self._delivered) < FORGET_AT_ONCE
            and time.monotonic() - self._forgotten_at < self.forget_every
        ):
            return set()
        return self._take()

    def give_back(self, keys: Collection[str]) -> None:
        """Keys taken by :meth:`due` whose transaction rolled back: forget them later."""
        self._delivered.update(keys)

    async def forget(self) -> None:
        """Remove the delivered replies from the journal now, in a transaction of their own."""
        if not self._delivered:
            return
        keys = self._take()
        try:
            async with self.db.transaction() as session:
                await PendingReplies(session).remove(keys)
        except Exception:
            self.give_back(keys)
            log.exception("could not forget %d delivered replies; trying again later", len(keys))

    def _take(self) -> set[str]:
        keys, self._delivered = self._delivered, set()
        self._forgotten_at = time.monotonic()
        return keys

    async def start(self) -> None:
        if self.active and self._task is None:
            self._task = asyncio.create_task(self._forget_when_idle(), name="reply-journal")

    async def stop(self) -> None:
        """Stop forgetting in the background, after forgetting what was delivered so far."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self.forget()

    async def _forget_when_idle(self) -> None:
        """Forget what no event's transaction took along in the last period."""
        while True:
            await asyncio.sleep(self.forget_every)
            if time.monotonic() - self._forgotten_at >= self.forget_every:
                await self.forget()


def _with_key(message: OutgoingMessage) -> OutgoingMessage:
    return replace(message, idempotency_key=f"{KEY_PREFIX}{uuid.uuid4().hex}")
