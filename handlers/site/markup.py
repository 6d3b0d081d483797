"""Markdown to HTML for the site, and long content cut into pages that stay small.

Wiki bodies and the Terms of Reference are Markdown (CommonMark, markdown-it-py). Raw
HTML in them is escaped, never passed through: an entry cannot add a script, a style or
an external image to the site. Headings move one level down, so that the page's own
title stays its only ``h1``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from markdown_it import MarkdownIt
from markupsafe import Markup

_PARSER = MarkdownIt("commonmark", {"html": False}).disable("image")

T = TypeVar("T")


def markdown_html(source: str) -> Markup:
    """``source`` (Markdown) as safe HTML, its headings one level down (``#`` is ``h2``)."""
    tokens = _PARSER.parse(source)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
    return Markup(_PARSER.renderer.render(tokens, _PARSER.options, {}))  # escaped by markdown-it


def paragraphs(source: str, budget: int) -> list[str]:
    """``source`` cut at blank lines into parts of at most ``budget`` bytes (a longer
    paragraph is cut at a line break, else anywhere), for a body too long for one page."""
    parts: list[str] = []
    for block in source.split("\n\n"):
        while len(block.encode()) > budget:
            head = block.encode()[:budget].decode(errors="ignore")
            cut = head.rfind("\n")
            head = head[:cut] if cut > 0 else head
            parts.append(head)
            block = block[len(head) :].lstrip("\n")
        parts.append(block)
    return parts


def chunked(items: Sequence[T], size: Callable[[T], int], budget: int) -> list[list[T]]:
    """``items`` in order, grouped so each group's ``size`` stays within ``budget`` (a
    single larger item is a group of its own); never an empty list of groups."""
    groups: list[list[T]] = [[]]
    used = 0
    for item in items:
        cost = size(item)
        if groups[-1] and used + cost > budget:
            groups.append([])
            used = 0
        groups[-1].append(item)
        used += cost
    return groups
