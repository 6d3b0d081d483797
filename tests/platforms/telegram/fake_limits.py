"""Telegram's send limits in the fake Bot API: when it answers 429 "Too Many Requests".

Telegram refuses a bot that sends more than 30 messages per second to all chats, more
than one message per second to one private chat, or more than 20 messages per minute to
one group, with HTTP 429 and ``retry after N`` (whole seconds, in ``parameters``). The
fake enforces the same limits when it is given :class:`TelegramLimits` (off by default:
most tests are not about pacing). Scripted refusals (``FakeTelegram.throttle``) go through
the same :class:`SendLimits`, so every 429 the fake answered, whatever its cause, is in
:attr:`SendLimits.too_many`, which a test asserts empty.

A send is counted when it is admitted, before the fake checks its text: a message the
fake then refuses (400) still used its moment, which only makes the limits stricter.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

#: Why a send was refused: a scripted throttle, or one of Telegram's three limits.
Reason = Literal["throttled", "overall", "chat", "group"]


@dataclass(frozen=True)
class TelegramLimits:
    """Telegram's published limits (the defaults), or others a test chooses."""

    #: Messages per second to all chats together.
    per_second: int = 30
    #: Seconds between two messages to one private chat.
    chat_interval: float = 1.0
    #: Messages per minute to one group (or supergroup).
    group_per_minute: int = 20


@dataclass(frozen=True)
class TooMany:
    """One 429 the fake answered."""

    chat_id: int
    retry_after: float
    reason: Reason
    #: When, on the limits' clock.
    at: float


@dataclass
class SendLimits:
    """Admits or refuses each send; remembers every refusal.

    Args:
        limits: the limits to enforce; ``None``: only scripted throttles.
        clock: seconds, monotonic (a test may pass its own).
    """

    limits: TelegramLimits | None = None
    clock: Callable[[], float] = time.monotonic
    #: Every 429 answered, in order.
    too_many: list[TooMany] = field(default_factory=list)
    _throttled: dict[int, float] = field(default_factory=dict)
    _overall: deque[float] = field(default_factory=deque)
    _chats: dict[int, deque[float]] = field(default_factory=dict)

    def throttle(self, chat_id: int, seconds: float) -> None:
        """The next send to ``chat_id`` is refused with ``retry_after=seconds``."""
        self._throttled[chat_id] = seconds

    def admit(self, chat_id: int) -> TooMany | None:
        """Count a send to ``chat_id`` (negative: a group), or the refusal it gets instead."""
        now = self.clock()
        scripted = self._throttled.pop(chat_id, None)
        if scripted is not None:
            return self._refuse(chat_id, scripted, "throttled", now)
        if self.limits is None:
            return None
        wait, reason = self._wait(chat_id, now)
        if wait > 0:
            # Telegram says whole seconds, at least one.
            return self._refuse(chat_id, max(1, math.ceil(wait)), reason, now)
        self._overall.append(now)
        self._chats.setdefault(chat_id, deque()).append(now)
        return None

    def _wait(self, chat_id: int, now: float) -> tuple[float, Reason]:
        """How long until a send to ``chat_id`` is within every limit, and which limit."""
        assert self.limits is not None
        overall = _window(self._overall, now, 1.0)
        if len(overall) >= self.limits.per_second:
            return overall[len(overall) - self.limits.per_second] + 1.0 - now, "overall"
        if chat_id < 0:
            sent = _window(self._chats.get(chat_id), now, 60.0)
            if len(sent) >= self.limits.group_per_minute:
                return sent[len(sent) - self.limits.group_per_minute] + 60.0 - now, "group"
            return 0.0, "group"
        sent = _window(self._chats.get(chat_id), now, self.limits.chat_interval)
        if sent:
            return sent[-1] + self.limits.chat_interval - now, "chat"
        return 0.0, "chat"

    def _refuse(self, chat_id: int, retry_after: float, reason: Reason, now: float) -> TooMany:
        refusal = TooMany(chat_id, retry_after, reason, now)
        self.too_many.append(refusal)
        return refusal


def _window(moments: deque[float] | None, now: float, seconds: float) -> deque[float]:
    """``moments`` less those older than ``seconds`` (dropped for good: they count no more)."""
    if moments is None:
        return deque()
    while moments and moments[0] <= now - seconds:
        moments.popleft()
    return moments
