"""``COPBOT_LOG_FORMAT=json``: one JSON object per log line, naming the event it belongs to.

Each line carries ``time`` (ISO 8601, UTC), ``level``, ``logger``, ``message``,
``instance`` and, while an event is being handled, ``event_id``, ``platform`` and
``person_id``. A person is never named: their display name stays out of the logs (the
message itself is the code's, and the code logs ids).

The event comes from a :class:`contextvars.ContextVar` that :class:`EventLogContext` sets
for the length of the event's handling; each event runs in its own task, so concurrent
events never see each other's.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.core.context import Context
from bot.core.middleware import Next

_current: ContextVar[Context[Any] | None] = ContextVar("copbot_event", default=None)


def default_instance() -> str:
    """``hostname:pid``: what names this process when ``COPBOT_INSTANCE`` is not set."""
    return f"{socket.gethostname()}:{os.getpid()}"


@contextlib.contextmanager
def bind_event(ctx: Context[Any]) -> Iterator[None]:
    """Name ``ctx``'s event in every log line written inside the block."""
    token = _current.set(ctx)
    try:
        yield
    finally:
        _current.reset(token)


class EventLogContext:
    """Middleware (outermost): the event being handled is named in its log lines."""

    async def __call__(self, ctx: Context[Any], call_next: Next) -> None:
        with bind_event(ctx):
            await call_next(ctx)


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON.

    Args:
        instance: names this process among the instances (``COPBOT_INSTANCE``).
    """

    def __init__(self, instance: str | None = None) -> None:
        super().__init__()
        self.instance = instance or default_instance()

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "instance": self.instance,
        }
        ctx = _current.get()
        if ctx is not None:
            line["event_id"] = ctx.event.event_id
            line["platform"] = ctx.event.platform
            if ctx.actor.person_id is not None:
                line["person_id"] = ctx.actor.person_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)
