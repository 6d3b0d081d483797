"""The sample community and wiki loaded by the embedded default (console + SQLite).

Sample data is clearly fictional and loaded once: a version marker in ``bot_state``
makes seeding idempotent, and a deployment turns it off with ``COPBOT_SAMPLE_DATA=false``.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, Field, field_validator

from bot.config import qualify_user_id
from bot.core.clock import Clock
from bot.core.types import Role, UserRef
from storage.db import Database
from storage.state import StateStore
from storage.users import UserRepository

log = logging.getLogger(__name__)

SAMPLE_DIR = Path(__file__).parent / "sample_data"
COMMUNITY_FILE = SAMPLE_DIR / "community.yaml"
#: Bump when the sample community changes, so existing databases get the new one.
COMMUNITY_VERSION = 2
_STATE_KEY = "sample.community"
WIKI_DIR = SAMPLE_DIR / "wiki"
#: Bump when the sample wiki changes (entries are upserted by slug).
WIKI_VERSION = 1
_WIKI_STATE_KEY = "sample.wiki"


class SamplePerson(BaseModel):
    name: str
    locale: str | None = None
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    roles: list[Role] = Field(default_factory=list)
    identities: list[str] = Field(min_length=1)

    @field_validator("roles", mode="before")
    @classmethod
    def _role_names(cls, value: object) -> object:
        if isinstance(value, list):
            return [Role[item.upper()] if isinstance(item, str) else item for item in value]
        return value


class SampleCommunity(BaseModel):
    people: list[SamplePerson]

    @classmethod
    def load(cls, path: Path = COMMUNITY_FILE) -> SampleCommunity:
        return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


async def seed_sample_community(db: Database, clock: Clock, path: Path = COMMUNITY_FILE) -> bool:
    """Load the sample community unless this version was loaded before.

    Returns:
        Whether anything was loaded.
    """
    async with db.transaction() as session:
        state = StateStore(session)
        if (await state.get(_STATE_KEY, 0)) >= COMMUNITY_VERSION:
            return False
        community = SampleCommunity.load(path)
        users = UserRepository(session)
        now = clock.now()
        for person in community.people:
            first, *others = (_user(key, person.name) for key in person.identities)
            person_id = (await users.resolve(first, now)).person_id
            for user in others:
                await users.link(user, person_id, now)
            await users.set_locale(person_id, person.locale)
            record = await users.person(person_id)
            if record is not None and person.country:
                record.country = person.country
            for role in person.roles:
                await users.grant(person_id, role, now)
        await state.set(_STATE_KEY, COMMUNITY_VERSION, now)
    log.info("loaded the sample community from %s", path)
    return True


def _user(key: str, name: str) -> UserRef:
    platform, _, user_id = qualify_user_id(key).partition(":")
    return UserRef(platform, user_id, name)


DIALOGUE_FILE = SAMPLE_DIR / "dialogue.yaml"
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
    from handlers.dialogues.programme import Programme, import_programme, load_programme
    from storage.dialogues.repository import DialogueRepository

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


async def seed_sample_wiki(db: Database, clock: Clock, folder: Path = WIKI_DIR) -> bool:
    """Load the sample wiki unless this version was loaded before.

    Returns:
        Whether anything was loaded.

    Raises:
        ValueError: a sample entry is invalid (a bug in the shipped files).
    """
    from handlers.wiki.files import Problem, import_entries, read_entries

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
