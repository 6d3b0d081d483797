"""Form steps as data, and the validation of one answer to one step.

A :class:`Step` says what is asked (``question``), what kind of answer it takes and its
limits; a :class:`Form` is an ordered list of steps. :func:`parse_answer` turns the text
a person typed (or the choices they pressed) into a stored value, or into a
:class:`Rejected` carrying the msgid that explains what is wrong. It does no I/O.

Questions and choice labels are :data:`Label` values: a msgid (translated through the
catalogs) or, for forms written by a deployment, a mapping of language code to text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.i18n import N_
from bot.forms.countries import fold, resolve_country

Kind = Literal["text", "email", "number", "single", "multi", "country", "consent", "url", "date"]
#: A msgid, or text per language code (``{"en": ..., "es": ...}``).
Label = str | dict[str, str]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}")
_URL = re.compile(r"(https?://|mailto:)[^\s<>\"]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: What separates typed options: commas and semicolons in Latin, CJK (，；、) and Arabic (، ؛) script.
_SEPARATORS = re.compile(r"[,;\n\uff0c\uff1b\u3001\u060c\u061b]+")
_YES = frozenset(
    {"yes", "y", "si", "oui", "o", "ok", "accept", "i accept", "acepto", "j accepte", "accepte"}
    | {"да", "принимаю", "я принимаю", "согласен", "согласна"}
    | {"نعم", "أوافق", "اوافق", "موافق", "أقبل"}
    | {"是", "同意", "接受", "我接受", "我同意"}
)
_NO = frozenset(
    {"no", "n", "non", "i do not accept", "no acepto", "je n accepte pas"}
    | {"нет", "لا", "不", "否", "不同意"}
)
#: The consent buttons' labels: typed, they answer as the buttons do (see :func:`consent_labels`).
CONSENT_YES = N_("Yes, I accept")
CONSENT_NO = N_("No")
#: How much a character of an ideographic script weighs against a minimum length: one
#: Chinese character says about what three Latin letters do.
CJK_WEIGHT = 3
#: Said when a required consent is refused (the form may add how to stop instead).
NOT_ACCEPTED = N_(
    "This must be accepted to go on: the form cannot be sent without it. Press \u201cYes, I accept\u201d "
    "to continue, or send {cancel} to discard the form."
)


def is_no(answer: str) -> bool:
    """Whether ``answer`` says no, in any language copbot speaks (no, non, нет, لا, 不)."""
    return fold(answer) in _NO


def consent_labels(gettext: Callable[[str], str]) -> list[str]:
    """The consent buttons' labels as a person sees them, for :func:`parse_answer`'s ``labels``."""
    return [gettext(CONSENT_YES), gettext(CONSENT_NO)]


def is_cjk(char: str) -> bool:
    """Whether ``char`` is a Chinese, Japanese or Korean character (ideograph, kana or hangul)."""
    name = unicodedata.name(char, "")
    return name.startswith(("CJK ", "HIRAGANA", "KATAKANA", "HANGUL"))


def text_weight(text: str) -> int:
    """``text``'s length measured against a minimum: a CJK character counts :data:`CJK_WEIGHT`."""
    return sum(CJK_WEIGHT if is_cjk(char) else 1 for char in text)


def label_text(label: Label, gettext: Callable[[str], str], locale: str) -> str:
    """The text of a label in ``locale``."""
    if isinstance(label, str):
        return gettext(label)
    return label.get(locale) or label.get("en") or next(iter(label.values()), "")


class Choice(BaseModel):
    """One option of a single or multiple choice step."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: str = Field(pattern=r"^[a-z0-9_]{1,24}$")
    label: Label
    #: Makes this an "other" option: once chosen, the form asks this question, and the
    #: typed answer (kept under :func:`other_key`) is shown instead of the label.
    other: Label | None = None


def other_key(field: str) -> str:
    """Where the text typed for a step's "other" option is kept among the answers."""
    return f"{field}.other"


