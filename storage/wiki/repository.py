"""The wiki: entries, their translations, their search index, and search.

Every write goes through :class:`WikiRepository`, which keeps ``wiki_search`` (the
folded words the full-text index sees, see :mod:`storage.wiki.search`) in step with the
entry, and bumps ``wiki.version`` so the in-memory vocabulary for typo tolerance knows
to rebuild (:mod:`storage.wiki.vocabulary`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Self

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WikiEntry, WikiSearchDocument, WikiTranslation
from storage.repository import Shared
from storage.state import StateStore
from storage.wiki.data import WikiEntryData, WikiTranslationData
from storage.wiki.query import WikiKind, WikiQuery, entry_facets, index_text
from storage.wiki.search import ranked_ids
from storage.wiki.vocabulary import WikiVocabulary

#: Fewer results than this and the search also tries corrected words.
FEW_RESULTS = 3
VERSION_KEY = "wiki.version"
#: What the search index holds; bump when it changes, and every entry is indexed again at
#: the next start (2: an entry's country also indexes its UN M49 region; 3: Chinese and
#: Japanese as character bigrams, Arabic spelling variants folded).
INDEX_FORMAT = 3
_INDEX_FORMAT_KEY = "wiki.index_format"


@dataclass(frozen=True, slots=True)
class SearchPage:
    """One page of search results.

    Attributes:
        query: the query that produced ``entries`` (with corrected words if ``corrected``).
        entries: this page's entries, in result order.
        total: how many results there are (ranked ones, see ``capped``).
        capped: there are more matches than were ranked.
        suggestion: corrected words that find more ("did you mean ..."), if any.
        corrected: ``entries`` are the suggestion's results (the words as typed found none).
    """

    query: WikiQuery
    entries: tuple[WikiEntry, ...]
    total: int
    capped: bool = False
    suggestion: str | None = None
    corrected: bool = False


@dataclass(frozen=True, slots=True)
class LocalizedEntry:
    """An entry as shown to a reader: in their language when translated."""

    title: str
    summary: str
    body: str
    language: str
    translated: bool


def localized(entry: WikiEntry, locale: str) -> LocalizedEntry:
    """``entry`` in ``locale`` if it is written or translated in it, else as written."""
    wanted = locale.split("-")[0].lower()
    if entry.language != wanted:
        for translation in entry.translations:
            if translation.language == wanted:
                return LocalizedEntry(translation.title, translation.summary, translation.body, wanted, True)
    return LocalizedEntry(entry.title, entry.summary, entry.body, entry.language, False)


class WikiRepository:
    """Reads, writes and searches the wiki within one unit of work."""

    @classmethod
    def open(cls, session: AsyncSession, shared: Shared) -> Self:
        """The repository on ``session``, with the bot's wiki words (typo tolerance)."""
        return cls(session, shared.get(WikiVocabulary))

    def __init__(self, session: AsyncSession, vocabulary: WikiVocabulary | None = None) -> None:
        self.session = session
        self.vocabulary = vocabulary

    # -- reading ------------------------------------------------------------------------

    async def get(self, slug: str) -> WikiEntry | None:
        return await self.session.scalar(select(WikiEntry).where(WikiEntry.slug == slug))

    async def get_by_id(self, entry_id: int) -> WikiEntry | None:
        return await self.session.get(WikiEntry, entry_id)

    async def count_by_kind(self) -> dict[str, int]:
        """How many entries there are of each kind (kinds with none are left out)."""
        rows = await self.session.execute(
            select(WikiEntry.kind, func.count()).group_by(WikiEntry.kind).order_by(WikiEntry.kind)
        )
        return {kind: count for kind, count in rows}

    async def all(self, batch: int = 500) -> AsyncIterator[WikiEntry]:
        """Every entry, by slug (for export), loaded ``batch`` at a time."""
        last = ""
        while True:
            entries = list(
                await self.session.scalars(
                    select(WikiEntry).where(WikiEntry.slug > last).order_by(WikiEntry.slug).limit(batch)
                )
            )
            for entry in entries:
                yield entry
            if len(entries) < batch:
                return
            last = entries[-1].slug

    async def version(self) -> int:
        """A number that changes whenever the wiki does."""
        return int(await StateStore(self.session).get(VERSION_KEY, 0))

    async def reindex_if_stale(self, now: datetime) -> int:
        """Index every entry again if the index was built in an older format (see :data:`INDEX_FORMAT`).

        Returns:
            How many entries were indexed again.
        """
        state = StateStore(self.session)
        if int(await state.get(_INDEX_FORMAT_KEY, 1)) >= INDEX_FORMAT:
            return 0
        count = 0
        batch: list[WikiEntry] = []
        async for entry in self.all():
            batch.append(entry)
            if len(batch) == 500:
                await self._reindex(batch, now)
                count, batch = count + len(batch), []
        await self._reindex(batch, now)
        count += len(batch)
        await state.set(_INDEX_FORMAT_KEY, INDEX_FORMAT, now)
        return count

    # -- writing ------------------------------------------------------------------------

    async def upsert(self, data: WikiEntryData, now: datetime) -> tuple[WikiEntry, bool]:
        """Create the entry with ``data.slug`` or replace what it holds.

        Returns:
            The entry, and whether it was created.
        """
        return (await self.upsert_many([data], now))[0]

    async def upsert_many(
        self, items: Sequence[WikiEntryData], now: datetime
    ) -> list[tuple[WikiEntry, bool]]:
        """:meth:`upsert` each of ``items`` in turn, with one query, two flushes and one version bump.

        An import writes entries a batch at a time: read one by one, each entry cost a
        query for its slug, another for its search document, three flushes and a version
        bump (about 4 ms; the sample wiki's 42 entries were a sixth of a new bot's start).

        Returns:
            Each entry, and whether it was created (a slug given twice is created once,
            then replaced, as by two calls of :meth:`upsert`).
        """
        slugs = {data.slug for data in items}
        found = await self.session.scalars(select(WikiEntry).where(WikiEntry.slug.in_(slugs)))
        entries = {entry.slug: entry for entry in found}
        written: list[tuple[WikiEntry, bool]] = []
        for data in items:
            entry = entries.get(data.slug)
            if entry is None:
                entry = entries[data.slug] = WikiEntry(slug=data.slug, translations=[])
                self.session.add(entry)
                written.append((entry, True))
            else:
                written.append((entry, False))
            _assign(entry, data, now)
        await self.session.flush()
        await self._reindex(list({id(entry): entry for entry, _ in written}.values()), now)
        return written

    async def update(self, entry: WikiEntry, changes: dict[str, Any], now: datetime) -> WikiEntry:
        """Change some fields of ``entry``, validated like an import.

        Raises:
            pydantic.ValidationError: a value is not acceptable.
        """
        data = WikiEntryData.model_validate({**as_data(entry).model_dump(), **changes})
        _assign(entry, data, now)
        await self.session.flush()
        await self._reindex([entry], now)
        return entry

    async def delete(self, entry: WikiEntry, now: datetime) -> None:
        await self.session.execute(delete(WikiSearchDocument).where(WikiSearchDocument.entry_id == entry.id))
        await self.session.delete(entry)
        await self.session.flush()
        await self._bump(now)

    async def _reindex(self, entries: Sequence[WikiEntry], now: datetime) -> None:
        """Write each of ``entries``' search document (one query, one flush), then bump the version."""
        if not entries:
            return
        ids = [entry.id for entry in entries]
        found = await self.session.scalars(
            select(WikiSearchDocument).where(WikiSearchDocument.entry_id.in_(ids))
        )
        documents = {document.entry_id: document for document in found}
        for entry in entries:
            document = documents.get(entry.id)
            if document is None:
                document = WikiSearchDocument(entry_id=entry.id)
                self.session.add(document)
            translations = list(entry.translations)
            texts: list[WikiEntry | WikiTranslation] = [entry, *translations]
            document.title = index_text(" ".join(t.title for t in texts))
            document.tags = index_text(" ".join(entry.tags))
            document.summary = index_text(" ".join(t.summary for t in texts))
            document.body = index_text(" ".join(t.body for t in texts))
            document.facets = entry_facets(
                entry.kind, entry.region, entry.country, [entry.language, *(t.language for t in translations)]
            )
        await self.session.flush()
        await self._bump(now)

    async def _bump(self, now: datetime) -> None:
        state = StateStore(self.session)
        await state.set(VERSION_KEY, int(await state.get(VERSION_KEY, 0)) + 1, now)

    # -- searching ----------------------------------------------------------------------

    async def search(
        self, text: str | WikiQuery, today: date, *, offset: int = 0, limit: int = 5
    ) -> SearchPage:
        """Search for what a user typed, or a query parsed with their filter names.

        See :mod:`storage.wiki.search` for the contract.

        Never raises on any ``text``. With few results, words no title or tag contains
        are corrected (when a vocabulary is given) and the corrected search is offered
        as a suggestion, or used when the words as typed found nothing.
        """
        query = text if isinstance(text, WikiQuery) else WikiQuery.parse(text)
        needed = offset + limit
        ranked = await ranked_ids(self.session, query, today, needed=needed)
        suggestion: str | None = None
        corrected = False
        if len(ranked.ids) < FEW_RESULTS and query.words and self.vocabulary is not None:
            await self.vocabulary.refresh(self.session, await self.version())
            fixed = tuple(dict.fromkeys(self.vocabulary.correct(word) or word for word in query.words))
            if fixed != query.words:
                retry_query = query.with_words(fixed)
                retry = await ranked_ids(self.session, retry_query, today, needed=needed)
                if len(retry.ids) > len(ranked.ids):
                    suggestion = " ".join(fixed)
                    if not ranked.ids:
                        query, ranked, corrected = retry_query, retry, True
        page_ids = ranked.ids[offset : offset + limit]
        return SearchPage(
            query=query,
            entries=tuple(await self._load(page_ids)),
            total=len(ranked.ids),
            capped=ranked.capped,
            suggestion=suggestion,
            corrected=corrected,
        )

    async def _load(self, ids: tuple[int, ...]) -> list[WikiEntry]:
        if not ids:
            return []
        found = {e.id: e for e in await self.session.scalars(select(WikiEntry).where(WikiEntry.id.in_(ids)))}
        return [found[i] for i in ids if i in found]


