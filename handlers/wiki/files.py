"""Wiki files: a folder of Markdown with YAML front matter, a CSV file or a JSON file.

Reading never stops at a bad entry: every entry comes back either as valid
:class:`~storage.wiki.data.WikiEntryData` or as a :class:`Problem` naming the file, the
line and what is wrong, so an import takes the valid rest. Writing produces the same
formats, and what is written reads back equal (``copbot wiki export`` then ``import``), but
for what could run where the file is opened: CSV cells that a spreadsheet takes for formulas
are written as text (and read back as they were), and a Markdown body loses its HTML tags
and ``javascript:``/``data:`` links (see :mod:`bot.core.export_safety`).

* Markdown: one ``<slug>.md`` per entry; the front matter holds every field but the
  body (``slug`` defaults to the file name; ``translations`` is a list of mappings).
* CSV: one row per entry, ``tags`` comma-separated, translations as ``title_<lang>``,
  ``summary_<lang>``, ``body_<lang>`` columns.
* JSON: a list of entries, as the fields of :class:`~storage.wiki.data.WikiEntryData`.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.core.export_safety import CsvDictWriter, csv_value, markdown_without_scripts
from bot.core.yaml_text import read_yaml
from storage.db import Database
from storage.wiki.data import FIELDS, WikiEntryData, field_problems
from storage.wiki.repository import WikiRepository, as_data

TRANSLATED = ("title", "summary", "body")
_TRANSLATION_COLUMN = re.compile(r"^(title|summary|body)_([a-z]{2,3})$")


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one entry could not be read."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


Loaded = WikiEntryData | Problem


def read_entries(path: Path) -> Iterator[Loaded]:
    """Every entry in ``path`` (a folder of ``*.md``, a ``.csv`` or a ``.json`` file)."""
    if path.is_dir():
        for file in sorted(path.glob("*.md")):
            yield _read_markdown(file)
    elif path.suffix.lower() == ".csv":
        yield from _read_csv(path)
    elif path.suffix.lower() == ".json":
        yield from _read_json(path)
    else:
        yield Problem(path.name, 1, "expected a folder of .md files, a .csv or a .json file")


def count_entries(path: Path) -> int:
    """A quick estimate of how many entries ``path`` holds (for a progress bar)."""
    if path.is_dir():
        return sum(1 for _ in path.glob("*.md"))
    try:
        if path.suffix.lower() == ".json":
            items = json.loads(path.read_text(encoding="utf-8"))
            return len(items) if isinstance(items, list) else 1
        with path.open(encoding="utf-8") as source:
            return max(sum(1 for _ in source) - 1, 1)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return 1


def write_entries(path: Path, entries: Iterable[WikiEntryData]) -> int:
    """Write ``entries`` in the format ``path`` asks for; returns how many."""
    if path.suffix.lower() == ".csv":
        return _write_csv(path, list(entries))
    if path.suffix.lower() == ".json":
        items = [_plain(entry) for entry in entries]
        path.write_text(json.dumps(items, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        return len(items)
    path.mkdir(parents=True, exist_ok=True)
    count = 0
    for entry in entries:
        fields = _plain(entry)
        body = fields.pop("body", "")
        front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=100)
        body = markdown_without_scripts(body)  # no <script> nor javascript: link in a file others open
        (path / f"{entry.slug}.md").write_text(f"---\n{front}---\n\n{body}\n", encoding="utf-8")
        count += 1
    return count


# -- reading ------------------------------------------------------------------------------


def _read_markdown(file: Path) -> Loaded:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return Problem(file.name, 1, f"cannot be read: {error}")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return Problem(file.name, 1, "no front matter: the file must start with a '---' line")
    end = next((n for n in range(1, len(lines)) if lines[n].strip() == "---"), None)
    if end is None:
        return Problem(file.name, 1, "the front matter has no closing '---' line")
    try:
        front = read_yaml("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        return Problem(file.name, line, f"invalid YAML: {getattr(error, 'problem', None) or error}")
    if not isinstance(front, dict):
        return Problem(file.name, 2, "the front matter must be a mapping of fields")
    fields = {"slug": file.stem, **front, "body": "\n".join(lines[end + 1 :])}

    def line_of(key: str) -> int:
        pattern = re.compile(rf"^\s*-?\s*{re.escape(key)}\s*:")
        return next(
            (n + 1 for n in range(1, end) if pattern.match(lines[n])), end + 2 if key == "body" else 1
        )

    return _validate(fields, file.name, line_of)


def _read_csv(path: Path) -> Iterator[Loaded]:
    try:
        source = path.open(encoding="utf-8", newline="")
    except OSError as error:
        yield Problem(path.name, 1, f"cannot be read: {error}")
        return
    with source:
        reader = csv.DictReader(source)
        try:
            start = reader.line_num + 1
            for row in reader:
                fields: dict[str, Any] = {}
                translations: dict[str, dict[str, str]] = {}
                for column, value in row.items():
                    if column is None:
                        continue
                    match = _TRANSLATION_COLUMN.match(column)
                    if match:
                        if value:
                            translations.setdefault(match.group(2), {})[match.group(1)] = csv_value(value)
                    else:
                        fields[column] = csv_value(value)
                if None in row:
                    yield Problem(path.name, start, "more cells than columns")
                else:
                    fields["translations"] = [
                        {"language": lang, **parts} for lang, parts in translations.items()
                    ]
                    yield _validate(fields, path.name, _fixed(start))
                start = reader.line_num + 1
        except (csv.Error, UnicodeDecodeError) as error:
            yield Problem(path.name, reader.line_num or 1, f"invalid CSV: {error}")


def _read_json(path: Path) -> Iterator[Loaded]:
    try:
        text = path.read_text(encoding="utf-8")
        items = json.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        yield Problem(path.name, 1, f"cannot be read: {error}")
        return
    except json.JSONDecodeError as error:
        yield Problem(path.name, error.lineno, f"invalid JSON: {error.msg}")
        return
    if not isinstance(items, list):
        yield Problem(path.name, 1, "expected a list of entries")
        return
    starts = _item_lines(text)
    for index, item in enumerate(items):
        line = starts[index] if index < len(starts) else 1
        if not isinstance(item, dict):
            yield Problem(path.name, line, "an entry must be an object")
            continue
        yield _validate(item, path.name, _fixed(line))


def _item_lines(text: str) -> list[int]:
    """The line each top-level array item starts on."""
    decoder = json.JSONDecoder()
    lines: list[int] = []
    position = text.index("[") + 1
    while True:
        while position < len(text) and text[position] in " \t\r\n,":
            position += 1
        if position >= len(text) or text[position] == "]":
            return lines
        lines.append(text.count("\n", 0, position) + 1)
        _, position = decoder.raw_decode(text, position)


def _fixed(line: int) -> Callable[[str], int]:
    return lambda _key: line


def _validate(fields: dict[str, Any], source: str, line_of: Callable[[str], int]) -> Loaded:
    try:
        return WikiEntryData.model_validate(fields)
    except ValidationError as error:
        first = field_problems(error)[0]
        return Problem(source, line_of(first.field.split(".")[0]), str(first))


# -- writing ------------------------------------------------------------------------------


def _plain(entry: WikiEntryData) -> dict[str, Any]:
    """The entry's fields as plain values, leaving out empty ones."""
    dumped = entry.model_dump(mode="json")
    fields = {key: dumped[key] for key in FIELDS if dumped[key] not in (None, "", [])}
    if dumped["translations"]:  # a translation may leave its summary or body out
        fields["translations"] = [{k: v for k, v in t.items() if v} for t in dumped["translations"]]
    return fields