class Step(BaseModel):
    """One question of a form.

    Attributes:
        field: the name the answer is stored under.
        question: what is asked.
        title: a short name for the answer in summaries (else the question).
        kind: what kind of answer is expected (``url``: a web or mailto address; ``date``:
            year-month-day, stored as ISO text since answers are kept as JSON).
        required: whether the step may be skipped.
        min_length: the shortest text answer accepted (``text`` steps).
        max_length: the longest text kept; a longer answer is cut, and the person told.
        minimum: the smallest number accepted (``number`` steps).
        maximum: the largest number accepted (``number`` steps).
        choices: the options (``single`` and ``multi`` steps).
        show_document: a document the feature shows with the question (e.g. ``terms``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    question: Label
    title: Label | None = None
    kind: Kind = "text"
    required: bool = True
    min_length: int = Field(default=1, ge=0)
    max_length: int = Field(default=500, ge=1, le=4000)
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[Choice, ...] = ()
    show_document: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Step:
        if self.kind in ("single", "multi"):
            if len(self.choices) < 2:
                raise ValueError(f"a {self.kind} step needs at least two choices")
            values = [choice.value for choice in self.choices]
            if len(set(values)) != len(values):
                raise ValueError("two choices have the same value")
        elif self.choices:
            raise ValueError(f"a {self.kind} step takes no choices")
        if self.min_length > self.max_length:
            raise ValueError("min_length is larger than max_length")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum is larger than maximum")
        return self

    def choice(self, value: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.value == value), None)

    def other_chosen(self, value: Any) -> Choice | None:
        """The "other" option among the choices in ``value`` (one value or a list), if any."""
        values = value if isinstance(value, list) else [value]
        return next((c for c in self.choices if c.other is not None and c.value in values), None)


class Form(BaseModel):
    """An ordered list of steps with distinct fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    steps: tuple[Step, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct_fields(self) -> Form:
        seen: set[str] = set()
        for step in self.steps:
            if step.field in seen:
                raise ValueError(f"the field {step.field!r} is used by two steps")
            seen.add(step.field)
        return self

    # Computed once per form (it is frozen): every answer looks its step up several times.
    @cached_property
    def fields(self) -> tuple[str, ...]:
        return tuple(step.field for step in self.steps)

    @cached_property
    def _by_field(self) -> dict[str, Step]:
        return {step.field: step for step in self.steps}

    def step(self, field: str) -> Step | None:
        return self._by_field.get(field)

    def index(self, field: str) -> int:
        return self.fields.index(field)

    def known(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers to steps the form has, with their "other" texts; the rest dropped."""
        return {
            key: value
            for key, value in answers.items()
            if self.step(key) is not None or self.step(key.removesuffix(".other")) is not None
        }

    def first_unanswered(self, answers: dict[str, Any]) -> Step | None:
        """The first step without an answer (a skipped step counts as answered)."""
        return next((step for step in self.steps if step.field not in answers), None)


@dataclass(frozen=True, slots=True)
class Accepted:
    """A valid answer. ``truncated`` tells that a text was cut at the step's limit."""

    value: Any
    truncated: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    """An invalid answer: ``msgid`` explains why, filled with ``values``.

    ``options`` are answers the step would take, offered as buttons (the countries an
    ambiguous or misspelt name may mean).
    """

    msgid: str
    values: dict[str, Any] = field(default_factory=dict)
    options: tuple[str, ...] = ()


def parse_answer(step: Step, answer: str, labels: Sequence[str] = ()) -> Accepted | Rejected:
    """Validate a typed answer to ``step``.

    Args:
        step: the step answered.
        answer: what the person typed, verbatim.
        labels: the choice labels as the person sees them (for typed choices); for a
            consent, :func:`consent_labels` (typed, a label or a part of it answers as
            its button does).

    Returns:
        The value to store, or why the answer is refused.
    """
    text = answer.strip()
    if not text:
        return Rejected(N_("Please write an answer."))
    if step.kind == "text":
        return _text(step, text)
    if step.kind == "email":
        if len(text) > 254 or not _EMAIL.fullmatch(text):
            return Rejected(N_("That does not look like an email address, such as name@example.org."))
        return Accepted(text)
    if step.kind == "number":
        return _number(step, text)
    if step.kind == "url":
        if len(text) > step.max_length or not _URL.fullmatch(text):
            return Rejected(N_("That does not look like a web address, such as https://example.org."))
        return Accepted(text)
    if step.kind == "date":
        return _date(text)
    if step.kind == "country":
        return _country(text)
    if step.kind == "consent":
        return _consent(text, labels)
    if step.kind == "single":
        chosen = _choose(step, text, labels)
        if chosen is None:
            return Rejected(N_("Please choose one of the options with the buttons, or type its name."))
        return Accepted(chosen)
    return _multi(step, text, labels)


def _label_words(label: str) -> set[str]:
    """A button label and each of its comma-separated parts, folded: ``Да, принимаю`` gives
    ``да принимаю``, ``да`` and ``принимаю``."""
    parts = {fold(part) for part in _SEPARATORS.split(label)}
    return {word for word in (fold(label), *parts) if word}


def _consent(text: str, labels: Sequence[str]) -> Accepted | Rejected:
    key = fold(text)
    yes = _label_words(labels[0]) if labels else set()
    no = _label_words(labels[1]) if len(labels) > 1 else set()
    if key in _YES or key in yes or key == "1":
        return Accepted(True)
    if is_no(text) or key in no or key == "2":
        return Rejected(NOT_ACCEPTED)
    return Rejected(N_("Please answer yes or no, or press a button."))


def _country(text: str) -> Accepted | Rejected:
    found = resolve_country(text)
    if found.code is not None:
        return Accepted(found.code)
    if found.ambiguous:
        return Rejected(
            N_("\u201c{answer}\u201d can mean more than one country: which one? Press its button."),
            {"answer": text[:100]},
            found.candidates,
        )
    if found.candidates:
        return Rejected(
            N_(
                "I do not know the country \u201c{answer}\u201d. Did you mean one of these? "
                "Press its button, or type the name again."
            ),
            {"answer": text[:100]},
            found.candidates,
        )
    return Rejected(
        N_("I do not know the country \u201c{answer}\u201d. Please type its name."), {"answer": text[:100]}
    )


def _text(step: Step, text: str) -> Accepted | Rejected:
    if text_weight(text) < step.min_length:
        # told in the characters of the script mostly written: fewer for Chinese
        cjk = sum(1 for char in text if is_cjk(char)) * 2 > len(text)
        minimum = math.ceil(step.min_length / CJK_WEIGHT) if cjk else step.min_length
        return Rejected(
            N_("Please write at least {minimum} characters (you wrote {length})."),
            {"minimum": minimum, "length": len(text)},
        )
    if len(text) > step.max_length:
        return Accepted(text[: step.max_length], truncated=True)
    return Accepted(text)


def _number(step: Step, text: str) -> Accepted | Rejected:
    try:
        number = int(text.replace(" ", ""))
    except ValueError:
        return Rejected(N_("Please answer with a whole number, such as 5."))
    low = step.minimum if step.minimum is not None else -(10**9)
    high = step.maximum if step.maximum is not None else 10**9
    if not low <= number <= high:
        return Rejected(
            N_("Please answer with a number from {minimum} to {maximum}."), {"minimum": low, "maximum": high}
        )
    return Accepted(number)


def _date(text: str) -> Accepted | Rejected:
    day = None
    if _DATE.fullmatch(text):  # fromisoformat alone also takes 20261231 and week dates
        try:
            day = date.fromisoformat(text)
        except ValueError:  # 2027-02-29
            day = None
    if day is None:
        return Rejected(N_("Please write a date as year-month-day, such as 2026-12-31."))
    return Accepted(day.isoformat())  # stored as text: answers are JSON


def _choose(step: Step, text: str, labels: Sequence[str]) -> str | None:
    key = fold(text)
    if key.isdigit() and 1 <= int(key) <= len(step.choices):
        return step.choices[int(key) - 1].value
    for index, choice in enumerate(step.choices):
        shown = labels[index] if index < len(labels) else ""
        if key in (fold(choice.value), fold(shown)):
            return choice.value
    return None


def _multi(step: Step, text: str, labels: Sequence[str]) -> Accepted | Rejected:
    chosen: list[str] = []
    unknown: list[str] = []
    for part in _SEPARATORS.split(text):
        if not _without_final_punctuation(part.strip(), keep=False):  # blank, or punctuation alone
            continue
        value = _choose(step, part, labels)
        if value is None:
            unknown.append(_without_final_punctuation(part.strip()))
        elif value not in chosen:
            chosen.append(value)
    if not chosen and not unknown:
        return Rejected(N_("Please write an answer."))
    if unknown:
        return Rejected(
            N_("I did not recognise: {unknown}. Press the buttons, or type the options separated by commas."),
            {"unknown": ", ".join(unknown)[:200]},
        )
    return Accepted([choice.value for choice in step.choices if choice.value in chosen])


def _without_final_punctuation(text: str, *, keep: bool = True) -> str:
    """``text`` without the punctuation it ends with (the message adds its own full stop).

    Args:
        keep: give ``text`` back whole when it is nothing but punctuation.
    """
    end = len(text)
    while end and unicodedata.category(text[end - 1]).startswith("P"):
        end -= 1
    return text[:end].rstrip() or (text if keep else "")
