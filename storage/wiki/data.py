"""A wiki entry as data: what import files, the sample wiki and ``/wiki_edit`` provide.

One pydantic model validates every way in, so a CSV row, a Markdown file's front matter
and a moderator's edit obey the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

import pycountry
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from storage.wiki.query import WikiKind

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: The longest body accepted (characters): an entry is a page, not a book.
MAX_BODY = 50_000

Language = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z]{2,3}$")]


class WikiTranslationData(BaseModel):
    """An entry's title, summary and body in another language."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: Language
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_BODY)] = ""


class WikiEntryData(BaseModel):
    """Everything an entry holds, validated.

    Attributes:
        kind: institution, training, material, opportunity or template.
        slug: the entry's stable name: lower case letters, digits and hyphens.
        title: one line.
        summary: a sentence or two, shown in search results.
        body: Markdown.
        link: where to read more.
        tags: keywords (searchable, and used for "did you mean").
        region: a free-text region (``Africa``, ``Latin America``, ``Global``).
        country: ISO 3166-1 alpha-2 code, upper case.
        language: the language the entry is written in (``en``, ``es``, ``fr``).
        deadline: for opportunities: hidden from searches once passed.
        translations: the entry in other languages.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: WikiKind
    slug: Annotated[str, StringConstraints(strip_whitespace=True, max_length=120, pattern=SLUG.pattern)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    summary: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    body: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_BODY)] = ""
    link: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)] | None = None
    tags: tuple[str, ...] = ()
    region: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    country: (
        Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^[A-Z]{2}$")] | None
    ) = None
    language: Language = "en"
    deadline: date | None = None
    translations: tuple[WikiTranslationData, ...] = ()

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: Any) -> Any:
        if isinstance(value, str):  # CSV cells and /wiki_edit give "a, b, c"
            value = value.split(",")
        if isinstance(value, list | tuple):  # a tag never holds a comma: CSV separates with it
            tags = (part.strip() for tag in value for part in str(tag).split(","))
            return tuple(dict.fromkeys(tag for tag in tags if tag))
        return value

    @field_validator("link", "region", "country", "deadline", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("country")
    @classmethod
    def _iso_country(cls, value: str | None) -> str | None:
        if value is not None and pycountry.countries.get(alpha_2=value) is None:
            raise ValueError(f"{value} is not an ISO 3166 country")
        return value

    @field_validator("link")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^(https?://|mailto:)\S+$", value):
            raise ValueError("a link must start with http://, https:// or mailto:")
        return value

    @field_validator("translations")
    @classmethod
    def _one_per_language(cls, value: tuple[WikiTranslationData, ...]) -> tuple[WikiTranslationData, ...]:
        languages = [translation.language for translation in value]
        if len(set(languages)) != len(languages):
            raise ValueError("at most one translation per language")
        return value


#: Every field of an entry, in the order import and export files write them.
FIELDS = (
    "kind",
    "slug",
    "title",
    "summary",
    "body",
    "link",
    "tags",
    "region",
    "country",
    "language",
    "deadline",
)
#: The fields ``/wiki_edit`` may change (the slug names the entry; translations are edited by import).
EDITABLE_FIELDS = tuple(field for field in FIELDS if field != "slug")


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """Why one field was refused, in words people read (never a pattern or pydantic's text).

    Attributes:
        field: the field's name (``translations.0.title`` for nested ones; ``""`` for the entry).
        reason: what is wrong, one of :data:`REASONS`' keys.
        detail: for ``invalid``, the validator's own plain sentence; the limit for ``too_long``.
    """

    field: str
    reason: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.field or 'entry'}: {REASONS[self.reason].format(detail=self.detail)}"


#: Each reason in English (import files are read by operators; the chat has its own catalogue).
REASONS = {
    "required": "is missing",
    "empty": "cannot be empty",
    "too_long": "is longer than {detail} characters",
    "kind": "must be one of " + ", ".join(kind.value for kind in WikiKind),
    "slug": "use lower-case letters, digits and hyphens only, such as gender-budgeting",
    "language": "must be a language code of two or three letters, such as en or fr",
    "country": "must be a two-letter ISO 3166 country code, such as KE",
    "date": "must be a date written like 2026-05-31",
    "unknown": "is not a field of a wiki entry",
    "invalid": "{detail}",
}
_PATTERN_REASONS = {"slug": "slug", "language": "language", "country": "country"}


def field_problems(error: ValidationError) -> list[FieldProblem]:
    """``error``'s problems in plain words, one per field."""
    problems: dict[str, FieldProblem] = {}
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        last = str(item["loc"][-1]) if item["loc"] else ""
        kind = item["type"]
        if kind == "missing":
            problem = FieldProblem(where, "required")
        elif kind == "string_too_short":
            problem = FieldProblem(where, "empty")
        elif kind == "string_too_long":
            problem = FieldProblem(where, "too_long", str(item.get("ctx", {}).get("max_length", "")))
        elif kind == "enum":
            problem = FieldProblem(where, "kind")
        elif kind == "string_pattern_mismatch":
            problem = FieldProblem(where, _PATTERN_REASONS.get(last, "invalid"), "has the wrong form")
        elif kind.startswith("date"):
            problem = FieldProblem(where, "date")
        elif kind == "extra_forbidden":
            problem = FieldProblem(where, "unknown")
        elif kind == "value_error":
            problem = FieldProblem(where, "invalid", str(item["msg"]).removeprefix("Value error, "))
        else:
            problem = FieldProblem(where, "invalid", "is not accepted")
        problems.setdefault(where, problem)
    return list(problems.values())
