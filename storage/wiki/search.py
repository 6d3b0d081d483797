"""Ranked full-text search of the wiki, one implementation per database, one contract.

The contract, on SQLite (FTS5) and PostgreSQL (tsvector + GIN) alike:

* an entry matches when every query word occurs in its title, tags, summary or body
  (its own or a translation's), and it carries every filter word (kind, region,
  language); opportunities whose deadline has passed are left out unless asked for;
* entries whose *title* holds every word come first, then the others; within each group
  the most relevant first (title > tags > summary > body: bm25 with column weights on
  SQLite, ``ts_rank`` over weights A-D on PostgreSQL), ties newest first;
* ranking is bounded, so a query's cost does not grow with the wiki:

  - a group with more than :data:`RANK_CAP` matches has only its :data:`RANK_CAP`
    newest ranked (``capped`` tells);
  - a group is ordered newest first, without relevance, when a query word is *common*
    (in more than :data:`COMMON` entries, or titles for the title group). FTS5's bm25
    reads the whole list of entries holding each word to weigh it, however few rows
    are ranked: 7 ms for a word in half of 100k entries, where finding the newest 200
    matches takes 0.2 ms (bench/wiki.py). A word that common does not tell entries
    apart anyway; a second word narrows the search;
  - the other (non-title) hits are ranked only when the page shown reaches past the
    title hits.

On SQLite, title hits come from ``wiki_title_fts``, a small index of titles alone, so
finding them never walks the long lists of body words. SQLite statements run on the
event loop's thread like every other (storage/sqlite.py): bounded this way, a search
takes a few milliseconds even over 100k entries (bench/wiki.py), less than a thread
hand-off would save.

The query words reach the database as *terms* (:attr:`storage.wiki.query.WikiQuery.terms`):
a Chinese word as its character bigrams, a Russian word as its stem to match as a
prefix (FTS5 ``"stem"*``, tsquery ``'stem':*``), other words as they are; the indexed
text was prepared by the same rules (:mod:`storage.wiki.scripts`). Every term reaches
the database quoted (FTS5) or as a quoted lexeme (tsquery), and terms are letters and
digits only (:func:`storage.wiki.query.words`), so no user text can be read as query
syntax.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.sqlite import InlineConnection
from storage.wiki.query import WikiQuery
from storage.wiki.scripts import Term

#: The most matches ranked per group (title hits, other hits).
RANK_CAP = 200
#: A word in more entries than this is common: its group is ordered newest first.
COMMON = 2000

_HIDE_EXPIRED = "SELECT id FROM wiki_entries WHERE kind = 'opportunity' AND deadline < :today"


@dataclass(frozen=True, slots=True)
class RankedIds:
    """Entry ids in result order.

    Attributes:
        ids: title hits first, then the others. The first ``needed`` (see
            :func:`ranked_ids`) are in result order; the others may not be ranked.
        capped: some group had more matches than were ranked.
    """

    ids: tuple[int, ...]
    capped: bool


async def ranked_ids(session: AsyncSession, query: WikiQuery, today: date, *, needed: int) -> RankedIds:
    """Run ``query`` on the session's database (see the module's contract).

    Args:
        session: the unit of work's session.
        query: what to find.
        today: opportunities with an earlier deadline are left out (unless asked for).
        needed: how many results must be in order (the end of the page shown).
    """
    if query.is_empty:
        return RankedIds((), False)
    backend: _Backend
    if session.get_bind().dialect.name == "sqlite":
        connection = await session.connection()
        raw = (await connection.get_raw_connection()).driver_connection
        assert isinstance(raw, InlineConnection)
        backend = _SQLite(raw.connection, query, today)
    else:
        backend = _PostgreSQL(session, query, today)
    if not query.words:
        ids = await backend.ids(title_only=False, rank=False)
        return RankedIds(tuple(ids), await backend.more_than_cap(title_only=False))
    title_rank = not await backend.any_common(title_only=True)
    title_ids = await backend.ids(title_only=True, rank=title_rank)
    rest_rank = len(title_ids) < needed and not await backend.any_common(title_only=False)
    all_ids = await backend.ids(title_only=False, rank=rest_rank)
    capped = await backend.more_than_cap(title_only=True) or await backend.more_than_cap(title_only=False)
    seen = set(title_ids)
    return RankedIds(tuple(title_ids) + tuple(i for i in all_ids if i not in seen), capped)


class _Backend(Protocol):
    async def ids(self, *, title_only: bool, rank: bool) -> list[int]:
        """Up to RANK_CAP matches: ranked among the newest RANK_CAP, or newest first."""

    async def more_than_cap(self, *, title_only: bool) -> bool:
        """Whether the group has more than RANK_CAP matches."""

    async def any_common(self, *, title_only: bool) -> bool:
        """Whether some query word is in more than COMMON entries (titles)."""


def fts5_match(terms: Sequence[Term], facets: Sequence[str], columns: str) -> str:
    """An FTS5 MATCH expression: every term and filter quoted, column-filtered."""
    parts = []
    if terms:
        parts.append(f"{{{columns}}} : ({_quoted(terms)})")
    if facets:
        parts.append(f"{{facets}} : ({_quoted([Term(word) for word in facets])})")
    return " AND ".join(parts)


def _quoted(terms: Sequence[Term]) -> str:
    # terms are letters and digits only; doubling quotes keeps that true if it changes
    return " ".join('"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "") for term in terms)


def tsquery_operand(term: Term, weight: str = "") -> str:
    """A term as a ``to_tsquery`` operand: a quoted lexeme, ``:*`` for a prefix, a weight."""
    marks = ("*" if term.prefix else "") + weight
    return f"'{term.text}'" + (f":{marks}" if marks else "")


class _SQLite:
    """FTS5, straight through sqlite3 inside the session's transaction.

    Up to RANK_CAP ids through SQLAlchemy's result machinery cost more than the query.
    """

    def __init__(self, connection: sqlite3.Connection, query: WikiQuery, today: date) -> None:
        self.connection = connection
        self.query = query
        self.hide = ""
        self.values: dict[str, Any] = {"cap": RANK_CAP}
        if not query.include_expired:
            self.hide = f"AND rowid NOT IN ({_HIDE_EXPIRED})"
            self.values["today"] = today.isoformat()  # how SQLAlchemy stores a Date on SQLite

    def _table(self, title_only: bool) -> tuple[str, str]:
        if title_only:
            return "wiki_title_fts", fts5_match(self.query.terms, self.query.facets, "title")
        return "wiki_fts", fts5_match(self.query.terms, self.query.facets, "title tags summary body")

    def _floor(self, table: str) -> str:
        # the rowid of the match after the RANK_CAP newest (unranked: cheap)
        return (
            f"SELECT rowid FROM {table} WHERE {table} MATCH :match {self.hide} "
            "ORDER BY rowid DESC LIMIT 1 OFFSET :cap"
        )

    async def ids(self, *, title_only: bool, rank: bool) -> list[int]:
        table, match = self._table(title_only)
        if rank:
            weights = "1.0, 0.0" if title_only else "10.0, 5.0, 2.0, 1.0, 0.0"
            sql = (
                f"SELECT rowid FROM {table} WHERE {table} MATCH :match {self.hide} "
                f"AND rowid > coalesce(({self._floor(table)}), 0) "
                f"ORDER BY bm25({table}, {weights}), rowid DESC LIMIT :cap"
            )
        else:
            sql = f"SELECT rowid FROM {table} WHERE {table} MATCH :match {self.hide} ORDER BY rowid DESC LIMIT :cap"
        return [row[0] for row in self.connection.execute(sql, {**self.values, "match": match})]

    async def more_than_cap(self, *, title_only: bool) -> bool:
        table, match = self._table(title_only)
        found = self.connection.execute(self._floor(table), {**self.values, "match": match}).fetchone()
        return found is not None

    async def any_common(self, *, title_only: bool) -> bool:
        table = "wiki_title_fts" if title_only else "wiki_fts"
        sql = f"SELECT rowid FROM {table} WHERE {table} MATCH :match LIMIT 1 OFFSET {COMMON}"
        return any(
            self.connection.execute(sql, {"match": _quoted([term])}).fetchone() is not None
            for term in self.query.terms
        )


class _PostgreSQL:
    """tsvector columns with GIN indexes (see the wiki migration)."""

    def __init__(self, session: AsyncSession, query: WikiQuery, today: date) -> None:
        self.session = session
        self.query = query
        self.values: dict[str, Any] = {"cap": RANK_CAP, "common": COMMON}
        self.extra = ""
        if query.facets:
            self.values["facets"] = " & ".join(f"'{word}'" for word in query.facets)
            self.extra += " AND facet_words @@ to_tsquery('simple'::regconfig, :facets)"
        if not query.include_expired:
            self.extra += f" AND entry_id NOT IN ({_HIDE_EXPIRED})"
            self.values["today"] = today

    def _where(self, title_only: bool) -> tuple[str, dict[str, Any]]:
        if not self.query.words:
            return "true" + self.extra, self.values
        weight = "A" if title_only else ""
        words = " & ".join(tsquery_operand(term, weight) for term in self.query.terms)
        return "document @@ to_tsquery('simple'::regconfig, :words)" + self.extra, {
            **self.values,
            "words": words,
        }

    def _floor(self, where: str) -> str:
        return f"SELECT entry_id FROM wiki_search WHERE {where} ORDER BY entry_id DESC LIMIT 1 OFFSET :cap"

    async def ids(self, *, title_only: bool, rank: bool) -> list[int]:
        where, values = self._where(title_only)
        if rank:
            sql = (
                f"SELECT entry_id FROM wiki_search WHERE {where} "
                f"AND entry_id > coalesce(({self._floor(where)}), 0) "
                "ORDER BY ts_rank(document, to_tsquery('simple'::regconfig, :words)) DESC, entry_id DESC LIMIT :cap"
            )
        else:
            sql = f"SELECT entry_id FROM wiki_search WHERE {where} ORDER BY entry_id DESC LIMIT :cap"
        return list(await self.session.scalars(text(sql), values))

    async def more_than_cap(self, *, title_only: bool) -> bool:
        where, values = self._where(title_only)
        return await self.session.scalar(text(self._floor(where)), values) is not None

    async def any_common(self, *, title_only: bool) -> bool:
        weight = "A" if title_only else ""
        sql = (
            "SELECT 1 FROM wiki_search WHERE document @@ to_tsquery('simple'::regconfig, :word) "
            "OFFSET :common LIMIT 1"
        )
        for term in self.query.terms:
            values = {"word": tsquery_operand(term, weight), "common": COMMON}
            if await self.session.scalar(text(sql), values) is not None:
                return True
        return False
