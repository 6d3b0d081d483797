"""Where a form in progress is kept: one small storage interface for every form.

A draft is the answers given so far and the conversation's place (the step asked, the
choices being toggled), keyed by person and form. The flow in :mod:`bot.forms.flow`
only loads, saves and discards drafts through a :class:`DraftStore`; the stores live
in ``storage/`` (the application keeps its drafts as ``applications`` rows, any other
form in ``bot_state``), and they need not import anything from here: both protocols are
structural.

The ``progress`` mapping the flow writes holds at most:

* ``cursor``: the field being asked again (after Back, or Edit from the summary);
* ``selecting`` and ``selection``: the field whose choices are being toggled, and the
  choices pressed so far (a multiple-choice answer is stored only when Done is pressed).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class FormDraft(Protocol):
    """A form being filled in, as a store returns it."""

    @property
    def answers(self) -> Mapping[str, Any]:
        """The answers so far, by field (``None`` for a skipped step)."""
        ...

    @property
    def progress(self) -> Mapping[str, Any]:
        """The conversation's place (see the module's docstring)."""
        ...


class DraftStore(Protocol):
    """Loads, saves and discards the drafts of one form, within one unit of work.

    Writes belong to the event's transaction: an answer is stored before the bot replies.
    """

    async def load(self, person_id: int, form: str) -> FormDraft | None:
        """The person's draft of ``form``, or ``None`` if they are not filling it in."""
        ...

    async def save(
        self, person_id: int, form: str, answers: dict[str, Any], progress: dict[str, Any]
    ) -> FormDraft:
        """Store the answers and place of the person's draft; returns the draft as it now is.

        A store may refuse a write that lost a race with another event of the same person
        by raising one of the exceptions the form declares as conflicts
        (:attr:`bot.forms.flow.FormFlow.conflicts`).
        """
        ...

    async def discard(self, person_id: int, form: str) -> None:
        """End the person's draft without submitting it."""
        ...
