"""Which thread carries which prompt, kept in memory for the life of the process.

Replies to a prompt arrive in the thread it opened; looking the thread up for every reply
would cost a query each, so the threads found are kept here, shared by every unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThreadOf:
    """The prompt (and its dialogue) behind a thread where replies are collected."""

    prompt_id: int
    dialogue_id: int


class PromptThreads:
    """The threads known to carry a prompt, so a busy thread costs no lookup per reply.

    Only found threads are kept: a prompt's thread never changes once posted, while a
    thread not (yet) known may become one.

    Args:
        max_size: entries kept; the oldest are dropped first.
    """

    def __init__(self, max_size: int = 10_000) -> None:
        self.max_size = max_size
        self._threads: dict[tuple[str, str, str], ThreadOf] = {}

    def get(self, key: tuple[str, str, str]) -> ThreadOf | None:
        return self._threads.get(key)

    def put(self, key: tuple[str, str, str], found: ThreadOf) -> None:
        if len(self._threads) >= self.max_size:
            self._threads.pop(next(iter(self._threads)))
        self._threads[key] = found
