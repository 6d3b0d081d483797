"""``copbot wiki export`` writes files that run nothing where they are opened, and read back."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from bot.core.export_safety import FORMULA_STARTS
from handlers.wiki.files import export_entries, import_entries, read_entries
from storage.db import Database
from storage.wiki.data import WikiEntryData
from tests.storage.wiki.test_repository import entry


def slug(item: WikiEntryData) -> str:
    return item.slug


NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)

#: Twelve cells a spreadsheet would run, in titles, summaries and bodies (a wiki entry's
#: fields lose leading tabs and carriage returns when validated: those never reach a file).
HOSTILE = [
    entry("a", "=1+1", summary="+1+1", body="-2+3"),
    entry("b", "@SUM(1)", summary='=HYPERLINK("http://evil.example")', body="+cmd|' /C calc'!A0"),
    entry("c", "-cmd|' /C calc'!A0", summary="@mention", body="=2*3"),
    entry("d", "+44 20 7946 0000", summary="-5 degrees", body="@here"),
]


async def test_csv_export_neutralises_formula_cells_and_imports_back_unchanged(
    db: Database, tmp_path: Path
) -> None:
    await import_entries(db, iter(HOSTILE), NOW)
    target = tmp_path / "wiki.csv"
    assert await export_entries(db, target) == len(HOSTILE)
    with target.open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    cells = [row[column] for row in rows for column in ("title", "summary", "body")]
    assert len([cell for cell in cells if cell.startswith("'")]) == 12
    assert [cell for cell in cells if cell[:1] in FORMULA_STARTS] == []
    back = sorted((item for item in read_entries(target) if isinstance(item, WikiEntryData)), key=slug)
    assert [(e.slug, e.title, e.summary, e.body) for e in back] == [
        (e.slug, e.title, e.summary, e.body) for e in HOSTILE
    ]


async def test_markdown_export_loses_script_links_and_html_tags_only(db: Database, tmp_path: Path) -> None:
    body = "**Kept** [site](https://example.org) <script>alert(1)</script> [x](javascript:alert(1)) a < b"
    await import_entries(db, iter([entry("m", "Markdown", body=body)]), NOW)
    await export_entries(db, tmp_path / "out")
    written = (tmp_path / "out" / "m.md").read_text(encoding="utf-8")
    assert "<script>" not in written
    assert "](javascript:" not in written
    assert (
        "**Kept** [site](https://example.org) &lt;script>alert(1)&lt;/script> [x](#javascript:alert(1)) a < b"
        in written
    )
