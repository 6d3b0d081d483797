"""Typo tolerance: the words of the wiki's titles and tags, kept in memory.

When a search finds nothing (or little), each query word that no title or tag contains
is replaced by the closest one that does, and the search runs again ("did you mean
...?"). Comparing a word with a few thousand words of similar length is about a
millisecond with rapidfuzz; comparing a query with 100,000 titles would be a hundred.

A word typed as the start of a longer one (``budg``) becomes the most frequent word it
begins. The vocabulary is rebuilt when the wiki changed: every write bumps the
``wiki.version`` value in ``bot_state`` (see :class:`storage.wiki.repository.WikiRepository`),
which works across processes (``copbot wiki import`` while the bot runs).
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from itertools import chain

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WikiSearchDocument
from storage.wiki.scripts import is_cjk

#: A word shorter than this is never corrected (too many near neighbours).
MIN_WORD = 3
#: How similar (0-100, rapidfuzz ``ratio``) a replacement must be.
SIMILARITY = 75.0
#: A prefix completes to at most this many candidates (then the most frequent wins).
PREFIX_SCAN = 5000


class WikiVocabulary:
    """The process-wide index of title and tag words; one per running bot."""

    def __init__(self) -> None:
        self.version: object = None
        self.frequency: dict[str, int] = {}
        self._sorted: list[str] = []
        self._by_shape: dict[tuple[int, int, str], list[str]] = {}

    async def refresh(self, session: AsyncSession, version: object) -> None:
        """Rebuild from the database unless it is already at ``version``."""
        if version == self.version and self.frequency:
            return
        rows = await session.execute(select(WikiSearchDocument.title, WikiSearchDocument.tags))
        # How often each word occurs in titles and tags (Counter counts an iterable in C).
        counts = Counter(chain.from_iterable(f"{title} {tags}".split() for title, tags in rows))
        self.load(counts)
        self.version = version

    def load(self, counts: dict[str, int]) -> None:
        """Replace the vocabulary with ``counts`` (word: how often titles and tags use it)."""
        self.frequency = dict(counts)
        self._sorted = sorted(counts)
        # Candidates share the length (give or take two) and the first or the second
        # letter: a typo rarely changes both, and it keeps the comparisons few.
        by_shape: dict[tuple[int, int, str], list[str]] = defaultdict(list)
        for word in counts:
            by_shape[(len(word), 0, word[0])].append(word)
            if len(word) > 1 and word[1] != word[0]:
                by_shape[(len(word), 1, word[1])].append(word)
        self._by_shape = dict(by_shape)

    def correct(self, word: str) -> str | None:
        """The title or tag word ``word`` was probably meant to be, or ``None``.

        A Chinese or Japanese word is never corrected: the vocabulary holds its bigrams,
        not its words, and it is already found inside longer runs.
        """
        if word in self.frequency or len(word) < MIN_WORD or is_cjk(word):
            return None
        completed = self._complete(word)
        if completed is not None:
            return completed
        candidates = {
            candidate
            for length in range(len(word) - 2, len(word) + 3)
            for position in (0, 1)
            for candidate in self._by_shape.get((length, position, word[position]), ())
        }
        from rapidfuzz import fuzz, process  # imported by the first misspelt word, not at start-up

        matches = process.extract(word, candidates, scorer=fuzz.ratio, score_cutoff=SIMILARITY, limit=8)
        if not matches:
            return None
        best = max(matches, key=lambda match: (match[1], self.frequency[match[0]], match[0]))
        return best[0]

    def _complete(self, prefix: str) -> str | None:
        start = bisect.bisect_left(self._sorted, prefix)
        best: str | None = None
        for candidate in self._sorted[start : start + PREFIX_SCAN]:
            if not candidate.startswith(prefix):
                break
            if best is None or self.frequency[candidate] > self.frequency[best]:
                best = candidate
        return best
