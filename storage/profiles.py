"""What the bot knows of a person behind an event, and the process-wide cache of it.

Every event resolves its author to a :class:`Profile` (person, language, roles, ban);
:class:`ProfileCache` keeps recent ones so a busy user costs no lookup per message.
:class:`storage.users.UserRepository` makes them and keeps the cache honest.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.core.types import Role, UserRef


@dataclass(frozen=True, slots=True)
class Profile:
    """What the bot knows of a person, resolved from one of their identities.

    Attributes:
        person_id: the person's id.
        identity_id: the identity the lookup came through.
        display_name: the person's name.
        locale: the language the person chose with ``/language``, if any.
        roles: the roles stored for the person (admins from the configuration are not here).
        created: whether this lookup created the person.
        banned: whether the person is banned.
    """

    person_id: int
    identity_id: int
    display_name: str
    locale: str | None
    roles: frozenset[Role]
    created: bool = False
    banned: bool = False

    @property
    def role(self) -> Role:
        """The highest stored role; a person with none is a guest."""
        return max(self.roles, default=Role.GUEST)


#: How long a profile is trusted from cache when other instances share the database.
SHARED_TTL = timedelta(seconds=2)


class ProfileCache:
    """Recently resolved profiles, so a busy user costs no lookup per message.

    An entry is used only while it is younger than ``ttl`` and the platform still
    reports the same name, username and language. Every change made through a
    :class:`UserRepository` that shares this cache forgets the person's entries at once
    (and again when the transaction ends); a change made by another process (the CLI)
    is seen within ``ttl``.

    Args:
        ttl: how long an entry may be used.
        max_size: entries kept; the oldest are dropped first.
    """

    def __init__(self, ttl: timedelta = timedelta(seconds=60), max_size: int = 50_000) -> None:
        self.ttl = ttl
        self.max_size = max_size
        self._entries: dict[str, tuple[UserRef, Profile, datetime]] = {}
        self._keys_of: dict[int, set[str]] = {}

    @classmethod
    def for_shared_database(cls) -> ProfileCache:
        """The cache of an instance beside others: a role, language or ban one of them
        changes is seen by every instance within :data:`SHARED_TTL`."""
        return cls(ttl=SHARED_TTL)

    def get(self, user: UserRef, now: datetime) -> Profile | None:
        entry = self._entries.get(user.key)
        if entry is None:
            return None
        seen_as, profile, cached_at = entry
        if now - cached_at >= self.ttl or seen_as != user:
            self._drop(user.key)
            return None
        return profile

    def put(self, user: UserRef, profile: Profile, now: datetime) -> None:
        if len(self._entries) >= self.max_size:
            self._drop(next(iter(self._entries)))
        self._entries[user.key] = (user, replace(profile, created=False), now)
        self._keys_of.setdefault(profile.person_id, set()).add(user.key)

    def forget(self, person_id: int) -> None:
        """Drop every entry of a person (their roles, language or identities changed)."""
        for key in self._keys_of.pop(person_id, set()):
            self._entries.pop(key, None)

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            keys = self._keys_of.get(entry[1].person_id)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_of[entry[1].person_id]
