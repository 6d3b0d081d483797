"""Programme files: a dialogue and its prompts, with their translations, in YAML.

::

    slug: current-situation-2026        # stable key: importing again updates, never duplicates
    timezone: Europe/Zurich
    start: 2026-09-22
    end: 2026-10-17
    title: {en: Current Situation in Gender Training, es: ..., fr: ...}
    description: {en: ..., es: ..., fr: ...}
    prompts:
      - at: 2026-09-22 09:00            # in the programme's time zone
        text: {en: ..., es: ..., fr: ...}

A file is validated with pydantic; every error names the file, the line and the field.
Prompts are matched by their order: the second prompt of the file updates the dialogue's
second prompt.

Dates in the past are never handled silently (``copbot dialogue import``): a programme
that has ended is imported only as history (``archive=True``: a closed dialogue, its
prompts never posted); one under way is imported as planned, but its prompts whose time
passed more than :data:`MISSED_GRACE` ago are held (:func:`hold_missed_prompts`) rather
than posted in a burst.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storage.dialogues.calendar import day_start
from storage.dialogues.repository import DialogueRepository
from storage.models import Dialogue

Translations = dict[str, str]

#: A prompt imported at most this long after its time is still posted (a file imported a
#: little late); an older one is held as part of the record.
MISSED_GRACE = timedelta(hours=1)


class ProgrammeError(Exception):
    """A programme file cannot be used; the message names file, line and field."""


class ProgrammePrompt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    text: Translations = Field(min_length=1)

    @field_validator("at", mode="before")
    @classmethod
    def _local_time(cls, value: object) -> object:
        if isinstance(value, str):
            for layout in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"):
                try:
                    return datetime.strptime(value.strip(), layout)
                except ValueError:
                    continue
            raise ValueError("is not a date and time like 2026-09-22 09:00")
        return value


class Programme(BaseModel):
    """A dialogue as a programme file describes it (times local to ``timezone``)."""

    model_config = ConfigDict(extra="forbid")

    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")
    timezone: str = "UTC"
    start: date
    end: date
    status: str = Field(default="scheduled", pattern="^(draft|scheduled)$")
    title: Translations = Field(min_length=1)
    description: Translations = Field(default_factory=dict)
    prompts: list[ProgrammePrompt] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as Europe/Zurich") from None
        return value

    @model_validator(mode="after")
    def _dates(self) -> Programme:
        if self.end < self.start:
            raise ValueError(f"the end {self.end} is before the start {self.start}")
        for number, prompt in enumerate(self.prompts, start=1):
            if not self.start <= prompt.at.date() <= self.end:
                raise ValueError(f"prompt {number} at {prompt.at} is outside {self.start} to {self.end}")
        return self

    def ended(self, now: datetime) -> bool:
        """Whether the programme's last day is over where it is held."""
        return day_start(self.end + timedelta(days=1), self.timezone) <= now

    def started(self, now: datetime) -> bool:
        """Whether the programme's first day has begun where it is held."""
        return day_start(self.start, self.timezone) <= now

    def post_times(self) -> list[datetime]:
        """Each prompt's time in UTC."""
        zone = ZoneInfo(self.timezone)
        return [prompt.at.replace(tzinfo=zone).astimezone(UTC) for prompt in self.prompts]


def load_programme(path: Path) -> Programme:
    """Read and validate a programme file.

    Raises:
        ProgrammeError: the file is unreadable, not YAML, or invalid (with file, line, field).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ProgrammeError(f"{path}: cannot be read ({error.strerror})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ProgrammeError(f"{path}{line}: not valid YAML ({getattr(error, 'problem', error)})") from None
    if node is None:
        raise ProgrammeError(f"{path}: the file is empty")
    lines: dict[tuple[str | int, ...], int] = {}
    data = _build(node, (), lines)
    try:
        return Programme.model_validate(data)
    except ValidationError as error:
        problems = []
        for item in error.errors():
            location = tuple(item["loc"])
            number = _line_of(location, lines)
            field = ".".join(str(part) for part in location) or "(file)"
            problems.append(f"{path}:{number}: {field}: {item['msg'].removeprefix('Value error, ')}")
        raise ProgrammeError("\n".join(problems)) from None


def _build(node: yaml.Node, path: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> Any:
    """The node's Python value, recording the line where each path starts."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = str(_build(key_node, (*path, "\0key"), {}))
            result[key] = _build(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), lines) for index, item in enumerate(node.value)]
    return yaml.SafeLoader("").construct_object(node, deep=True)


