"""An application form in progress as committed, and the process-wide cache of them.

The conversation reads the applicant's draft at every answer; :class:`DraftCache` lets it
do so without a query, and :class:`Draft`'s ``version`` makes a write that lost a race
with another event of the same person fail (:class:`StaleDraft`) instead of overwriting.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from storage.models import Application


class StaleDraft(Exception):
    """A draft was changed by another event between reading and writing it."""


@dataclass(frozen=True, slots=True)
class Draft:
    """A form being filled in, as committed: what the conversation needs of it.

    Attributes:
        id: the application's id.
        person_id: the applicant.
        answers: the answers so far, by field.
        progress: the conversation's place (step asked, editing, choices toggled).
        version: the number of writes so far; a write must name the version it read.
    """

    id: int
    person_id: int
    answers: dict[str, Any]
    progress: dict[str, Any]
    version: int

    @classmethod
    def of(cls, application: Application) -> Draft:
        return cls(
            application.id,
            application.person_id,
            dict(application.answers),
            dict(application.progress),
            application.version,
        )


class DraftCache:
    """Committed drafts by person, so that an answer costs a write but no read.

    Only when one process writes forms (the bot on SQLite). A repository forgets a person's
    entry as it writes; the conversation puts the new draft back once the transaction
    committed. A closed draft leaves a tombstone, so a put still queued for it is ignored.
    Of two puts for the same draft the newer version wins. Entries expire after ``ttl``
    all the same.

    With several instances on one database (PostgreSQL), an applicant's next answer may
    reach another instance (a webhook behind a load balancer), so a draft cached here may
    be stale: :meth:`for_shared_database` makes a cache that keeps nothing (what
    :class:`~storage.repository.Shared` makes there), and the repository then
    reads the draft with a row lock, which also puts two answers of one applicant handled
    at once by two instances one after the other.

    Args:
        ttl: how long an entry may be used.
        max_size: entries kept; the oldest are dropped first.
    """

    def __init__(self, ttl: timedelta = timedelta(minutes=10), max_size: int = 50_000) -> None:
        self.ttl = ttl.total_seconds()
        self.max_size = max_size
        #: Whether this process is the only one writing drafts (else nothing is kept).
        self.exclusive = max_size > 0
        # person id -> (draft or None for a tombstone, draft id, version, when stored)
        self._entries: dict[int, tuple[Draft | None, int, int, float]] = {}

    @classmethod
    def for_shared_database(cls) -> DraftCache:
        """The cache of an instance that shares its database with others: it keeps nothing."""
        return cls(max_size=0)

    def get(self, person_id: int) -> Draft | None:
        """The person's committed draft, or ``None``: unknown here, ask the database."""
        entry = self._entries.get(person_id)
        if entry is None:
            return None
        if time.monotonic() - entry[3] >= self.ttl:
            self._entries.pop(person_id, None)
            return None
        return entry[0]

    def put(self, draft: Draft) -> None:
        current = self._entries.get(draft.person_id)
        if current is not None and current[1] == draft.id and current[2] > draft.version:
            return
        self._store(draft.person_id, (draft, draft.id, draft.version, time.monotonic()))

    def bury(self, draft: Draft) -> None:
        """The draft was closed (submitted, cancelled, expired): ignore later puts of it."""
        self._store(draft.person_id, (None, draft.id, draft.version + 1, time.monotonic()))

    def forget(self, person_id: int) -> None:
        self._entries.pop(person_id, None)

    def _store(self, person_id: int, entry: tuple[Draft | None, int, int, float]) -> None:
        if not self.exclusive:
            return
        if person_id not in self._entries and len(self._entries) >= self.max_size:
            self._entries.pop(next(iter(self._entries)))
        self._entries[person_id] = entry
