"""Receiving in turns: the sync loop runs only on the instance holding the receiving lease.

Several instances on one database each log in and send (the outbox sends from all of
them), but one account syncing from several places would hand every event to several
instances and confirm tokens over each other. So on a shared database the shell runs the
loop under a lease (:class:`bot.leases.LeaseKeeper`): :meth:`ReceivingTurns.begin` when
this instance takes it, :meth:`ReceivingTurns.end` at once when it loses it. The holder
resumes from the token confirmed in the database, so an event the last holder received
but had not handled comes again, and is claimed once in the events ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from nio import SyncResponse

from bot.platforms.matrix.session import SyncLoop

log = logging.getLogger(__name__)

#: Seconds between attempts at the first sync of a turn while the homeserver fails.
RETRY_EVERY = 2.0


class ReceivingTurns:
    """Starts and stops one instance's turn at receiving.

    Args:
        sync: the platform's sync loop.
        resume: starts the loop after a turn's first sync (the platform's, which also
            answers invitations on a first run).
    """

    def __init__(self, sync: SyncLoop, resume: Callable[[SyncResponse], Awaitable[None]]) -> None:
        self.sync = sync
        self.resume = resume
        self._starting: asyncio.Task[None] | None = None

    @property
    def active(self) -> bool:
        """Whether this instance receives, or its turn's first sync is under way."""
        return self._starting is not None or self.sync.running

    def begin(self) -> None:
        """Start a turn: the first sync from the confirmed token, then the loop.

        In the background: a homeserver that does not answer delays receiving (retried
        every :data:`RETRY_EVERY` seconds), not the lease keeper.
        """
        if not self.active:
            self._starting = asyncio.create_task(self._first_then_loop(), name="matrix-receive")

    async def _first_then_loop(self) -> None:
        try:
            while True:
                try:
                    first = await self.sync.first_sync()
                    break
                except asyncio.CancelledError:
                    raise
                except Exception as error:  # holding the lease without receiving would lose the turn
                    log.warning("Matrix: the first sync failed (%s); retrying in %.0f s", error, RETRY_EVERY)
                    await asyncio.sleep(RETRY_EVERY)
            await self.resume(first)
        finally:
            self._starting = None

    async def end(self) -> None:
        """End the turn at once; what was received and not confirmed comes to the next holder."""
        starting, self._starting = self._starting, None
        if starting is not None:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
        await self.sync.stop()
