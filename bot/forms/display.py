"""Answers as the person reading them should see them: one value, or a whole summary.

Shared by every form (the application, the wiki's guided entry): it only needs the
reader's ``gettext`` and locale, so it also serves messages sent in another person's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.formats import list_separator
from bot.core.i18n import N_
from bot.core.text import Text, bold, fill
from bot.forms.countries import country_name
from bot.forms.steps import Form, Step, label_text, other_key


def title_of(step: Step, gettext: Callable[[str], str], locale: str) -> str:
    """The short name of a step's answer (its title, else its question)."""
    return label_text(step.title or step.question, gettext, locale)


def show_value(
    step: Step, value: Any, gettext: Callable[[str], str], locale: str, other: str | None = None
) -> str:
    """An answer as the person reading it should see it (choices and countries in their language).

    Args:
        step: the step answered.
        value: the stored answer.
        gettext: the reader's translation.
        locale: the reader's language.
        other: the text typed for the step's "other" option, shown instead of its label.
    """
    if value is None:
        return gettext(N_("(skipped)"))
    if step.kind == "country":
        return f"{country_name(str(value), locale)} ({value})"
    if step.kind == "consent":
        return gettext(N_("accepted"))
    if step.kind in ("single", "multi"):
        values = value if isinstance(value, list) else [value]
        labels = [
            other if other and c.other is not None else label_text(c.label, gettext, locale)
            for c in step.choices
            if c.value in values
        ]
        return list_separator(locale).join(labels)
    return str(value)


def option_label(step: Step, value: str, gettext: Callable[[str], str], locale: str) -> str:
    """The label of a button that offers ``value`` as the answer (a country by its name)."""
    if step.kind == "country":
        return country_name(value, locale)
    return show_value(step, value, gettext, locale)


def summary_lines(
    form: Form, answers: dict[str, Any], gettext: Callable[[str], str], locale: str
) -> list[Text]:
    """One line per step: its title in bold, then the answer (escaped by the platform)."""
    lines = []
    for step in form.steps:
        if step.field in answers:
            shown = show_value(step, answers[step.field], gettext, locale, answers.get(other_key(step.field)))
        else:
            shown = gettext(N_("(not answered)"))
        lines.append(
            fill(
                gettext(N_("{field}: {answer}")),
                {"field": bold(title_of(step, gettext, locale)), "answer": shown},
            )
        )
    return lines
