"""What the form flow sends: a question with its buttons, and the summary of the answers.

Pure rendering, no I/O: :mod:`bot.forms.flow` decides what to show and sends it. Every
question has its choice buttons (single: one per choice; multiple: toggles marked ☑/☐
and Done; consent: accept or not), then one navigation row: ◀ Back (not on the first
question), Skip (optional questions only) and Cancel. The summary has an Edit button per
field, then the form's Submit button and Cancel.

Button payloads are ``NAMESPACE:ACTION[:FIELD[:CHOICE]]``; the actions are ``c`` choose,
``t`` toggle, ``d`` done, ``u`` use the suggestion, ``b`` back, ``k`` skip, ``x`` cancel
(``x:y`` and ``x:n`` answer its confirmation), ``e`` edit and ``s`` submit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.core.context import Context
from bot.core.i18n import N_
from bot.core.text import Text, bold, code
from bot.core.types import Button
from bot.forms.display import option_label, show_value, summary_lines
from bot.forms.steps import (
    CONSENT_NO,
    CONSENT_YES,
    NOT_ACCEPTED,
    Form,
    Rejected,
    Step,
    consent_labels,
    label_text,
    other_key,
)

Ctx = Context[Any]
Buttons = list[list[Button]]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """An answer the form proposes for a step, with a button to take it.

    Attributes:
        value: the answer stored if the button is pressed.
        note: shown under the question.
        button: the label of the button.
    """

    value: str
    note: Text
    button: str


@dataclass(frozen=True, slots=True)
class Place:
    """Where a person stands in a form.

    Attributes:
        steps: the steps that apply, in order.
        step: the step asked.
        answers: the answers so far.
        progress: the draft's place (choices being toggled).
    """

    steps: Sequence[Step]
    step: Step
    answers: Mapping[str, Any]
    progress: Mapping[str, Any]

    @property
    def position(self) -> int:
        """The step's index among the steps (by field: comparing pydantic steps is slow)."""
        return position(self.steps, self.step)


def position(steps: Sequence[Step], step: Step) -> int:
    """Where ``step`` stands in ``steps``, found by its field."""
    return next(index for index, candidate in enumerate(steps) if candidate.field == step.field)


def question(
    ctx: Ctx,
    namespace: str,
    place: Place,
    *,
    before: Sequence[Text],
    document: Text | str | None,
    suggestion: Suggestion | None,
    optional: str,
    options: Sequence[str] = (),
) -> tuple[Text, Buttons]:
    """The message that asks ``place.step``, after the notes ``before``.

    Args:
        ctx: the event's context (language, command prefix).
        namespace: the form's button namespace.
        place: the step asked and the answers so far.
        before: notes shown first (an error, a welcome).
        document: a document shown before the question (the Terms of Reference).
        suggestion: an answer proposed, with its button.
        optional: the msgid of the note under an optional question (may use ``{skip}``).
        options: answers offered as buttons first (the countries a typed name may mean).
    """
    gettext, locale, step, answers = ctx.gettext, ctx.actor.locale, place.step, place.answers
    parts: list[Text | str] = list(before)
    if document:
        parts.append(document)
    number = place.position + 1
    parts.append(
        ctx._(
            N_("Question {number} of {total}: {question}"),
            number=number,
            total=len(place.steps),
            question=bold(label_text(step.question, gettext, locale)),
        )
    )
    if step.field in answers:
        current = show_value(step, answers[step.field], gettext, locale, answers.get(other_key(step.field)))
        parts.append(ctx._(N_("Your current answer: {answer}"), answer=current))
    buttons = [
        [Button(option_label(step, value, gettext, locale), f"{namespace}:c:{step.field}:{value}")]
        for value in options
    ]
    buttons.extend(_choice_buttons(ctx, namespace, place))
    if suggestion is not None:
        parts.append(suggestion.note)
        buttons.append([Button(suggestion.button, f"{namespace}:u:{step.field}")])
    if not step.required:
        parts.append(ctx._(optional, skip=code(ctx.cmd("skip"))))
    if step.kind == "multi":
        parts.append(
            ctx._(
                N_("Press every option that applies, then Done. You can also type them, separated by commas.")
            )
        )
    navigation = [Button(gettext(N_("◀ Back")), f"{namespace}:b")] if number > 1 else []
    if not step.required:
        navigation.append(Button(gettext(N_("Skip")), f"{namespace}:k:{step.field}"))
    navigation.append(Button(gettext(N_("Cancel")), f"{namespace}:x"))
    buttons.append(navigation)
    return Text.join("\n\n", parts), buttons


def rejection(ctx: Ctx, result: Rejected) -> Text:
    """Why an answer was refused, in the person's language (a refused consent: how to stop)."""
    if result.msgid == NOT_ACCEPTED:
        return ctx._(NOT_ACCEPTED, cancel=code(ctx.cmd("cancel")))
    return ctx._(result.msgid, **result.values)


