"""What ``/metrics`` reads from the database: the outbox, open forms, broadcasts.

Read at scrape time by :meth:`DatabaseFigures.refresh`, under a short timeout and kept
for a few seconds, so several Prometheus servers scraping at once cost one round of
queries. A collector's ``collect`` is synchronous: it yields the figures last read. When
the database does not answer in time, the last figures stay and
``copbot_scrape_errors_total`` counts the miss.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from storage.application.repository import Status
from storage.db import Database
from storage.models import Application, BotState, OutboxMessage
from storage.outbox import PENDING, Outbox

log = logging.getLogger(__name__)

#: The form whose drafts are ``applications`` rows rather than ``bot_state`` entries.
APPLICATION_FORM = "application"


@dataclass(slots=True)
class Snapshot:
    """The figures of one read."""

    #: Pending rows by platform: (how many, the oldest one's creation).
    outbox: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)
    forms: dict[str, int] = field(default_factory=dict)
    #: Open broadcasts by id: (recipients, delivered).
    broadcasts: dict[int, tuple[int, int]] = field(default_factory=dict)


class DatabaseFigures(Collector):
    """A Prometheus collector of figures read from the database.

    Args:
        db: the database.
        clock: the bot's clock (the age of the oldest pending row).
        forms: the names of the forms whose open sessions are counted.
        registry: where to register (and the scrape-errors counter).
        timeout: the longest a read may take, in seconds.
        cache: how long a read is reused, in seconds.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        forms: Sequence[str],
        registry: CollectorRegistry,
        *,
        timeout: float = 2.0,
        cache: float = 5.0,
    ) -> None:
        self.db = db
        self.clock = clock
        self.forms = tuple(forms)
        self.timeout = timeout
        self.cache = cache
        self.snapshot = Snapshot()
        self._read_at: float | None = None
        self._lock = asyncio.Lock()
        self.errors = Counter(
            "copbot_scrape_errors",
            "Scrapes whose database figures could not be read in time (the previous ones were shown).",
            registry=registry,
        )
        registry.register(self)

    async def refresh(self) -> None:
        """Read the figures again, unless the last read is fresh enough."""
        async with self._lock:
            if self._read_at is not None and time.monotonic() - self._read_at < self.cache:
                return
            try:
                async with asyncio.timeout(self.timeout):
                    self.snapshot = await self._read()
            except Exception as error:  # the scrape still answers, with the last figures
                log.warning("metrics: the database figures could not be read: %s", error)
                self.errors.inc()
                return
            self._read_at = time.monotonic()

    async def _read(self) -> Snapshot:
        async with self.db.transaction() as session:
            snapshot = Snapshot()
            rows = await session.execute(
                select(OutboxMessage.platform, func.count(), func.min(OutboxMessage.created_at))
                .where(OutboxMessage.status == PENDING)
                .group_by(OutboxMessage.platform)
            )
            snapshot.outbox = {platform: (count, oldest) for platform, count, oldest in rows.all()}
            snapshot.forms = await self._forms(session)
            outbox = Outbox(session)
            for broadcast in await outbox.open_broadcasts():
                progress = await outbox.progress(broadcast.id)
                snapshot.broadcasts[broadcast.id] = (progress.total, progress.sent)
            return snapshot

    async def _forms(self, session: AsyncSession) -> dict[str, int]:
        counts: dict[str, int] = {}
        for form in self.forms:
            if form == APPLICATION_FORM:
                query = (
                    select(func.count()).select_from(Application).where(Application.status == Status.DRAFT)
                )
            else:  # StateDrafts keys: "<form>.<person id>"
                query = select(func.count()).select_from(BotState).where(BotState.key.like(f"{form}.%"))
            counts[form] = int(await session.scalar(query) or 0)
        return counts

    def collect(self) -> Iterable[Metric]:
        snapshot = self.snapshot
        now = self.clock.now()
        pending = GaugeMetricFamily(
            "copbot_outbox_pending", "Outbox rows waiting for delivery, by platform.", labels=["platform"]
        )
        oldest = GaugeMetricFamily(
            "copbot_outbox_oldest_pending_seconds",
            "Age of the oldest outbox row waiting for delivery, by platform (0 when none waits).",
            labels=["platform"],
        )
        for platform, (count, created) in sorted(snapshot.outbox.items()):
            pending.add_metric([platform], count)
            age = (now - _aware(created, now)).total_seconds() if created is not None else 0.0
            oldest.add_metric([platform], max(0.0, age))
        forms = GaugeMetricFamily(
            "copbot_form_sessions_open", "Forms begun and not yet submitted or discarded.", labels=["form"]
        )
        for form, count in sorted(snapshot.forms.items()):
            forms.add_metric([form], count)
        recipients = GaugeMetricFamily(
            "copbot_broadcast_recipients", "Recipients of an unfinished broadcast.", labels=["broadcast"]
        )
        delivered = GaugeMetricFamily(
            "copbot_broadcast_delivered",
            "Recipients an unfinished broadcast reached so far.",
            labels=["broadcast"],
        )
        for broadcast, (total, sent) in sorted(snapshot.broadcasts.items()):
            recipients.add_metric([str(broadcast)], total)
            delivered.add_metric([str(broadcast)], sent)
        return [pending, oldest, forms, recipients, delivered]

    def describe(self) -> Iterable[Metric]:
        """The families without reading anything (so registering does not call :meth:`collect`)."""
        return self.collect()


def _aware(moment: datetime, like: datetime) -> datetime:
    """``moment`` comparable with ``like`` (SQLite returns naive UTC datetimes)."""
    if moment.tzinfo is None and like.tzinfo is not None:
        return moment.replace(tzinfo=like.tzinfo)
    return moment
