"""The sample programme (a dialogue and its prompts) loaded by the embedded default (console + SQLite).

Sample data is clearly fictional and loaded once: a version marker in ``bot_state``
makes seeding idempotent, and a deployment turns it off with ``COPBOT_SAMPLE_DATA=false``.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from handlers.dialogues.programme import Programme, import_programme, load_programme
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.state import StateStore

log = logging.getLogger(__name__)

DIALOGUE_FILE = Path(__file__).parent / "sample_dialogue.yaml"
#: Bump when the sample programme changes.
DIALOGUE_VERSION = 1
_DIALOGUE_STATE_KEY = "sample.dialogue"
#: How long after the first start the sample's first prompt is posted.
FIRST_PROMPT_DELAY = timedelta(minutes=3)


async def seed_sample_dialogue(db: Database, clock: Clock, path: Path = DIALOGUE_FILE) -> bool:
    """Load the sample programme unless this version was loaded before.

    The programme is moved in time so that the console demo shows it working: the
    dialogue opened yesterday (so no announcement is due) and its first prompt is
    posted a few minutes after this first start; the others follow weekly.

    Returns:
        Whether anything was loaded.
    """
    async with db.transaction() as session:
        state = StateStore(session)
        if (await state.get(_DIALOGUE_STATE_KEY, 0)) >= DIALOGUE_VERSION:
            return False
        programme = load_programme(path)
        now = clock.now()
        local_now = now.astimezone(ZoneInfo(programme.timezone)).replace(tzinfo=None)
        first = (local_now + FIRST_PROMPT_DELAY).replace(second=0, microsecond=0) + timedelta(minutes=1)
        start = local_now.date() - timedelta(days=1)
        origin = programme.prompts[0].at if programme.prompts else datetime.combine(programme.start, time())
        shifted = Programme.model_validate(
            {
                **programme.model_dump(),
                "start": start,
                "end": start + (programme.end - programme.start),
                "prompts": [
                    {"at": first + (prompt.at - origin), "text": prompt.text} for prompt in programme.prompts
                ],
            }
        )
        await import_programme(DialogueRepository(session), shifted, now, status="open")
        await state.set(_DIALOGUE_STATE_KEY, DIALOGUE_VERSION, now)
    log.info("loaded the sample dialogue from %s", path)
    return True
