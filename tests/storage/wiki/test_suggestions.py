"""Wiki suggestions: stored, listed, decided once, erased with their person, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.types import UserRef
from storage.db import Database
from storage.members.privacy import PersonalData
from storage.users import UserRepository
from storage.wiki.suggestions import SuggestionStatus, WikiSuggestions

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
FIELDS = {"kind": "material", "slug": "toolkit", "title": "Toolkit", "language": "en", "tags": ["a"]}


async def test_a_suggestion_is_decided_once_and_its_reviewer_forgotten_by_name(db: Database) -> None:
    async with db.transaction() as session:
        users = UserRepository(session)
        alice = (await users.resolve(UserRef("console", "alice", "Alice"), NOW)).person_id
        mod = (await users.resolve(UserRef("console", "mod", "Mod"), NOW)).person_id
        suggestions = WikiSuggestions(session)
        first = await suggestions.add(alice, ("console", "alice"), FIELDS, NOW)
        second = await suggestions.add(alice, ("console", "alice"), {**FIELDS, "title": "Other"}, NOW)
        assert await suggestions.count_pending() == 2
        assert await suggestions.decide(first, SuggestionStatus.REJECTED, NOW, (mod, "Mod"), "no")
        # someone deciding again (a second moderator, a double press) is refused
        assert not await suggestions.decide(first, SuggestionStatus.ACCEPTED, NOW, (mod, "Mod"), None)
        assert (first.status, first.reason, first.reviewed_by) == ("rejected", "no", mod)
        assert [s.title for s in await suggestions.pending(10)] == ["Other"]
        assert second.fields == FIELDS | {"title": "Other"}
    async with db.transaction() as session:
        exported = await PersonalData(session).export(alice)
        assert [(s["number"], s["status"]) for s in exported["wiki_suggestions"]] == [
            (first.id, "rejected"),
            (second.id, "pending"),
        ]
        await PersonalData(session).forget(mod, NOW)
    async with db.transaction() as session:
        suggestions = WikiSuggestions(session)
        decided = await suggestions.get(first.id)
        assert decided is not None
        assert decided.reviewed_by is None
        assert decided.reviewed_by_name is not None
        assert decided.reviewed_by_name.startswith("forgotten:")
        await PersonalData(session).forget(alice, NOW)
    async with db.transaction() as session:
        assert await WikiSuggestions(session).get(second.id) is None
        assert await WikiSuggestions(session).count_pending() == 0
