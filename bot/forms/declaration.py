"""What a form declares besides its steps: the texts that differ, and the hooks' shapes.

:class:`FormTexts` holds the wording that differs from form to form; :class:`Reopen` is
what a Submit hook returns to send the person back to one step. Both are part of a
:class:`~bot.forms.flow.FormFlow`'s declaration.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.text import Text
from bot.forms.prompts import Ctx, Suggestion
from bot.forms.steps import Accepted, Form, Rejected, Step


@dataclass(frozen=True, slots=True)
class FormTexts:
    """The msgids that differ from form to form.

    Attributes:
        summary: the heading of the summary (how to edit, what Submit is called).
        submit: the label of the Submit button.
        optional: the note under an optional question (may use ``{skip}``, the typed command).
        discard: the question asked before a draft is discarded.
        complete: said when a plain message arrives while the summary is shown, if anything.
    """

    summary: str
    submit: str
    optional: str
    discard: str
    complete: str | None = None


@dataclass(frozen=True, slots=True)
class Reopen:
    """What a Submit hook returns to send the person back to one step, with a note."""

    field: str
    note: Text


SubmitHook = Callable[[Ctx, dict[str, Any]], Awaitable[Reopen | None]]
CheckHook = Callable[[Ctx, Step, Accepted], Awaitable[Accepted | Rejected]]
SuggestHook = Callable[[Ctx, Step, Mapping[str, Any]], Awaitable[Suggestion | None]]


def every_step(form: Form, answers: Mapping[str, Any]) -> tuple[Step, ...]:
    """The default ``applicable``: every step of the form applies."""
    return form.steps


def anyone(ctx: Ctx) -> bool:
    """The default ``answers_plain``: any plain message in a direct chat is an answer."""
    return True
