"""The site's search index: one JSON file per language, searched in the reader's browser.

There is no server to ask, so each language's index holds, per wiki entry, its page, its
title in that language, its kind, and its words folded as the bot's own search folds them
(:func:`storage.wiki.query.words`: accents and case dropped, Arabic spelling variants
merged), so ``genero`` finds ``género`` here as in ``/wiki``. ``static/search.js`` folds
the query the same way (NFD, combining marks dropped, lower case, the same Arabic map)
and keeps the entries where every query word starts a word of the entry (is found inside a
Chinese or Japanese run), those with most words in the title first.

The words of each entry are one string, ``" word word ... "``, so that a prefix test is
one ``indexOf(" " + word)``: a 10,000-entry wiki is searched in a few milliseconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from handlers.site.data import PublishedEntry
from storage.wiki.query import words

#: The index format; ``search.js`` refuses another.
FORMAT = 1
#: At most this many distinct words of an entry's body are indexed (the title, tags and
#: summary always are): enough to find an entry by what it is about, small enough to load.
BODY_WORDS = 80


@dataclass(frozen=True, slots=True)
class IndexedPage:
    """One search result's page: where it is, its title and kind, and its words."""

    href: str
    title: str
    kind: str
    title_words: tuple[str, ...]
    words: tuple[str, ...]


def _unique(found: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(found))


def indexed_entry(entry: PublishedEntry, locale: str, href: str, kind_name: str) -> IndexedPage:
    """``entry`` as the index of ``locale`` holds it: its title there, every language's words."""
    text = entry.text(locale)
    title_words = _unique(words(text.title))
    found: list[str] = list(title_words)
    for other in entry.texts.values():
        found += words(other.title) + words(other.summary)
    for tag in entry.tags:
        found += words(tag)
    found += words(kind_name) + words(entry.region or "") + words(entry.country or "")
    body = _unique(word for other in entry.texts.values() for word in words(other.body))
    found += body[:BODY_WORDS]
    return IndexedPage(href, text.title, kind_name, title_words, _unique(found))


def index_json(pages: Iterable[IndexedPage]) -> bytes:
    """The index file: compact, sorted as given (by title), the same bytes for the same pages."""
    listed = list(pages)
    document = {
        "format": FORMAT,
        "href": [page.href for page in listed],
        "title": [page.title for page in listed],
        "kind": [page.kind for page in listed],
        "titleWords": [" " + " ".join(page.title_words) + " " for page in listed],
        "words": [" " + " ".join(page.words) + " " for page in listed],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
