"""Timers for virtual dialogues, rebuilt from the database.

The database says what is due; timers only decide when to look. At start-up and after
every schedule change the poster runs once (at start-up: catch-up for prompts missed
while the bot was down), a periodic tick runs it
every ``dialogue_tick_seconds`` as a safety net, and one exact timer is set for each
upcoming prompt and opening or closing day. A handler that changes a schedule queues
:meth:`DialogueTimers.rebuild` after its commit; the handlers find the timers among the
bot's shared objects, where :func:`start_timers` (the feature's start) provides them.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.core.clock import Clock
from bot.features import RunSystem, Runtime, Timers
from handlers.dialogues.posting import PromptPoster
from storage.db import Database
from storage.dialogues.calendar import closes_at, opens_at
from storage.dialogues.repository import DialogueRepository

log = logging.getLogger(__name__)

#: Exact timers set at most this far ahead; the tick and later rebuilds cover the rest.
HORIZON = timedelta(days=45)
_PREFIX = "dialogue-at-"


class DialogueTimers:
    """Schedules :class:`PromptPoster` runs.

    Args:
        scheduler: the bot's timers.
        db: the database (read outside any unit of work, after commits).
        clock: the bot's clock, which due times are measured against.
        run_system: ``CopBot.run_system``.
        tick: the period of the safety-net run.
    """

    def __init__(
        self, scheduler: Timers, db: Database, clock: Clock, run_system: RunSystem, tick: timedelta
    ) -> None:
        self.scheduler = scheduler
        self.db = db
        self.clock = clock
        self.run_system = run_system
        self.tick = tick
        self.poster = PromptPoster(run_system)

    async def run(self) -> None:
        """Post whatever is due now."""
        await self.run_system("dialogues", self.poster)

    async def start(self) -> None:
        """Catch up, then set the periodic tick and the exact timers."""
        self.scheduler.every("dialogue-tick", self.tick, self.run, first=datetime.now(UTC) + self.tick)
        await self.rebuild()

    async def rebuild(self) -> None:
        """Do what is due now, then set exact timers for what is upcoming in the database.

        Running first means a dialogue created for today is announced, and a prompt
        added for a time already past is posted, at once rather than at the next tick.
        """
        await self.run()
        now = self.clock.now()
        async with self.db.transaction() as session:
            repo = DialogueRepository(session)
            moments = set(await repo.upcoming_times(now))
            for dialogue in await repo.listed(("scheduled", "open")):
                moments.update(moment for moment in (opens_at(dialogue), closes_at(dialogue)) if moment > now)
        wanted = {f"{_PREFIX}{moment.isoformat()}": moment for moment in moments if moment - now <= HORIZON}
        for name in self.scheduler.job_names:
            if name.startswith(_PREFIX) and name not in wanted:
                self.scheduler.cancel(name)
        for name, moment in wanted.items():
            self.scheduler.after(name, moment - now, self.run)
        log.debug("dialogue timers: %d upcoming", len(wanted))


async def start_timers(runtime: Runtime) -> None:
    """The dialogues feature's start: catch up on what is due, then keep the timers set."""
    tick = timedelta(seconds=runtime.settings.dialogue_tick_seconds)
    timers = DialogueTimers(runtime.timers, runtime.db, runtime.clock, runtime.run_system, tick)
    runtime.shared.provide(timers)
    await timers.start()
