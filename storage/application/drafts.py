"""The application form's drafts for the form flow: ``applications`` rows with status DRAFT.

:class:`ApplicationDrafts` is the application's :class:`bot.forms.drafts.DraftStore`. A
person has at most one open application (the partial unique index
``uq_applications_open_person``), so the form's name is not part of the key. Each
answer is one versioned UPDATE (a lost race raises :class:`StaleDraft`); once the
transaction committed, the draft goes into the process-wide :class:`DraftCache`, so that
the next answer reads nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.core.types import UserRef
from storage.application.draft_cache import Draft, StaleDraft
from storage.application.repository import ApplicationRepository, Status

AfterCommit = Callable[[Callable[[], Awaitable[None]]], None]


class ApplicationDrafts:
    """The applicants' drafts within one unit of work.

    Args:
        repository: the unit of work's applications.
        now: the clock.
        after_commit: queues an effect for after the commit (the cache is filled then).
    """

    def __init__(
        self, repository: ApplicationRepository, now: Callable[[], datetime], after_commit: AfterCommit
    ) -> None:
        self.repository = repository
        self.now = now
        self.after_commit = after_commit

    async def load(self, person_id: int, form: str) -> Draft | None:
        """The person's application being filled in, if any."""
        return await self.repository.draft_of(person_id)

    async def start(self, person_id: int, user: UserRef, answers: dict[str, Any] | None = None) -> Draft:
        """Open an application for the person, reachable at ``user``, empty or with ``answers``.

        Raises:
            ApplicationAlreadyOpen: the person has an open application already.
        """
        return self._remember(await self.repository.start(person_id, user, self.now(), answers))

    async def save(
        self, person_id: int, form: str, answers: dict[str, Any], progress: dict[str, Any]
    ) -> Draft:
        """Store the answers and place of the person's open application.

        Raises:
            StaleDraft: the draft was written or closed since it was read.
        """
        current = await self.repository.draft_of(person_id)
        if current is None:
            raise StaleDraft(person_id)
        saved = await self.repository.save(current, self.now(), answers=answers, progress=progress)
        return self._remember(saved)

    async def discard(self, person_id: int, form: str) -> None:
        """Close the person's open application as cancelled."""
        current = await self.repository.draft_of(person_id)
        if current is not None:
            await self.repository.close(current, Status.CANCELLED, self.now())

    def _remember(self, draft: Draft) -> Draft:
        cache = self.repository.drafts
        if cache is not None:

            async def remember() -> None:
                cache.put(draft)

            self.after_commit(remember)
        return draft
