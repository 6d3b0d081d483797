"""Rich text that every platform can render safely.

Handlers never write HTML or Markdown. They build a :class:`Text` out of spans (plain,
bold, italic, code, link) and each platform renders it: the console as plain text,
Telegram and Matrix as HTML with every span escaped. A translated template is filled
with :func:`fill`, which inserts values as spans, so neither a user's answer nor a
translator's string can ever inject markup.

In a sentence written right to left (Arabic…), :func:`fill` wraps every inserted value
in Unicode isolates (FSI U+2068 … PDI U+2069), so a Latin name, a number, a command or
an address keeps its own direction without scrambling the line, and marks the
paragraph right to left (RLM U+200F) when it would otherwise start with a Latin word.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
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

#: FIRST STRONG ISOLATE: what follows, up to :data:`PDI`, takes its own direction.
FSI = "\u2068"
#: POP DIRECTIONAL ISOLATE: ends the isolate :data:`FSI` opened.
PDI = "\u2069"
#: RIGHT-TO-LEFT MARK: an invisible right-to-left letter that sets a paragraph's direction.
RLM = "\u200f"
# Hebrew, Arabic, Syriac, Thaana, N'Ko, Samaritan, Mandaic and the Arabic extensions and
# presentation forms: the scripts people write copbot's right-to-left languages in.
_RTL_LETTER = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")


def is_rtl_text(text: str) -> bool:
    """Whether ``text`` is written in a right-to-left script (it has such a letter)."""
    return _RTL_LETTER.search(text) is not None


def fill(template: str, values: Mapping[str, object], *, rtl: bool | None = None) -> Text:
    """Fill ``{name}`` placeholders of a translated template with values as spans.

    Values that are not :class:`Span` or :class:`Text` are converted with ``str`` and
    inserted as plain text. Unknown placeholders are left as they are, so a translator's
    typo shows up in the message instead of crashing the handler.

    In a right-to-left sentence each value is isolated (:data:`FSI` … :data:`PDI`), and a
    sentence that would start with anything but a right-to-left letter starts with
    :data:`RLM`, so that it reads right to left whatever the values are.

    Args:
        template: the translated sentence.
        values: what to put in its placeholders.
        rtl: whether the sentence is right to left. By default, whether the template
            is written in a right-to-left script (so every catalog's sentences, and
            only those, are isolated, whoever fills them); a template with no letters
            of its own (``{field}: {answer}``) takes the direction of the first letter
            of its values, as Unicode's paragraph rule does.
    """
    if rtl is None:
        rtl = _reads_right_to_left(template, values)
    parts: list[Fragment] = []
    kept = ""  # text up to the next placeholder that is filled
    for before, name in _parsed(template):
        if name is None:
            parts.append(kept + before)
        elif name in values:
            parts.append(kept + before)
            kept = ""
            value = values[name]
            inserted = value if isinstance(value, Span | Text) else str(value)
            parts.extend((FSI, inserted, PDI) if rtl else (inserted,))
        else:
            kept += f"{before}{{{name}}}"
    filled = Text.of(*parts)
    if rtl and filled and not _RTL_LETTER.match(str(filled)):
        return Text.of(RLM, filled)
    return filled


@lru_cache(maxsize=4096)
def _parsed(template: str) -> tuple[tuple[str, str | None], ...]:
    """The template as (text before, placeholder) pairs, ending with (the rest, ``None``).

    Templates are the catalogs' sentences, a bounded set: each is parsed once.
    """
    pieces: list[tuple[str, str | None]] = []
    position = 0
    for match in _PLACEHOLDER.finditer(template):
        pieces.append((template[position : match.start()], match.group(1)))
        position = match.end()
    pieces.append((template[position:], None))
    return tuple(pieces)


@lru_cache(maxsize=4096)
def _own_direction(template: str) -> bool | None:
    """Whether the template's own letters read right to left; ``None`` if it has none."""
    own = _PLACEHOLDER.sub("", template)
    if _RTL_LETTER.search(own):
        return True
    if any(character.isalpha() for character in own):
        return False
    return None


def _reads_right_to_left(template: str, values: Mapping[str, object]) -> bool:
    own = _own_direction(template)
    if own is not None:
        return own
    for _, name in _parsed(template):
        found = values.get(name, "") if name is not None else ""
        value = found.text if isinstance(found, Span) else str(found)
        letter = next((character for character in value if character.isalpha()), None)
        if letter is not None:
            return _RTL_LETTER.match(letter) is not None
    return False