def _write_csv(path: Path, entries: list[WikiEntryData]) -> int:
    languages = sorted({t.language for entry in entries for t in entry.translations})
    columns = [*FIELDS, *(f"{part}_{lang}" for lang in languages for part in TRANSLATED)]
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = CsvDictWriter(target, columns)
        writer.writeheader()
        for entry in entries:
            dumped = entry.model_dump(mode="json")
            row = {key: dumped[key] or "" for key in FIELDS}
            row["tags"] = ", ".join(entry.tags)
            for translation in entry.translations:
                for part in TRANSLATED:
                    row[f"{part}_{translation.language}"] = getattr(translation, part)
            writer.writerow(row)
    return len(entries)


# -- to and from the database ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did."""

    created: int
    updated: int
    problems: tuple[Problem, ...]


async def import_entries(
    db: Database,
    loaded: Iterable[Loaded],
    now: datetime,
    *,
    batch: int = 200,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Upsert every valid entry by slug, ``batch`` per transaction; collect the problems.

    Args:
        db: the database.
        loaded: entries and problems, e.g. from :func:`read_entries`.
        now: the entries' update time.
        batch: how many entries one transaction writes (short transactions let a
            running bot keep answering).
        on_progress: called with how many items were handled since the last call.
    """
    created = updated = 0
    problems: list[Problem] = []
    pending: list[WikiEntryData] = []

    async def flush() -> None:
        nonlocal created, updated
        async with db.transaction() as session:
            for _, new in await WikiRepository(session).upsert_many(pending, now):
                created, updated = created + new, updated + (not new)
        if on_progress is not None:
            on_progress(len(pending))
        pending.clear()

    for item in loaded:
        if isinstance(item, Problem):
            problems.append(item)
            if on_progress is not None:
                on_progress(1)
            continue
        pending.append(item)
        if len(pending) >= batch:
            await flush()
    if pending:
        await flush()
    return ImportReport(created, updated, tuple(problems))


async def export_entries(db: Database, path: Path) -> int:
    """Write every entry to ``path`` (format by its suffix; a folder otherwise)."""
    async with db.transaction() as session:
        entries = [as_data(entry) async for entry in WikiRepository(session).all()]
    return write_entries(path, entries)
