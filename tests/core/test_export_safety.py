"""Cells and Markdown made safe to open, and CSV cells read back as they were."""

from __future__ import annotations

import csv
import io

import pytest

from bot.core.export_safety import (
    CsvDictWriter,
    CsvWriter,
    csv_cell,
    csv_value,
    markdown_text,
    markdown_without_scripts,
)

DANGEROUS = ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("cell", DANGEROUS)
def test_a_formula_like_cell_gets_an_apostrophe_and_reads_back(cell: str) -> None:
    assert csv_cell(cell) == "'" + cell
    assert csv_value(str(csv_cell(cell))) == cell


@pytest.mark.parametrize("cell", ["", "plain", "it's", "'quoted", "''", "'", "'=1", "''+2", "3-1", 7, None])
def test_other_cells_round_trip_unchanged_or_lossless(cell: object) -> None:
    written = csv_cell(cell)
    if isinstance(cell, str):
        assert csv_value(str(written)) == cell
        assert str(written)[:1] not in {"=", "+", "-", "@", "\t", "\r"}
    else:
        assert written == cell


def test_both_writers_neutralise_every_cell() -> None:
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerows([DANGEROUS])
    dict_out = io.StringIO()
    dict_writer = CsvDictWriter(dict_out, ["a", "b"])
    dict_writer.writeheader()
    dict_writer.writerow({"a": "=1", "b": "@x"})
    [row] = list(csv.reader(io.StringIO(out.getvalue())))
    assert row == ["'" + cell for cell in DANGEROUS]
    assert list(csv.DictReader(io.StringIO(dict_out.getvalue()))) == [{"a": "'=1", "b": "'@x"}]


def test_markdown_text_shows_as_typed_and_forms_no_html_or_link() -> None:
    escaped = markdown_text("<script>x</script> [a](javascript:y) *b* & c_d `e` \\")
    assert "<" not in escaped
    assert "](" not in escaped.replace("\\](", "")
    assert escaped == (
        "&lt;script&gt;x&lt;/script&gt; \\[a\\](javascript:y) \\*b\\* &amp; c\\_d \\`e\\` \\\\"
    )


@pytest.mark.parametrize(
    "hostile",
    [
        "[x](javascript:alert(1))",
        "[x]( JavaScript:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[r]: vbscript:msgbox(1)",
        "![i](data:image/svg+xml;base64,PHN2Zz4=)",
    ],
)
def test_markdown_without_scripts_disarms_script_links(hostile: str) -> None:
    disarmed = markdown_without_scripts(hostile)
    assert "#" in disarmed
    assert disarmed != hostile
    for scheme in (
        "](javascript:",
        "]( javascript:",
        "](&#106;",
        "](<javascript:",
        "]: vbscript:",
        "](data:",
    ):
        assert scheme not in disarmed.lower()


def test_markdown_without_scripts_keeps_formatting_and_plain_links() -> None:
    text = "**Bold** _it_ [site](https://example.org/a(b)) a < b and b > a\n\n- item"
    assert markdown_without_scripts(text) == text
    assert markdown_without_scripts("<b>x</b><!-- c -->") == "&lt;b>x&lt;/b>&lt;!-- c -->"
