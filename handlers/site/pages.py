"""Which pages the site has, and what each one shows, the same in every language.

Every page exists under each language's folder at the same path (``wiki/<slug>.html``,
``kind/training.html``...), so a page's other languages are found by its path alone
(hreflang, the language switch). A page's :class:`PageSpec` holds what it shows; its
template puts it in the reader's language (see :mod:`handlers.site.build`).

Long lists and long texts are cut into pages (``kind/training.p2.html``) so that every
page stays well under 50 KB: :data:`LIST_PAGE` entries a page, :data:`TEXT_BUDGET`
bytes of a wiki body or of quoted replies.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from handlers.site.data import PublishedDialogue, PublishedEntry, PublishedPrompt
from handlers.site.markup import chunked, paragraphs
from storage.dialogues.quotes import QuotableReply
from storage.regions import REGIONS, region_of
from storage.wiki.query import WikiKind, fold, regions_named_in

#: Entries listed on one index page.
LIST_PAGE = 40
#: Bytes of a wiki body, or of a dialogue's quoted replies, on one page.
TEXT_BUDGET = 30_000


@dataclass(frozen=True, slots=True)
class Pager:
    """Where a page is among the pages one list or text was cut into."""

    number: int
    count: int
    previous: str | None
    next: str | None


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page: its path under a language's folder, its template and what it shows."""

    path: str
    template: str
    data: dict[str, Any] = field(default_factory=dict)


def numbered(base: str, number: int) -> str:
    """The path of page ``number`` of ``base`` (``kind/training`` → ``kind/training.p2.html``)."""
    return f"{base}.html" if number == 1 else f"{base}.p{number}.html"


def pagers(base: str, count: int) -> list[Pager]:
    """The pagers of ``count`` pages of ``base``."""
    return [
        Pager(
            number,
            count,
            numbered(base, number - 1) if number > 1 else None,
            numbered(base, number + 1) if number < count else None,
        )
        for number in range(1, count + 1)
    ]


def entry_regions(entry: PublishedEntry) -> list[str]:
    """The UN M49 regions an entry is in: its country's, and those its free-text region names."""
    found = [region_of(entry.country)] if entry.country else []
    found += regions_named_in(entry.region or "")
    return [code for code in REGIONS if code in found]


def _listing(base: str, heading: dict[str, str], entries: Sequence[PublishedEntry]) -> list[PageSpec]:
    pages = [list(entries[at : at + LIST_PAGE]) for at in range(0, max(len(entries), 1), LIST_PAGE)]
    return [
        PageSpec(
            numbered(base, pager.number),
            "listing.html",
            {"heading": heading, "entries": shown, "pager": pager},
        )
        for shown, pager in zip(pages, pagers(base, len(pages)), strict=True)
    ]


def _entry_pages(entry: PublishedEntry) -> list[PageSpec]:
    """An entry's page, or pages when its body (in its longest language) is too long for one."""
    bodies = {language: paragraphs(text.body, TEXT_BUDGET) for language, text in entry.texts.items()}
    parts = {
        language: [
            "\n\n".join(group) for group in chunked(found, lambda part: len(part.encode()) + 2, TEXT_BUDGET)
        ]
        for language, found in bodies.items()
    }
    count = max(len(found) for found in parts.values())
    base = f"wiki/{entry.slug}"
    return [
        PageSpec(
            numbered(base, pager.number),
            "entry.html",
            {
                "entry": entry,
                "bodies": {
                    lang: found[pager.number - 1] if pager.number <= len(found) else ""
                    for lang, found in parts.items()
                },
                "regions": entry_regions(entry),
                "pager": pager,
            },
        )
        for pager in pagers(base, count)
    ]


def _quote_size(item: tuple[PublishedPrompt, list[QuotableReply]]) -> int:
    prompt, quotes = item
    return (
        600
        + sum(len(text.encode()) for text in prompt.text.values()) // 3
        + sum(len(quote.text.encode()) + len(quote.author.encode()) + 120 for quote in quotes)
    )


def _dialogue_pages(dialogue: PublishedDialogue) -> list[PageSpec]:
    """A dialogue's archive: its prompts in order, the quoted replies cut into pages if many."""
    items: list[tuple[PublishedPrompt, list[QuotableReply]]] = []
    for prompt in dialogue.prompts:
        groups = chunked(prompt.quotes, lambda quote: len(quote.text.encode()) + 200, TEXT_BUDGET)
        items += [(prompt, group) for group in groups]
    pages = chunked(items, _quote_size, TEXT_BUDGET)
    base = f"dialogue/{dialogue.id}"
    return [
        PageSpec(
            numbered(base, pager.number),
            "dialogue.html",
            {"dialogue": dialogue, "items": shown, "pager": pager},
        )
        for shown, pager in zip(pages, pagers(base, len(pages)), strict=True)
    ]


def site_pages(entries: Sequence[PublishedEntry], dialogues: Sequence[PublishedDialogue]) -> list[PageSpec]:
    """Every page of one language's folder, by path."""
    ordered = sorted(entries, key=lambda entry: (fold(entry.text(entry.language).title), entry.slug))
    kinds = Counter(entry.kind for entry in ordered)
    kind_counts = [(kind.value, kinds[kind.value]) for kind in WikiKind if kinds[kind.value]]
    by_region: dict[str, list[PublishedEntry]] = {code: [] for code in REGIONS}
    by_country: dict[str, list[PublishedEntry]] = {}
    for entry in ordered:
        for code in entry_regions(entry):
            by_region[code].append(entry)
        if entry.country:
            by_country.setdefault(entry.country, []).append(entry)
    by_status = {
        status: [d for d in dialogues if d.status == status] for status in ("open", "scheduled", "closed")
    }
    pages = [
        PageSpec(
            "index.html",
            "home.html",
            {
                "open_dialogues": by_status["open"],
                "upcoming_dialogues": by_status["scheduled"],
                "closed_dialogues": sorted(
                    by_status["closed"], key=lambda d: (d.start_date, d.id), reverse=True
                ),
                "kinds": kind_counts,
            },
        ),
        PageSpec("terms.html", "terms.html"),
        PageSpec(
            "wiki/index.html",
            "wiki.html",
            {
                "kinds": kind_counts,
                "regions": [(code, len(found)) for code, found in by_region.items() if found],
                "countries": sorted((code, len(found)) for code, found in by_country.items()),
            },
        ),
    ]
    for kind, _ in kind_counts:
        pages += _listing(f"kind/{kind}", {"kind": kind}, [e for e in ordered if e.kind == kind])
    for code, found in by_region.items():
        if found:
            pages += _listing(f"region/{code}", {"region": code}, found)
    for code, found in sorted(by_country.items()):
        pages += _listing(f"country/{code.lower()}", {"country": code}, found)
    for entry in ordered:
        pages += _entry_pages(entry)
    for dialogue in dialogues:
        if dialogue.status in ("open", "closed"):
            pages += _dialogue_pages(dialogue)
    return pages
