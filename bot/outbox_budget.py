"""One send budget for every instance on a shared database (PostgreSQL).

Each instance's :class:`~bot.core.pacing.Pacer` keeps its own sends within a platform's
limits; with several instances, their sum must stay within them too. Before each send,
:class:`SharedBudget` reserves a moment in the database (:mod:`storage.rate_budget`):
one for the platform's overall pace, one for the recipient's chat (Telegram's 1 message
per second per chat; a group's 20 per minute as one message every 3 seconds), with the
pacer's headroom. The send waits for the later of the two. A 429 pauses the platform
for every instance: new reservations come after the pause, and a send whose moment
comes checks that no pause began meanwhile. Costs two short transactions per send.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bot.core.pacing import HEADROOM, Pacer
from storage.db import Database
from storage.rate_budget import OVERALL, RateBudgets

#: The share of a platform's overall rate the instances use together: more slack than one
#: process's pacer, since sends of several processes bunch more.
SHARED_HEADROOM = 0.85
#: How late (seconds) a send may leave after its moment; later, it takes a new one.
LATE = 0.05
#: Reservations a send tries (late, or overtaken by a pause) before its row waits in the table.
MAX_RESERVATIONS = 5
#: How long such a row waits (seconds).
RETRY_LATER = 1.0


class SharedBudget:
    """Send moments reserved in the database, shared by every instance.

    Args:
        db: the shared database.
        now: the wall clock (epoch seconds) the instances agree on.
    """

    def __init__(self, db: Database, now: Callable[[], float] = time.time) -> None:
        self.db = db
        self.now = now

    async def reserve(self, platform: str, pacer: Pacer, chat: tuple[str, str], group: bool) -> float:
        """Reserve the moment (epoch seconds) a message to ``chat`` on ``platform`` may go."""
        published = pacer.published
        now = self.now()
        slot = now
        chat_step = published.chat_interval / HEADROOM + LATE if published.chat_interval else 0.0
        if group and published.group_per_minute:
            chat_step = max(chat_step, 60.0 / SHARED_HEADROOM / published.group_per_minute)
        async with self.db.transaction() as session:
            budgets = RateBudgets(session)
            # The overall moment first, then the chat's from it: the chat's row then says when
            # its message really goes (an overall moment skipped for a busy chat is only a gap).
            if published.per_second:
                step = 1.0 / (published.per_second * SHARED_HEADROOM)
                slot = max(slot, await budgets.reserve(platform, OVERALL, now, step))
            if chat_step:
                slot = max(slot, await budgets.reserve(platform, ":".join(chat), slot, chat_step))
        return slot

    async def wait_for_moment(
        self, platform: str, pacer: Pacer, chat: tuple[str, str], group: bool, patience: float
    ) -> float:
        """Reserve a moment and sleep until it; a moment missed by more than :data:`LATE` is reserved again.

        A send that leaves late would bunch with the next ones planned on time.

        Returns:
            0 when the message may go now; else the seconds until its moment, which is
            further than ``patience`` (a 429's pause): the row should wait in the table.
        """
        for _ in range(MAX_RESERVATIONS):
            moment = await self.reserve(platform, pacer, chat, group)
            if moment - self.now() > patience:
                return moment - self.now()
            await asyncio.sleep(max(0.0, moment - self.now()))
            if self.now() - moment > LATE:
                continue
            async with self.db.transaction() as session:  # a 429 elsewhere since the reservation?
                paused = await RateBudgets(session).paused_until(platform)
            if paused <= self.now():
                return 0.0
        return RETRY_LATER

    async def pause(self, platform: str, seconds: float) -> None:
        """Nothing more goes to ``platform`` from any instance for ``seconds``."""
        async with self.db.transaction() as session:
            await RateBudgets(session).pause(platform, self.now() + seconds)
