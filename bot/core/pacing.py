"""Pacing messages to a platform's published limits.

Telegram accepts about 30 messages per second from a bot, at most one per second to
one chat and 20 per minute to one group; Matrix homeservers answer ``M_LIMIT_EXCEEDED``
with a ``retry_after_ms``. A :class:`Pacer` hands out send slots so a sender never
exceeds the declared limits, and stops the whole platform for as long as a 429 asks.
It does no I/O and reads the time it is given, so it is tested without sleeping.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RateLimits:
    """How fast a platform accepts messages from one bot.

    Attributes:
        per_second: messages per second overall (``None``: no limit).
        chat_interval: seconds between two messages to the same chat.
        group_per_minute: messages per minute to one group chat (``None``: no limit).
    """

    per_second: float | None = None
    chat_interval: float = 0.0
    group_per_minute: int | None = None


UNLIMITED = RateLimits()


#: Pace this much under a limit: network jitter reorders and bunches arrivals, and a
#: limit judged at the platform's end must hold there, not only at our end.
HEADROOM = 0.97
_MINUTE = 60.0 / HEADROOM


class Pacer:
    """Reserves send times that respect :class:`RateLimits`, with :data:`HEADROOM`.

    Args:
        limits: the platform's published limits.
    """

    def __init__(self, limits: RateLimits) -> None:
        self.published = limits
        limits = RateLimits(
            per_second=limits.per_second * HEADROOM if limits.per_second else None,
            chat_interval=limits.chat_interval / HEADROOM,
            group_per_minute=limits.group_per_minute,
        )
        self.limits = limits
        self._next_global = 0.0
        self._next_in_chat: dict[Hashable, float] = {}
        self._group_sends: dict[Hashable, deque[float]] = {}
        self._sent: deque[float] = deque(maxlen=int(limits.per_second or 1))
        self._last_in_chat: dict[Hashable, float] = {}
        self._group_actual: dict[Hashable, deque[float]] = {}
        self.paused_until = 0.0

    def ready(self, now: float) -> float:
        """The earliest time any message may go (the overall pace and any pause)."""
        return max(now, self._next_global, self.paused_until)

    def earliest(self, chat: Hashable, is_group: bool, now: float) -> float:
        """The earliest time a message to ``chat`` may go, without reserving it."""
        slot = max(now, self._next_global, self.paused_until, self._next_in_chat.get(chat, 0.0))
        per_minute = self.limits.group_per_minute
        if is_group and per_minute is not None:
            sent = self._group_sends.get(chat)
            if sent is not None and len(sent) >= per_minute:
                slot = max(slot, sent[len(sent) - per_minute] + _MINUTE)
        return slot

    def reserve(self, chat: Hashable, is_group: bool, now: float) -> float:
        """Reserve and return the earliest slot for a message to ``chat``."""
        slot = self.earliest(chat, is_group, now)
        if self.limits.per_second:
            self._next_global = slot + 1.0 / self.limits.per_second
        if self.limits.chat_interval:
            self._next_in_chat[chat] = slot + self.limits.chat_interval
        per_minute = self.limits.group_per_minute
        if is_group and per_minute is not None:
            sent = self._group_sends.setdefault(chat, deque(maxlen=per_minute))
            sent.append(slot)
        self._forget_old(now)
        return slot

    def delay(self, chat: Hashable, is_group: bool, now: float) -> float:
        """How long a send due now must still wait, judged on the sends actually made.

        Slots are a plan; tasks start late when the loop is busy, and a late send
        followed by a punctual one would break a limit. This check, made right before
        each send, is what guarantees the limits.
        """
        wait = self.paused_until - now
        per_second = self.limits.per_second
        if per_second and len(self._sent) >= int(per_second):
            wait = max(wait, self._sent[-int(per_second)] + 1.0 - now)
        last = self._last_in_chat.get(chat)
        if last is not None and self.limits.chat_interval:
            wait = max(wait, last + self.limits.chat_interval - now)
        per_minute = self.limits.group_per_minute
        if is_group and per_minute is not None:
            sent = self._group_actual.get(chat)
            if sent is not None and len(sent) >= per_minute:
                wait = max(wait, sent[0] + _MINUTE - now)
        return max(0.0, wait)

    def sent(self, chat: Hashable, is_group: bool, now: float) -> None:
        """Record a send made at ``now`` (see :meth:`delay`)."""
        if self.limits.per_second:
            self._sent.append(now)
        if is_group and self.limits.group_per_minute is not None:
            self._group_actual.setdefault(chat, deque(maxlen=self.limits.group_per_minute)).append(now)
        if self.limits.chat_interval:
            self._last_in_chat[chat] = now

    def pause(self, until: float) -> None:
        """Send nothing before ``until`` (a 429's ``retry_after``)."""
        self.paused_until = max(self.paused_until, until)
        self._next_global = max(self._next_global, until)

    def _forget_old(self, now: float) -> None:
        if len(self._next_in_chat) > 10_000:
            self._next_in_chat = {chat: t for chat, t in self._next_in_chat.items() if t > now}
        if len(self._last_in_chat) > 10_000:
            horizon = now - self.limits.chat_interval
            self._last_in_chat = {chat: t for chat, t in self._last_in_chat.items() if t > horizon}
        if len(self._group_sends) > 10_000:
            self._group_sends = {chat: d for chat, d in self._group_sends.items() if d and d[-1] > now - 60}
            self._group_actual = {chat: d for chat, d in self._group_actual.items() if d and d[-1] > now - 60}
