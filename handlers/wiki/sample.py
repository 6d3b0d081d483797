"""The sample wiki (entries of every kind, in several languages) loaded by the embedded default (console + SQLite).

Sample data is clearly fictional and loaded once: a version marker in ``bot_state``
makes seeding idempotent, and a deployment turns it off with ``COPBOT_SAMPLE_DATA=false``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.core.clock import Clock
from handlers.wiki.files import Problem, import_entries, read_entries
from storage.db import Database
from storage.state import StateStore

log = logging.getLogger(__name__)

WIKI_DIR = Path(__file__).parent / "sample"
#: Bump when the sample wiki changes (entries are upserted by slug).
WIKI_VERSION = 2
_WIKI_STATE_KEY = "sample.wiki"


async def seed_sample_wiki(db: Database, clock: Clock, folder: Path = WIKI_DIR) -> bool:
    """Load the sample wiki unless this version was loaded before.

    Returns:
        Whether anything was loaded.

    Raises:
        ValueError: a sample entry is invalid (a bug in the shipped files).
    """
    async with db.transaction() as session:
        if (await StateStore(session).get(_WIKI_STATE_KEY, 0)) >= WIKI_VERSION:
            return False
    loaded = list(read_entries(folder))
    problems = [str(item) for item in loaded if isinstance(item, Problem)]
    if problems:
        raise ValueError(f"invalid sample wiki entries: {problems}")
    now = clock.now()
    await import_entries(db, loaded, now)
    async with db.transaction() as session:
        await StateStore(session).set(_WIKI_STATE_KEY, WIKI_VERSION, now)
    log.info("loaded the sample wiki from %s", folder)
    return True
