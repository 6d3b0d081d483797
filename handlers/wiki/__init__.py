"""The wiki: search and reading, the guided entry forms and their review, import and export files.

* :mod:`~handlers.wiki.commands` — ``/wiki`` search and reading; ``/wiki_edit``, ``/wiki_delete``.
* :mod:`~handlers.wiki.add` — ``/wiki_add``, with its questions in :mod:`~handlers.wiki.form`.
* :mod:`~handlers.wiki.suggest` — ``/wiki_suggest``: members suggest entries with the same questions;
  :mod:`~handlers.wiki.suggestions` — the moderators review them.
* :mod:`~handlers.wiki.files` — Markdown folders, CSV and JSON files; :mod:`~handlers.wiki.sample` the sample wiki.
"""

from __future__ import annotations

import logging

from bot.features import Feature, Runtime
from handlers.wiki import add, commands, suggest, suggestions
from handlers.wiki.sample import seed_sample_wiki
from storage.wiki.repository import WikiRepository
from storage.wiki.suggestions import WikiSuggestions

log = logging.getLogger(__name__)


async def _index_in_the_current_format(runtime: Runtime) -> None:
    """Index the wiki again once if its search index was built by an older copbot."""
    async with runtime.db.transaction() as session:
        count = await WikiRepository(session).reindex_if_stale(runtime.clock.now())
    if count:
        log.info("indexed %d wiki entries again in the current index format", count)


FEATURE = Feature(
    name="wiki",
    routers=(commands.router, add.router, suggest.router, suggestions.router),
    forms=(add.WIKI_ADD_FLOW, suggest.WIKI_SUGGEST_FLOW),
    repositories=(WikiRepository, WikiSuggestions),
    start=_index_in_the_current_format,
    seed=seed_sample_wiki,
)