def _assign(entry: WikiEntry, data: WikiEntryData, now: datetime) -> None:
    entry.kind = data.kind.value
    entry.title = data.title
    entry.summary = data.summary
    entry.body = data.body
    entry.link = data.link
    entry.tags = list(data.tags)
    entry.region = data.region
    entry.country = data.country
    entry.language = data.language
    entry.deadline = data.deadline
    entry.updated_at = now
    existing = {t.language: t for t in entry.translations}
    wanted = {t.language: t for t in data.translations}
    for language, translation in existing.items():
        if language not in wanted:
            entry.translations.remove(translation)
    for language, given in wanted.items():
        target = existing.get(language)
        if target is None:
            target = WikiTranslation(language=language)
            entry.translations.append(target)
        target.title, target.summary, target.body = given.title, given.summary, given.body


def as_data(entry: WikiEntry) -> WikiEntryData:
    """What ``entry`` holds, as the data an import would give (for export and edits)."""
    return WikiEntryData(
        kind=WikiKind(entry.kind),
        slug=entry.slug,
        title=entry.title,
        summary=entry.summary,
        body=entry.body,
        link=entry.link,
        tags=tuple(entry.tags),
        region=entry.region,
        country=entry.country,
        language=entry.language,
        deadline=entry.deadline,
        translations=tuple(
            WikiTranslationData(language=t.language, title=t.title, summary=t.summary, body=t.body)
            for t in sorted(entry.translations, key=lambda t: t.language)
        ),
    )