def _line_of(location: tuple[str | int, ...], lines: dict[tuple[str | int, ...], int]) -> int:
    """The line of the deepest part of ``location`` found in the file."""
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


async def import_programme(
    repo: DialogueRepository,
    programme: Programme,
    now: datetime,
    *,
    status: str | None = None,
    archive: bool = False,
) -> tuple[Dialogue, bool]:
    """Create the dialogue, or update the one with the same slug.

    Args:
        archive: import it as history: a closed dialogue (and update one imported so
            before), whose prompts are never posted.

    Returns:
        The dialogue, and whether it was created.

    Raises:
        ProgrammeError: the stored dialogue can no longer change (open prompts posted,
            closed or cancelled) in the way the file asks.
    """
    dialogue = await repo.by_slug(programme.slug)
    created = dialogue is None
    if archive:
        status = "closed"
    if dialogue is None:
        dialogue = await repo.create(
            title=programme.title,
            description=programme.description,
            start=programme.start,
            end=programme.end,
            timezone=programme.timezone,
            now=now,
            slug=programme.slug,
            status=status or programme.status,
        )
    else:
        if dialogue.status == "cancelled" or (dialogue.status == "closed" and not archive):
            raise ProgrammeError(f"dialogue {programme.slug!r} is {dialogue.status} and cannot change")
        dialogue.title = programme.title
        dialogue.description = programme.description
        dialogue.start_date, dialogue.end_date = programme.start, programme.end
        dialogue.timezone = programme.timezone
        if dialogue.status in ("draft", "scheduled"):  # a draft is published by importing it as scheduled
            # (or, with ``archive``, filed as history)
            dialogue.status = status or programme.status
    existing = await repo.prompts(dialogue.id)
    existing.sort(key=lambda prompt: prompt.position)
    posted = {post.prompt_id for post in await repo.posts([prompt.id for prompt in existing])}
    for index, (item, post_at) in enumerate(zip(programme.prompts, programme.post_times(), strict=True)):
        if index < len(existing):
            prompt = existing[index]
            if prompt.id in posted and prompt.post_at != post_at:
                raise ProgrammeError(
                    f"prompt {index + 1} of {programme.slug!r} is posted; its time cannot change"
                )
            prompt.text, prompt.post_at = item.text, post_at
        else:
            await repo.add_prompt(dialogue.id, item.text, post_at)
    for prompt in existing[len(programme.prompts) :]:
        if prompt.id in posted:
            raise ProgrammeError(
                f"prompt {prompt.position} of {programme.slug!r} is posted; it cannot be removed"
            )
        await repo.delete_prompt(prompt.id)
    await repo.session.flush()
    return dialogue, created


async def hold_missed_prompts(repo: DialogueRepository, dialogue: Dialogue, now: datetime) -> list[str]:
    """Hold, never to be posted, the prompts of a dialogue not yet open whose time is past.

    A programme imported after it started would otherwise post every prompt it missed at
    once. A prompt due within :data:`MISSED_GRACE` is still posted; an open dialogue's
    missed prompts are the poster's to catch up (the bot was down), so it is left alone.

    Returns:
        The held prompts' numbers (``D.P``), in order.
    """
    if dialogue.status not in ("draft", "scheduled"):
        return []
    prompts = sorted(await repo.prompts(dialogue.id), key=lambda prompt: prompt.position)
    posted = {post.prompt_id for post in await repo.posts([prompt.id for prompt in prompts])}
    held = []
    for prompt in prompts:
        missed = prompt.post_at < now - MISSED_GRACE and prompt.id not in posted
        if missed:
            held.append(f"{dialogue.id}.{prompt.position}")
        prompt.never_posted = missed
    await repo.session.flush()
    return held
