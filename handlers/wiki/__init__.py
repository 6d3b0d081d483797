"""The wiki: search and reading, the moderators' guided entry form, import and export files.

* :mod:`~handlers.wiki.commands` — ``/wiki`` search and reading; ``/wiki_edit``, ``/wiki_delete``.
* :mod:`~handlers.wiki.add` — ``/wiki_add``, with its questions in :mod:`~handlers.wiki.form`.
* :mod:`~handlers.wiki.files` — Markdown folders, CSV and JSON files; :mod:`~handlers.wiki.sample` the sample wiki.
"""

from __future__ import annotations

from bot.features import Feature
from handlers.wiki import add, commands
from handlers.wiki.sample import seed_sample_wiki
from storage.wiki.repository import WikiRepository

FEATURE = Feature(
    name="wiki",
    routers=(commands.router, add.router),
    forms=(add.WIKI_ADD_FLOW,),
    repositories=(WikiRepository,),
    seed=seed_sample_wiki,
)
