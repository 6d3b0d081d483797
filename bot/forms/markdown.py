"""Markdown documents (the Terms of Reference) as the platform-neutral rich text.

A deployment writes its documents in Markdown; chat platforms do not all read it, and
Telegram's and Matrix's HTML must be escaped span by span. :func:`markdown_text` parses
the Markdown with markdown-it-py (CommonMark) and builds a :class:`~bot.core.text.Text`
that every adapter renders: headings become bold lines, ``**bold**`` and ``*italic*``
their styles, list items lines starting with ``•`` or their number, links links. Raw
HTML in the document is kept as plain text, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from bot.core.text import Span, Style, Text, code

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token


@cache
def _parser() -> MarkdownIt:
    """The CommonMark parser, made when first needed: markdown-it is not needed to start."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


@dataclass(frozen=True, slots=True)
class _Block:
    text: Text
    listed: bool  # a list item: separated from the next item by one line break only


def markdown_text(source: str) -> Text:
    """``source`` (Markdown) as rich text, one paragraph, heading or list item per line.

    Args:
        source: the Markdown text.

    Returns:
        The text: paragraphs and headings separated by a blank line, list items by a line break.
    """
    blocks: list[_Block] = []
    lists: list[str] = []  # the kind of each open list, innermost last
    heading, prefix = False, ""
    for token in _parser().parse(source):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append(kind)
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            indent = "  " * (len(lists) - 1)
            prefix = f"{indent}{token.info}. " if lists[-1] == "ordered_list_open" else f"{indent}\u2022 "
        elif kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind == "inline":
            blocks.append(_Block(Text.of(prefix, _inline(token.children or [], heading)), bool(lists)))
            prefix = ""
        elif kind in ("fence", "code_block"):
            blocks.append(_Block(Text.of(code(token.content.rstrip("\n"))), False))
        elif kind == "html_block":
            blocks.append(_Block(Text.of(token.content.strip()), False))
    pieces: list[Text | str] = []
    for index, block in enumerate(blocks):
        if index:
            pieces.append("\n" if block.listed and blocks[index - 1].listed else "\n\n")
        pieces.append(block.text)
    return Text.of(*pieces)


def _inline(children: Sequence[Token], heading: bool) -> Text:
    spans: list[Span] = []
    strong, emphasis, href = 0, 0, None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            strong += 1
        elif kind == "strong_close":
            strong -= 1
        elif kind == "em_open":
            emphasis += 1
        elif kind == "em_close":
            emphasis -= 1
        elif kind == "link_open":
            href = str(child.attrGet("href") or "") or None
        elif kind == "link_close":
            href = None
        elif kind == "code_inline":
            spans.append(code(child.content))
        elif kind == "softbreak":
            spans.append(Span(" "))
        elif kind == "hardbreak":
            spans.append(Span("\n"))
        elif kind in ("text", "html_inline", "image"):
            text = child.content
            if href is not None:
                spans.append(Span(text, Style.LINK, href))
            elif strong or heading:
                spans.append(Span(text, Style.BOLD))
            elif emphasis:
                spans.append(Span(text, Style.ITALIC))
            else:
                spans.append(Span(text))
    return Text.of(*spans)
