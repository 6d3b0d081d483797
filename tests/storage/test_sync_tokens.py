"""Sync tokens kept in the database, on every storage backend."""

from __future__ import annotations

from storage.db import Database
from storage.sync_tokens import KEY_LENGTH, StoredSyncTokens


async def test_a_token_is_kept_per_platform_and_account(db: Database) -> None:
    tokens = StoredSyncTokens(db, "matrix")
    assert await tokens.load("@copbot:example.org") is None

    await tokens.save("@copbot:example.org", "s1_1")
    await tokens.save("@copbot:example.org", "s2_7")  # the later confirmation replaces it
    await tokens.save("@other:example.org", "s9_9")

    assert await tokens.load("@copbot:example.org") == "s2_7"
    assert await StoredSyncTokens(db, "matrix").load("@other:example.org") == "s9_9"
    assert await StoredSyncTokens(db, "elsewhere").load("@copbot:example.org") is None


async def test_an_account_too_long_for_the_key_is_named_by_its_digest(db: Database) -> None:
    tokens = StoredSyncTokens(db, "matrix")
    long = "@" + "a" * KEY_LENGTH + ":example.org"
    longer = long.replace(":", "b:")  # the same first hundred characters
    await tokens.save(long, "s1")
    await tokens.save(longer, "s2")
    assert (await tokens.load(long), await tokens.load(longer)) == ("s1", "s2")
