"""The questions of ``/wiki_add``, declared as data for the form engine.

Every field of a wiki entry (see :class:`storage.wiki.data.WikiEntryData`) in the order
a moderator is asked, except translations (added by import). The title comes before the
slug so that a slug can be suggested from it; the deadline is asked for opportunities only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.i18n import N_
from bot.forms import Choice, Form, Step
from handlers.wiki.reading import KIND_NAMES
from storage.wiki.query import WikiKind

#: The step shown only when the entry is an opportunity.
DEADLINE = "deadline"

FORM = Form(
    steps=(
        Step(
            field="kind",
            title=N_("Kind"),
            question=N_("What kind of entry is it?"),
            kind="single",
            choices=tuple(Choice(value=kind.value, label=KIND_NAMES[kind]) for kind in WikiKind),
        ),
        Step(field="title", title=N_("Title"), question=N_("What is the entry's title?"), max_length=300),
        Step(
            field="slug",
            title=N_("Slug"),
            question=N_(
                "Which slug should it have? It is the entry's short name, used to open it: lower "
                "case letters, digits and hyphens, such as gender-budgeting-guide."
            ),
            max_length=120,
        ),
        Step(
            field="summary",
            title=N_("Summary"),
            question=N_("Write a summary of a sentence or two; it is shown in search results."),
            max_length=2000,
        ),
        Step(
            field="body",
            title=N_("Body"),
            question=N_("Write the text of the entry. Markdown is welcome."),
            max_length=4000,
        ),
        Step(
            field="link",
            title=N_("Link"),
            question=N_("Where can one read more? Send a web address."),
            kind="url",
            required=False,
            max_length=1000,
        ),
        Step(
            field="tags",
            title=N_("Tags"),
            question=N_("Which keywords describe it? Separate them with commas."),
            required=False,
            max_length=500,
        ),
        Step(
            field="region",
            title=N_("Region"),
            question=N_("Which region does it concern, such as Africa, Latin America or Global?"),
            required=False,
            max_length=100,
        ),
        Step(
            field="country",
            title=N_("Country"),
            question=N_("Which country does it concern? Type its name, for example Kenya."),
            kind="country",
            required=False,
        ),
        Step(
            field="language",
            title=N_("Language"),
            question=N_("In which language is the entry written?"),
            kind="single",
            choices=(
                Choice(value="en", label=N_("English")),
                Choice(value="es", label=N_("Spanish")),
                Choice(value="fr", label=N_("French")),
                Choice(value="ar", label=N_("Arabic")),
                Choice(value="zh", label=N_("Chinese")),
                Choice(value="ru", label=N_("Russian")),
            ),
        ),
        Step(
            field=DEADLINE,
            title=N_("Deadline"),
            question=N_("Until which date can one apply? Write it as year-month-day, such as 2026-12-31."),
            kind="date",
            required=False,
        ),
    )
)


def applicable(answers: Mapping[str, Any]) -> tuple[Step, ...]:
    """The steps that apply: the deadline only concerns opportunities."""
    opportunity = answers.get("kind") == WikiKind.OPPORTUNITY.value
    return tuple(step for step in FORM.steps if step.field != DEADLINE or opportunity)
