"""Rich text that every platform can render safely.

Handlers never write HTML or Markdown. They build a :class:`Text` out of spans (plain,
bold, italic, code, link) and each platform renders it: the console as plain text,
Telegram and Matrix as HTML with every span escaped. A translated template is filled
with :func:`fill`, which inserts values as spans, so neither a user's answer nor a
translator's string can ever inject markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Union


class Style(Enum):
    PLAIN = "plain"
    BOLD = "bold"
    ITALIC = "italic"
    CODE = "code"
    LINK = "link"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text in one style. ``url`` is set only for links."""

    text: str
    style: Style = Style.PLAIN
    url: str | None = None


Fragment = Union[str, Span, "Text"]


@dataclass(frozen=True, slots=True)
class Text:
    """An immutable sequence of spans; ``str(text)`` is its plain rendering."""

    spans: tuple[Span, ...] = ()

    @classmethod
    def of(cls, *parts: Fragment) -> Text:
        """Concatenate strings (taken as plain text), spans and texts."""
        spans: list[Span] = []
        for part in parts:
            if isinstance(part, Text):
                spans.extend(part.spans)
            elif isinstance(part, Span):
                spans.append(part)
            elif part:
                spans.append(Span(part))
        return cls(tuple(s for s in spans if s.text))

    @classmethod
    def join(cls, separator: Fragment, parts: Iterable[Fragment]) -> Text:
        """Like ``str.join``: ``parts`` with ``separator`` between them."""
        pieces: list[Fragment] = []
        for index, part in enumerate(parts):
            if index:
                pieces.append(separator)
            pieces.append(part)
        return cls.of(*pieces)

    def __add__(self, other: Fragment) -> Text:
        return Text.of(self, other)

    def __radd__(self, other: Fragment) -> Text:
        return Text.of(other, self)

    def __str__(self) -> str:
        return "".join(span.text for span in self.spans)

    def __len__(self) -> int:
        return sum(len(span.text) for span in self.spans)

    def __bool__(self) -> bool:
        return bool(self.spans)


def bold(text: str) -> Span:
    return Span(text, Style.BOLD)


def italic(text: str) -> Span:
    return Span(text, Style.ITALIC)


def code(text: str) -> Span:
    return Span(text, Style.CODE)


def link(text: str, url: str) -> Span:
    return Span(text, Style.LINK, url)


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(template: str, values: Mapping[str, object]) -> Text:
    """Fill ``{name}`` placeholders of a translated template with values as spans.

    Values that are not :class:`Span` or :class:`Text` are converted with ``str`` and
    inserted as plain text. Unknown placeholders are left as they are, so a translator's
    typo shows up in the message instead of crashing the handler.
    """
    parts: list[Fragment] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in values:
            continue
        parts.append(template[position : match.start()])
        value = values[name]
        parts.append(value if isinstance(value, Span | Text) else str(value))
        position = match.end()
    parts.append(template[position:])
    return Text.of(*parts)


def to_html(text: Text) -> str:
    """Render as the HTML subset Telegram and Matrix share, escaping every span."""
    out: list[str] = []
    for span in text.spans:
        body = html.escape(span.text, quote=False)
        if span.style is Style.BOLD:
            out.append(f"<b>{body}</b>")
        elif span.style is Style.ITALIC:
            out.append(f"<i>{body}</i>")
        elif span.style is Style.CODE:
            out.append(f"<code>{body}</code>")
        elif span.style is Style.LINK and span.url:
            out.append(f'<a href="{html.escape(span.url, quote=True)}">{body}</a>')
        else:
            out.append(body)
    return "".join(out)


def to_plain(text: Text) -> str:
    """Render as plain text; links show their address after the label."""
    out: list[str] = []
    for span in text.spans:
        if span.style is Style.LINK and span.url and span.url != span.text:
            out.append(f"{span.text} <{span.url}>")
        else:
            out.append(span.text)
    return "".join(out)
