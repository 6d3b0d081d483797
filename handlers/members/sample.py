"""The sample community (people, their identities and roles) loaded by the embedded default (console + SQLite).

Sample data is clearly fictional and loaded once: a version marker in ``bot_state``
makes seeding idempotent, and a deployment turns it off with ``COPBOT_SAMPLE_DATA=false``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from bot.config import qualify_user_id
from bot.core.clock import Clock
from bot.core.types import Role, UserRef
from bot.core.yaml_text import read_yaml
from storage.db import Database
from storage.state import StateStore
from storage.users import UserRepository

log = logging.getLogger(__name__)

COMMUNITY_FILE = Path(__file__).parent / "sample_community.yaml"
#: Bump when the sample community changes, so existing databases get the new one.
COMMUNITY_VERSION = 2
_STATE_KEY = "sample.community"


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
        return cls.model_validate(read_yaml(path.read_text(encoding="utf-8")))


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
