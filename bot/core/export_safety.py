"""Member text written into files others open: spreadsheets and Markdown that run nothing.

**CSV.** A spreadsheet takes a cell beginning with ``=``, ``+``, ``-`` or ``@`` (and, in
some, a tab or carriage return) for a formula, which can fetch URLs or run commands when
a moderator opens an export ("CSV injection"). As OWASP recommends, such a cell is
written with a leading apostrophe, which spreadsheets show as text and do not display.
Every CSV file the bot writes goes through :class:`CsvWriter` or :class:`CsvDictWriter`;
a file read back (the wiki's import) takes the apostrophe off with :func:`csv_value`, so
an export imports unchanged.

**Markdown.** Member text put into a Markdown document is escaped with
:func:`markdown_text`: HTML becomes entities (``<script>`` is shown, never run) and link
brackets are escaped, so no ``[x](javascript:…)`` or ``data:`` link can form. Markdown
*written by moderators* (a wiki entry's body) keeps its formatting and only loses what can
run: :func:`markdown_without_scripts` escapes HTML tags and disarms links whose target is a
``javascript:``, ``vbscript:`` or ``data:`` URL.
"""

from __future__ import annotations

import csv
import html
import re
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Protocol

#: What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = frozenset("=+-@\t\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: object) -> object:
    """A cell as it is safe to write: text a spreadsheet would run gets a leading ``'``.

    A cell that already starts with apostrophes before such a character gets one more,
    so :func:`csv_value` gives back exactly what was written. Other values pass through.

    Examples:
        >>> csv_cell("=1+2"), csv_cell("'=1"), csv_cell("it's"), csv_cell(3)
        ("'=1+2", "''=1", "it's", 3)
    """
    if isinstance(value, str) and value.lstrip("'")[:1] in FORMULA_STARTS and value.lstrip("'"):
        return "'" + value
    return value


def csv_value(cell: str) -> str:
    """A cell read from a CSV file the bot wrote: the inverse of :func:`csv_cell`.

    Examples:
        >>> csv_value("'=1+2"), csv_value("''=1"), csv_value("it's")
        ('=1+2', "'=1", "it's")
    """
    rest = cell.lstrip("'")
    if cell.startswith("'") and rest[:1] in FORMULA_STARTS and rest:
        return cell[1:]
    return cell


class CsvWriter:
    """:func:`csv.writer` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, target: _Writable) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class CsvDictWriter:
    """:class:`csv.DictWriter` whose every cell goes through :func:`csv_cell`."""

    def __init__(self, target: _Writable, columns: Collection[str]) -> None:
        self._writer = csv.DictWriter(target, list(columns))

    def writeheader(self) -> None:
        self._writer.writeheader()

    def writerow(self, row: Mapping[str, object]) -> None:
        self._writer.writerow({key: csv_cell(value) for key, value in row.items()})


_MARKDOWN_ACTIVE = re.compile(r"[\\`*_\[\]<>&]")
_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def markdown_text(text: str) -> str:
    """``text`` as literal Markdown: it shows as typed and forms no HTML, link or emphasis.

    Examples:
        >>> markdown_text("<script>x</script> [a](javascript:y) *b*")
        '&lt;script&gt;x&lt;/script&gt; \\\\[a\\\\](javascript:y) \\\\*b\\\\*'
    """
    return _MARKDOWN_ACTIVE.sub(lambda found: _ENTITIES.get(found.group(0)) or "\\" + found.group(0), text)


#: An HTML tag or comment opening (``<script``, ``</a``, ``<!--``), not a lone ``<``.
_TAG = re.compile(r"<(?=[A-Za-z/!?])")
#: A link's target: after ``](`` (inline) or ``]:`` (a reference), bare or in ``<…>``.
_DESTINATION = re.compile(r"(\]\s*\(\s*|\]:\s*)(<[^>\n]*>?|[^\s)]+)")
#: URL schemes that run code or smuggle content in.
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
#: What browsers drop from a URL before reading its scheme (``java\tscript:``).
_IGNORED_IN_URLS = re.compile(r"[\s\x00-\x1f<>]")


def _disarm(found: re.Match[str]) -> str:
    target = found.group(2)
    # renderers decode entities in link targets: "&#106;avascript:" is javascript:
    seen = _IGNORED_IN_URLS.sub("", html.unescape(target)).lower()
    if seen.startswith(_SCRIPT_SCHEMES):
        return found.group(1) + "#" + target.strip("<>")
    return found.group(0)


def markdown_without_scripts(markdown: str) -> str:
    """Markdown kept as written, but for HTML tags and ``javascript:``/``data:`` links.

    A link to such a URL points to a ``#`` fragment instead, and an HTML tag's ``<``
    becomes ``&lt;``; a lone ``<`` (``a < b``) stays.

    Examples:
        >>> markdown_without_scripts("**a** <b>x</b> [c](javascript:alert(1)) a < b")
        '**a** &lt;b>x&lt;/b> [c](#javascript:alert(1)) a < b'
    """
    return _TAG.sub("&lt;", _DESTINATION.sub(_disarm, markdown))