def other_question(ctx: Ctx, namespace: str, place: Place, before: Sequence[Text]) -> tuple[Text, Buttons]:
    """The question that asks what the "other" option chosen at ``place.step`` is.

    Args:
        ctx: the event's context (language).
        namespace: the form's button namespace.
        place: the step whose answer includes an "other" option.
        before: notes shown first.
    """
    gettext, locale, step = ctx.gettext, ctx.actor.locale, place.step
    chosen = step.other_chosen(place.answers.get(step.field))
    asked = label_text(chosen.other, gettext, locale) if chosen is not None and chosen.other else ""
    parts: list[Text | str] = [*before, ctx._(N_("{question} Please write it."), question=bold(asked))]
    current = place.answers.get(other_key(step.field))
    if current:
        parts.append(ctx._(N_("Your current answer: {answer}"), answer=str(current)))
    navigation = [
        Button(gettext(N_("◀ Back")), f"{namespace}:e:{step.field}"),
        Button(gettext(N_("Cancel")), f"{namespace}:x"),
    ]
    return Text.join("\n\n", parts), [navigation]


def _choice_buttons(ctx: Ctx, namespace: str, place: Place) -> Buttons:
    gettext, locale, step = ctx.gettext, ctx.actor.locale, place.step
    if step.kind == "consent":
        return [
            [
                Button(gettext(CONSENT_YES), f"{namespace}:c:{step.field}:yes"),
                Button(gettext(CONSENT_NO), f"{namespace}:c:{step.field}:no"),
            ]
        ]
    if step.kind == "multi":
        # while toggling, the choices pressed so far; else the stored answer
        progress = place.progress
        selected = progress.get("selection") if progress.get("selecting") == step.field else None
        chosen = set(selected if isinstance(selected, list) else place.answers.get(step.field) or [])
        buttons = [
            [
                Button(
                    ("\u2611 " if choice.value in chosen else "\u2610 ")
                    + label_text(choice.label, gettext, locale),
                    f"{namespace}:t:{step.field}:{index}",
                )
            ]
            for index, choice in enumerate(step.choices)
        ]
        return [*buttons, [Button(gettext(N_("Done")), f"{namespace}:d:{step.field}")]]
    return [
        [Button(label_text(choice.label, gettext, locale), f"{namespace}:c:{step.field}:{index}")]
        for index, choice in enumerate(step.choices)
    ]


def summary(
    ctx: Ctx,
    namespace: str,
    form: Form,
    steps: Sequence[Step],
    answers: Mapping[str, Any],
    *,
    before: Sequence[Text],
    heading: str,
    submit: str,
) -> tuple[Text, Buttons]:
    """The answers to ``steps`` (of ``form``) with an Edit button each, Submit and Cancel.

    Args:
        ctx: the event's context (language).
        namespace: the form's button namespace.
        form: the whole form.
        steps: the steps that apply.
        answers: the answers.
        before: notes shown first.
        heading: the msgid of the summary's heading.
        submit: the msgid of the Submit button's label.
    """
    gettext, locale = ctx.gettext, ctx.actor.locale
    shown = form if tuple(steps) == form.steps else Form(steps=tuple(steps))
    lines: list[Text] = [ctx._(heading)]
    lines.extend(summary_lines(shown, dict(answers), gettext, locale))
    buttons: Buttons = [
        [
            Button(
                "\u270e " + label_text(step.title or step.question, gettext, locale),
                f"{namespace}:e:{step.field}",
            )
        ]
        for step in steps
    ]
    buttons.append(
        [Button(gettext(submit), f"{namespace}:s"), Button(gettext(N_("Cancel")), f"{namespace}:x")]
    )
    return Text.join("\n\n", [*before, Text.join("\n", lines)]), buttons


def typed_labels(ctx: Ctx, step: Step) -> list[str]:
    """The labels of ``step``'s buttons in the reader's language, which typing one also answers."""
    if step.kind == "consent":
        return consent_labels(ctx.gettext)
    return [label_text(choice.label, ctx.gettext, ctx.actor.locale) for choice in step.choices]


def toggled(place: Place, pressed: str, hidden: str) -> dict[str, Any] | None:
    """The progress once option ``pressed`` of a multiple choice is ticked or unticked.

    Args:
        place: where the person is; its step is a multiple choice.
        pressed: the option's index, as the button carries it.
        hidden: a progress key that pressing an option clears (a question shown over the form).

    Returns:
        The new progress, or ``None`` when ``pressed`` is no option of the step.
    """
    step, answers = place.step, place.answers
    if not pressed.isdigit() or int(pressed) >= len(step.choices):
        return None
    progress = {key: value for key, value in place.progress.items() if key != hidden}
    if progress.get("selecting") != step.field:
        progress["selecting"], progress["selection"] = step.field, list(answers.get(step.field) or [])
    value = step.choices[int(pressed)].value
    selection = [chosen for chosen in progress["selection"] if chosen != value]
    if len(selection) == len(progress["selection"]):
        selection.append(value)
    progress["selection"] = selection
    return progress
