"""The outbox sender: delivers outbox rows at each platform's pace, and reports progress.

One loop takes due rows oldest first and gives each a send slot from its platform's
:class:`~bot.core.pacing.Pacer`; each send runs in its own task at its slot, so a slow
or rate-limited recipient never holds up the others (and interactive replies never wait
for the outbox at all: they are delivered by the event that caused them). A row is marked
sent only after the platform confirmed it:

* ``RateLimited`` (Telegram 429, Matrix ``M_LIMIT_EXCEEDED``): the platform's outbox
  pauses for exactly ``retry_after``, the row is tried again then (not counted as a failure);
* ``RecipientUnreachable`` (Telegram 403): the row and the recipient are marked unreachable
  and later broadcasts skip them;
* ``ThreadGone`` (a topic deleted or closed) and ``UnsupportedCapability``: the row is
  marked failed at once, since sending again changes nothing;
* other errors: retried with exponential backoff, then marked failed with the error.

With several instances on one PostgreSQL database (``shared``), every instance sends:
a round takes its rows with ``FOR UPDATE SKIP LOCKED`` and claims those it starts for
:data:`CLAIM` seconds (another instance's rounds skip them; a crashed instance's come
back then), and every send first reserves its moment in the budget the instances share
(:mod:`bot.outbox_budget`).

A second loop keeps each broadcast's status message up to date ("1,234 / 10,000
delivered, 3 unreachable") and sends a final report when nothing is left pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from babel.numbers import format_decimal

from bot.catalogs import Catalogs
from bot.core.clock import Clock
from bot.core.delivery import deliver, sent
from bot.core.errors import RateLimited, RecipientUnreachable, ThreadGone, UnsupportedCapability
from bot.core.i18n import N_
from bot.core.pacing import Pacer
from bot.core.platform import Platform
from bot.core.text import fill
from bot.core.types import ChatRef, MessageRef, OutgoingMessage, UserRef
from bot.outbox_budget import SharedBudget
from bot.outbox_files import FileFetcher
from storage.db import Database
from storage.messages import CHAT, USER, decode
from storage.models import Broadcast
from storage.outbox import Outbox, Progress, report_recipient
from storage.outbox_files import RelayedFile

log = logging.getLogger(__name__)

_Work = Callable[[], Awaitable[bool]]

#: How far ahead a send slot may be reserved; rows further out wait for a later round.
LOOKAHEAD = 1.0
#: Sends under way at once, by default; a crash can repeat at most these.
MAX_IN_FLIGHT = 32
#: A row whose chat is not ready this much after the platform is waits in the table.
CHAT_WAIT_SLACK = 0.05
#: How long rows taken by one instance stay out of the others' rounds (several instances).
CLAIM = timedelta(seconds=30)
#: The longest a claimed row waits for its moment in the shared budget; longer (a 429's
#: pause), it goes back to the table rather than outlive its claim.
CLAIM_PATIENCE = 10.0

PROGRESS = N_("Broadcast #{id}: {sent} / {total} delivered, {unreachable} unreachable, {failed} failed.")
FINISHED = N_(
    "Broadcast #{id} finished: {sent} of {total} delivered, {unreachable} unreachable, {failed} failed."
)


class OutboxSender:
    """Delivers the outbox in the background.

    Args:
        db: the database.
        platforms: running platforms by name.
        clock: real time (delivery is scheduled in real time, whatever the bot's clock).
        catalogs: for progress reports in the moderator's language.
        poll_interval: how often to look for due rows when not woken.
        max_in_flight: sends under way at once.
        max_attempts: tries before a row is marked failed.
        report_interval: how often progress messages are edited.
        shared: other instances send from the same database (PostgreSQL): rows are
            claimed and the rate budget is shared through the database.
    """

    def __init__(
        self,
        db: Database,
        platforms: Mapping[str, Platform],
        clock: Clock,
        catalogs: Catalogs,
        *,
        poll_interval: float = 0.5,
        max_in_flight: int = MAX_IN_FLIGHT,
        max_attempts: int = 8,
        report_interval: float = 2.0,
        shared: bool = False,
    ) -> None:
        self.db = db
        self.platforms = platforms
        self.clock = clock
        self.catalogs = catalogs
        self.poll_interval = poll_interval
        self.max_in_flight = max_in_flight
        self.max_attempts = max_attempts
        self.report_interval = report_interval
        self.pacers = {name: Pacer(platform.rate_limits) for name, platform in platforms.items()}
        self._in_flight: set[int] = set()
        self._sends: set[asyncio.Task[None]] = set()
        self._wakeup = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._reported: dict[int, Progress] = {}
        self.files = FileFetcher(db, platforms)
        self.budget = SharedBudget(db) if shared else None

    def wake(self) -> None:
        """Look for due rows now (new rows were committed)."""
        self._wakeup.set()

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(self._round, lambda: self.poll_interval), name="outbox-sender"),
            asyncio.create_task(
                self._loop(self.report, lambda: self.report_interval), name="outbox-reporter"
            ),
        ]

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking rows; give sends under way ``grace`` seconds to finish."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._sends:
            _, late = await asyncio.wait(set(self._sends), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)

    async def _loop(self, work: _Work, interval: Callable[[], float]) -> None:
        while True:
            try:
                busy = await work()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox loop failed; retrying")
                busy = False
            self._wakeup.clear()
            # asyncio.timeout, not wait_for: on Python 3.11, wait_for swallows a
            # cancellation that arrives as the event is set, and stop() would wait forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(0.05 if busy else interval()):
                    await self._wakeup.wait()

    async def _round(self) -> bool:
        """Start sends for the due rows that have a slot now; returns whether any started."""
        if len(self._in_flight) >= self.max_in_flight:
            return False
        now = self.clock.now()
        started = 0
        async with self.db.transaction() as session:
            outbox = Outbox(session)
            rows = await outbox.due(now, self.max_in_flight, self._in_flight, lock=self.budget is not None)
            files = await outbox.files.of([row.id for row in rows])
            blocked: set[str] = set()
            later: dict[float, list[int]] = {}
            taken: list[int] = []
            for row in rows:
                if len(self._in_flight) >= self.max_in_flight:
                    break
                platform = self.platforms.get(row.platform)
                if platform is None or row.platform in blocked:
                    continue
                pacer = self.pacers[row.platform]
                moment = time.monotonic()
                if pacer.ready(moment) - moment > LOOKAHEAD:
                    blocked.add(row.platform)  # the overall pace (or a 429) holds every row
                    continue
                key, group = (row.recipient_kind, row.recipient_id), row.recipient_kind == CHAT
                # Slots are handed out in order: a row that must wait for its own chat's
                # pace would hold every later row behind it, so it waits in the table.
                wait = pacer.earliest(key, group, moment) - pacer.ready(moment)
                if wait > CHAT_WAIT_SLACK:
                    later.setdefault(round(wait + 0.05, 1), []).append(row.id)
                    continue
                slot = pacer.reserve(key, group, moment)
                self._in_flight.add(row.id)
                taken.append(row.id)
                task = asyncio.create_task(self._send(row.id, decode(row), platform, slot, files.get(row.id)))
                self._sends.add(task)
                task.add_done_callback(self._sends.discard)
                started += 1
            for wait, ids in later.items():
                await outbox.defer(ids, now + timedelta(seconds=wait))
            if self.budget is not None:  # the other instances' rounds skip them from now on
                await outbox.defer(taken, now + CLAIM)
        return started > 0

    async def _send(
        self, row_id: int, message: OutgoingMessage, platform: Platform, slot: float, file: RelayedFile | None
    ) -> None:
        try:
            await asyncio.sleep(max(0.0, slot - time.monotonic()))
            pacer = self.pacers[platform.name]
            key = (USER if isinstance(message.to, UserRef) else CHAT, message.to.id)
            group = key[0] == CHAT
            if self.budget is None:
                while (wait := pacer.delay(key, group, time.monotonic())) > 0:  # noqa: ASYNC110 - a computed wait, not polling
                    await asyncio.sleep(wait)
                pacer.sent(key, group, time.monotonic())  # no await since the check: no one else slipped in
            try:
                if file is not None:  # fetched before the first send, kept for the next
                    message = await self.files.with_file(message, file, platform)
                if self.budget is not None:  # the instances' shared moment decides, right before sending
                    later = await self.budget.wait_for_moment(
                        platform.name, pacer, key, group, CLAIM_PATIENCE
                    )
                    if later:  # far off (a 429): the row waits in the table, its claim given back
                        await self._update(row_id, retry_after=later, error="paced", counts=False)
                        return
                    pacer.sent(key, group, time.monotonic())
                ref = await platform.send(message)
            except RateLimited as limited:
                sent(platform.name, "outbox", "rate_limited")
                self.pacers[platform.name].pause(time.monotonic() + limited.retry_after)
                if self.budget is not None:
                    await self.budget.pause(platform.name, limited.retry_after)
                await self._update(row_id, retry_after=limited.retry_after, error=str(limited), counts=False)
            except RecipientUnreachable as unreachable:
                sent(platform.name, "outbox", "unreachable")
                await self._update(row_id, unreachable=str(unreachable) or "unreachable")
            except (UnsupportedCapability, ThreadGone) as refused:  # sending again changes nothing
                sent(platform.name, "outbox", "failed")
                await self._update(row_id, failed=str(refused))
            except Exception as error:  # a transient failure, as far as we know
                sent(platform.name, "outbox", "failed")
                log.warning("outbox row %d: %s: %s", row_id, type(error).__name__, error)
                await self._update(row_id, error=f"{type(error).__name__}: {error}", counts=True)
            else:
                sent(platform.name, "outbox", "sent")
                await self._update(row_id, sent=ref)
        finally:
            self._in_flight.discard(row_id)
            self.wake()

    async def _update(
        self,
        row_id: int,
        *,
        sent: MessageRef | None = None,
        unreachable: str | None = None,
        failed: str | None = None,
        error: str | None = None,
        retry_after: float | None = None,
        counts: bool = True,
    ) -> None:
        now = self.clock.now()
        async with self.db.transaction() as session:
            outbox = Outbox(session)
            if sent is not None:
                await outbox.mark_sent(row_id, now, sent.id)
            elif unreachable is not None:
                await outbox.mark_unreachable(row_id, now, unreachable)
            elif failed is not None:
                await outbox.mark_failed(row_id, failed)
            elif error is not None:
                if retry_after is None:
                    # 1 s, 2 s, 4 s ... up to 10 minutes between tries
                    retry_after = min(600.0, 2.0 ** await outbox.attempts(row_id))
                attempts = await outbox.retry_at(
                    row_id, now + timedelta(seconds=retry_after), error, count_attempt=counts
                )
                if counts and attempts >= self.max_attempts:
                    await outbox.mark_failed(row_id, error)

    async def report(self) -> bool:
        """Create, update and finish the status messages of open broadcasts."""
        async with self.db.transaction() as session:
            outbox = Outbox(session)
            broadcasts = await outbox.open_broadcasts()
            progress = {broadcast.id: await outbox.progress(broadcast.id) for broadcast in broadcasts}
        for broadcast in broadcasts:
            await self._report(broadcast, progress[broadcast.id])
        return False

    async def _report(self, broadcast: Broadcast, progress: Progress) -> None:
        chat = report_recipient(broadcast)
        values = _figures(broadcast, progress)
        translator = self.catalogs.translator(broadcast.locale)
        if chat is not None and progress != self._reported.get(broadcast.id):
            message = OutgoingMessage(chat, fill(translator.gettext(PROGRESS), values))
            if broadcast.report_message is None:
                ref = await deliver(self.platforms, message)
                if ref is not None:
                    async with self.db.transaction() as session:
                        await Outbox(session).set_report(broadcast.id, ref)
            elif isinstance(chat, ChatRef):  # a sent report is in a chat, direct or not
                await self._edit(MessageRef(chat, broadcast.report_message), message)
            self._reported[broadcast.id] = progress
        if progress.done:
            if chat is not None:
                await deliver(
                    self.platforms, OutgoingMessage(chat, fill(translator.gettext(FINISHED), values))
                )
            async with self.db.transaction() as session:
                await Outbox(session).finish(broadcast.id, self.clock.now())
            self._reported.pop(broadcast.id, None)

    async def _edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        platform = self.platforms.get(ref.chat.platform)
        if platform is None:
            return
        try:
            await platform.edit(ref, message)
        except Exception as error:  # a progress edit is worth a log line, not a retry
            log.info("could not update a broadcast report: %s", error)

    async def idle(self) -> None:
        """Wait until no row is pending or in flight (tests and benchmarks)."""
        while True:
            async with self.db.transaction() as session:
                pending = await Outbox(session).pending()
            if not pending and not self._in_flight:
                return
            await asyncio.sleep(0.02)


def _figures(broadcast: Broadcast, progress: Progress) -> dict[str, str]:
    def number(value: int) -> str:
        return format_decimal(value, locale=broadcast.locale)

    return {
        "id": str(broadcast.id),
        "sent": number(progress.sent),
        "total": number(progress.total),
        "unreachable": number(progress.unreachable),
        "failed": number(progress.failed),
    }
