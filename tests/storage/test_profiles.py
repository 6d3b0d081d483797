from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.types import Role, UserRef
from storage.profiles import Profile, ProfileCache

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
ALICE = UserRef("telegram", "1001", "Alice", "es", "alice")


def test_cache_entries_expire_and_follow_what_the_platform_reports() -> None:
    cache = ProfileCache(ttl=timedelta(seconds=60), max_size=2)
    profile = Profile(1, 1, "Alice", None, frozenset({Role.MEMBER}))
    cache.put(ALICE, profile, NOW)
    assert cache.get(ALICE, NOW + timedelta(seconds=59)) == profile
    assert cache.get(ALICE, NOW + timedelta(seconds=60)) is None
    cache.put(ALICE, profile, NOW)
    renamed = UserRef("telegram", "1001", "Alice B.", "es", "alice")
    assert cache.get(renamed, NOW) is None  # a new name must reach the database
    cache.put(ALICE, profile, NOW)
    cache.put(UserRef("console", "b"), Profile(2, 2, "B", None, frozenset()), NOW)
    cache.put(UserRef("console", "c"), Profile(3, 3, "C", None, frozenset()), NOW)
    assert cache.get(ALICE, NOW) is None  # the oldest entry made room
    cache.forget(3)
    assert cache.get(UserRef("console", "c"), NOW) is None
