"""Drafts of any form kept in ``bot_state``: one row per person and form.

:class:`StateDrafts` is the :class:`bot.forms.drafts.DraftStore` of every form that has
no table of its own (the wiki's ``/wiki_add``). The key is ``FORM.PERSON``; the value
is ``{"answers": ..., "progress": ...}``, written in the event's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.state import StateStore


@dataclass(frozen=True, slots=True)
class StoredDraft:
    """A form being filled in, as stored.

    Attributes:
        answers: the answers so far, by field.
        progress: the conversation's place (step asked, choices toggled).
    """

    answers: dict[str, Any]
    progress: dict[str, Any]


class StateDrafts:
    """Drafts in ``bot_state`` within one unit of work.

    Args:
        state: the unit of work's ``bot_state``.
        now: the clock.
    """

    def __init__(self, state: StateStore, now: Callable[[], datetime]) -> None:
        self.state = state
        self.now = now

    async def load(self, person_id: int, form: str) -> StoredDraft | None:
        """The person's draft of ``form``, if any."""
        stored = await self.state.get(_key(person_id, form))
        if not isinstance(stored, dict) or not isinstance(stored.get("answers"), dict):
            return None
        progress = stored.get("progress")
        if not isinstance(progress, dict):
            # drafts written before the form flow kept the place as a bare "cursor"
            cursor = stored.get("cursor")
            progress = {"cursor": cursor} if isinstance(cursor, str) else {}
        return StoredDraft(dict(stored["answers"]), dict(progress))

    async def save(
        self, person_id: int, form: str, answers: dict[str, Any], progress: dict[str, Any]
    ) -> StoredDraft:
        """Store the answers and place of the person's draft of ``form``."""
        draft = StoredDraft(dict(answers), dict(progress))
        # new dicts each time: the JSON column must see a changed value to write it
        value = {"answers": dict(answers), "progress": dict(progress)}
        await self.state.set(_key(person_id, form), value, self.now())
        return draft

    async def discard(self, person_id: int, form: str) -> None:
        """Forget the person's draft of ``form``."""
        await self.state.pop(_key(person_id, form))


def _key(person_id: int, form: str) -> str:
    return f"{form}.{person_id}"
