"""Ranked full-text search of the wiki, one implementation per database, one contract.

The contract, on SQLite (FTS5) and PostgreSQL (tsvector + GIN) alike:

* an entry matches when every query word occurs in its title, tags, summary or body
  (its own or a translation's), and it carries every filter word (kind, region,
  language); opportunities whose deadline has passed are left out unless asked for;
* entries whose *title* holds every word come first, then the others; within each group
  the most relevant first (title > tags > summary > body), ties newest first;
* ranking is bounded: when a group has more than :data:`RANK_CAP` matches, only its
  :data:`RANK_CAP` newest are ranked (``capped`` tells). Ranking every match of a very
  common word costs ~45-340 ms over 100k entries on SQLite (see bench/wiki.py); finding
  the newest N matches without ranking is a walk down the index (~0.2 ms), so the cost
  of a query stays bounded whatever the word. A word that common does not tell entries
  apart anyway: a second word narrows the search and is ranked in full.

Every word reaches the database quoted (FTS5) or as a quoted lexeme (tsquery), and words
are letters and digits only (:func:`storage.wiki_query.words`), so no user text can be
read as query syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.wiki_query import WikiQuery

#: The most matches ranked per group (title hits, other hits).
RANK_CAP = 500

#: bm25 weights, in the column order of ``wiki_fts``: title, tags, summary, body, facets.
_BM25 = "bm25(wiki_fts, 10.0, 5.0, 2.0, 1.0, 0.0)"

_HIDE_EXPIRED = "SELECT id FROM wiki_entries WHERE kind = 'opportunity' AND deadline < :today"


@dataclass(frozen=True, slots=True)
class RankedIds:
    """Entry ids in result order.

    Attributes:
        ids: title hits first, then the others, each group ranked.
        capped: some group had more matches than were ranked.
    """

    ids: tuple[int, ...]
    capped: bool


async def ranked_ids(session: AsyncSession, query: WikiQuery, today: date) -> RankedIds:
    """Run ``query`` on the session's database (see the module's contract)."""
    if query.is_empty:
        return RankedIds((), False)
    stage = _sqlite_stage if session.get_bind().dialect.name == "sqlite" else _postgresql_stage
    if not query.words:
        ids, capped = await stage(session, query, today, title_only=False)
        return RankedIds(tuple(ids), capped)
    title_ids, title_capped = await stage(session, query, today, title_only=True)
    all_ids, all_capped = await stage(session, query, today, title_only=False)
    seen = set(title_ids)
    return RankedIds(
        tuple(title_ids) + tuple(i for i in all_ids if i not in seen), title_capped or all_capped
    )


def fts5_match(query: WikiQuery, *, title_only: bool) -> str:
    """The FTS5 MATCH expression: every word and filter quoted, column-filtered."""
    parts = []
    if query.words:
        columns = "title" if title_only else "title tags summary body"
        parts.append(f"{{{columns}}} : ({_quoted(query.words)})")
    if query.facets:
        parts.append(f"{{facets}} : ({_quoted(query.facets)})")
    return " AND ".join(parts)


def _quoted(words: Sequence[str]) -> str:
    # words are letters and digits only; doubling quotes keeps that true if it changes
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


async def _sqlite_stage(
    session: AsyncSession, query: WikiQuery, today: date, *, title_only: bool
) -> tuple[list[int], bool]:
    values: dict[str, Any] = {"match": fts5_match(query, title_only=title_only), "cap": RANK_CAP}
    hide = ""
    if not query.include_expired:
        hide = f"AND rowid NOT IN ({_HIDE_EXPIRED})"
        values["today"] = today
    # The rowid of the RANK_CAP-th newest match (unranked: cheap) bounds what is ranked.
    floor = (
        f"SELECT rowid FROM wiki_fts WHERE wiki_fts MATCH :match {hide} "
        "ORDER BY rowid DESC LIMIT 1 OFFSET :cap"
    )
    order = f"{_BM25}, rowid DESC" if query.words else "rowid DESC"
    sql = (
        f"SELECT rowid FROM wiki_fts WHERE wiki_fts MATCH :match {hide} "
        f"AND rowid > coalesce(({floor}), 0) ORDER BY {order} LIMIT :cap"
    )
    ids = list(await session.scalars(text(sql), values))
    return ids, await _more_than_cap(session, floor, values)


async def _postgresql_stage(
    session: AsyncSession, query: WikiQuery, today: date, *, title_only: bool
) -> tuple[list[int], bool]:
    values: dict[str, Any] = {"cap": RANK_CAP}
    conditions = []
    if query.words:
        weight = ":A" if title_only else ""
        values["words"] = " & ".join(f"'{word}'{weight}" for word in query.words)
        conditions.append("document @@ to_tsquery('simple'::regconfig, :words)")
    if query.facets:
        values["facets"] = " & ".join(f"'{word}'" for word in query.facets)
        conditions.append("facet_words @@ to_tsquery('simple'::regconfig, :facets)")
    if not query.include_expired:
        conditions.append(f"entry_id NOT IN ({_HIDE_EXPIRED})")
        values["today"] = today
    where = " AND ".join(conditions)
    floor = f"SELECT entry_id FROM wiki_search WHERE {where} ORDER BY entry_id DESC LIMIT 1 OFFSET :cap"
    if query.words:
        order = "ts_rank(document, to_tsquery('simple'::regconfig, :words)) DESC, entry_id DESC"
    else:
        order = "entry_id DESC"
    sql = (
        f"SELECT entry_id FROM wiki_search WHERE {where} "
        f"AND entry_id > coalesce(({floor}), 0) ORDER BY {order} LIMIT :cap"
    )
    ids = list(await session.scalars(text(sql), values))
    return ids, await _more_than_cap(session, floor, values)


async def _more_than_cap(session: AsyncSession, floor: str, values: dict[str, Any]) -> bool:
    return await session.scalar(text(floor), values) is not None
