"""copbot's Prometheus metrics, in a registry of its own, and the middleware that feeds them.

Each :class:`Metrics` has its own :class:`~prometheus_client.CollectorRegistry` rather
than the library's global one, so two bots in one process (tests) never share figures.
Every metric is documented in ``docs/operators.md#metrics``; :data:`METRIC_NAMES` lists
them, and a test holds the two together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.core.context import Context
from bot.core.delivery import SendOutcome, observe_sends
from bot.core.errors import UserFacingError
from bot.core.middleware import Next
from bot.core.types import Event, IncomingMessage

#: Handler latency buckets, in seconds: most events take milliseconds, a slow one seconds.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: Every metric copbot exports (the names as scraped; counters end in ``_total``).
METRIC_NAMES = (
    "copbot_events_handled_total",
    "copbot_events_failed_total",
    "copbot_handler_seconds",
    "copbot_sends_total",
    "copbot_rate_limited_total",
    "copbot_lease_holder",
    "copbot_outbox_pending",
    "copbot_outbox_oldest_pending_seconds",
    "copbot_form_sessions_open",
    "copbot_broadcast_recipients",
    "copbot_broadcast_delivered",
    "copbot_scrape_errors_total",
)


def event_kind(event: Event) -> str:
    """What an event is, for a metric's label: ``command``, ``button``, ``message``, ``edit``...

    Other events are named by their type in snake case (``join_request``, ``message_deleted``).
    """
    if isinstance(event, IncomingMessage):
        if event.button is not None:
            return "button"
        if event.edited:
            return "edit"
        if event.text is not None and event.text.startswith("/"):
            return "command"
        return "message"
    name = type(event).__name__
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


class Metrics:
    """The bot's metrics and the registry they are scraped from.

    Args:
        registry: where they are registered; a new one by default.
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        r = self.registry
        self.events = Counter(
            "copbot_events_handled", "Events handled, by platform and kind.", ["platform", "kind"], registry=r
        )
        self.failures = Counter(
            "copbot_events_failed",
            "Events whose handling raised an unexpected error (the person got an apology).",
            ["platform", "kind"],
            registry=r,
        )
        self.latency = Histogram(
            "copbot_handler_seconds",
            "Time from the start of an event's handling to its replies sent, by platform and kind.",
            ["platform", "kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.sends = Counter(
            "copbot_sends_total",
            "Sends to a platform, by path (interactive or outbox) and outcome (sent, unreachable, failed).",
            ["platform", "path", "outcome"],
            registry=r,
        )
        self.rate_limited = Counter(
            "copbot_rate_limited",
            "Sends the platform refused for now (Telegram 429, Matrix M_LIMIT_EXCEEDED), by path.",
            ["platform", "path"],
            registry=r,
        )
        self.lease_holder = Gauge(
            "copbot_lease_holder",
            "1 when this instance holds the lease of a job, 0 when another instance does.",
            ["job"],
            registry=r,
        )
        self._undo: Callable[[], None] | None = None

    def observe_sends(self) -> None:
        """Count every send of this process from now on (until :meth:`close`)."""
        if self._undo is None:
            self._undo = observe_sends(self.count_send)

    def close(self) -> None:
        """Stop counting sends."""
        if self._undo is not None:
            self._undo()
            self._undo = None

    def count_send(self, platform: str, path: str, outcome: SendOutcome) -> None:
        """The observer of :func:`bot.core.delivery.observe_sends`."""
        if outcome == "rate_limited":
            self.rate_limited.labels(platform, path).inc()
        else:
            self.sends.labels(platform, path, outcome).inc()

    def set_lease_holder(self, job: str, held: bool) -> None:
        """Record whether this instance holds ``job``'s lease (the lease code calls this)."""
        self.lease_holder.labels(job).set(1 if held else 0)

    def render(self) -> bytes:
        """The registry in Prometheus' text format."""
        return generate_latest(self.registry)


class EventMetrics:
    """Middleware: counts and times each event.

    It runs inside :class:`~bot.core.middleware.ErrorCapture`, so an unexpected error
    passes through it (counted in ``copbot_events_failed_total``) on its way to the
    apology; a :class:`~bot.core.errors.UserFacingError` is an answer, not a failure.
    """

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        event = ctx.event
        labels = (event.platform, event_kind(event))
        started = time.perf_counter()
        try:
            await call_next(ctx)
        except UserFacingError:
            raise
        except Exception:
            self.metrics.failures.labels(*labels).inc()
            raise
        finally:
            self.metrics.events.labels(*labels).inc()
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)