def bidi_label(label: str) -> str:
    """A button label that reads right to left when it is written so.

    A right-to-left label that starts with something else (a number, a Latin name, an
    arrow) gets a leading :data:`RLM`, so the platform lays it out right to left.
    """
    if is_rtl_text(label) and not _RTL_LETTER.match(label):
        return RLM + label
    return label


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


def split(text: Text, limit: int) -> list[Text]:
    """Split ``text`` into pieces of at most ``limit`` characters, keeping every style.

    Cuts go at the last paragraph break that leaves a piece at least half full, else at
    the last line break, else at the last space; a cut never falls inside a word, and
    falls inside a link only when nothing else fits. The whitespace at a cut is dropped.
    Only a single word longer than ``limit`` is cut inside.

    Args:
        text: what to split.
        limit: the most characters a piece may have (a platform's ``message_limit``).

    Returns:
        The pieces, in order; ``[text]`` when it fits.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    plain = str(text)
    if len(plain) <= limit:
        return [text] if text else []
    in_link = _link_mask(text)
    pieces: list[Text] = []
    start = 0
    while start < len(plain):
        while start < len(plain) and plain[start].isspace():  # a piece never starts blank
            start += 1
        if start == len(plain):
            break
        if len(plain) - start <= limit:
            end, resume = len(plain), len(plain)
        else:
            end = _cut(plain, start, limit, in_link)
            resume = end
            while resume < len(plain) and plain[resume].isspace():
                resume += 1
        while end > start and plain[end - 1].isspace():
            end -= 1
        if end > start:
            pieces.append(_slice(text, start, end))
        start = resume
    return pieces


def _cut(plain: str, start: int, limit: int, in_link: list[bool]) -> int:
    """Where the piece starting at ``start`` ends (the index of the break, or ``start + limit``)."""
    window_end = start + limit
    half = start + limit // 2
    for separator in ("\n\n", "\n"):
        at = plain.rfind(separator, half, window_end + 1)
        if at > start:
            return at
    fallback = -1
    for at in range(window_end, start, -1):
        if plain[at].isspace():
            if not in_link[at]:
                return at
            if fallback < 0:
                fallback = at
    return fallback if fallback > start else window_end


def _link_mask(text: Text) -> list[bool]:
    mask: list[bool] = []
    for span in text.spans:
        mask.extend([span.style is Style.LINK] * len(span.text))
    mask.append(False)
    return mask


def _slice(text: Text, start: int, end: int) -> Text:
    """The characters ``start:end`` of ``text``, each span keeping its style and address."""
    spans: list[Span] = []
    position = 0
    for span in text.spans:
        span_end = position + len(span.text)
        if span_end > start and position < end:
            piece = span.text[max(start - position, 0) : end - position]
            spans.append(Span(piece, span.style, span.url))
        position = span_end
    return Text.of(*spans)


_INLINE = re.compile(
    r"\*\*(?P<bold>[^*\n]+)\*\*"
    r"|(?<![\w*])\*(?P<star>[^*\s](?:[^*\n]*[^*\s])?)\*(?!\w)"
    r"|(?<!\w)_(?P<under>[^_\s](?:[^_\n]*[^_\s])?)_(?!\w)"
    r"|`(?P<code>[^`\n]+)`"
    r"|\[(?P<label>[^\]\n]+)\]\((?P<url>(?:https?://|mailto:)[^)\s]+)\)"
)
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")


def from_markdown(source: str) -> Text:
    """Read the everyday subset of Markdown into styled text.

    Headings become bold lines, list markers bullets; ``**bold**``, ``*italic*``,
    ``_italic_``, ``` `code` ``` and ``[label](https://...)`` become spans. Anything
    else (tables, HTML) stays as written: it is text, and platforms escape it.
    """
    lines: list[Text] = []
    for line in source.splitlines():
        if _HEADING.match(line):
            lines.append(Text.of(Span(_HEADING.sub("", line).strip(), Style.BOLD)))
            continue
        line = _BULLET.sub(lambda match: f"{match.group(1)}• ", line)
        parts: list[Fragment] = []
        position = 0
        for match in _INLINE.finditer(line):
            parts.append(line[position : match.start()])
            if match.group("bold"):
                parts.append(Span(match.group("bold"), Style.BOLD))
            elif match.group("star") or match.group("under"):
                parts.append(Span(match.group("star") or match.group("under"), Style.ITALIC))
            elif match.group("code"):
                parts.append(Span(match.group("code"), Style.CODE))
            else:
                parts.append(Span(match.group("label"), Style.LINK, match.group("url")))
            position = match.end()
        parts.append(line[position:])
        lines.append(Text.of(*parts))
    return Text.join("\n", lines)
