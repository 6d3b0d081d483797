"""/wiki, /wiki_edit and /wiki_delete on the console, on every storage backend."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.types import Role, UserRef
from storage.audit import AuditLog
from storage.users import UserRepository
from storage.wiki.data import WikiEntryData
from storage.wiki.repository import WikiRepository
from tests.fakes import Harness
from tests.storage.wiki.test_repository import CORPUS, entry

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


async def member(harness: Harness, name: str, role: Role = Role.MEMBER) -> None:
    async with harness.bot.db.transaction() as session:
        users = UserRepository(session)
        person = await users.resolve(UserRef("console", name, name), NOW)
        await users.grant(person.person_id, role, NOW)


async def load(harness: Harness, corpus: list[WikiEntryData] = CORPUS) -> None:
    async with harness.bot.db.transaction() as session:
        wiki = WikiRepository(session)
        for data in corpus:
            await wiki.upsert(data, NOW)


async def test_guests_search_and_read_the_wiki_by_default(harness: Harness) -> None:
    await load(harness)
    lines = await harness.say("/wiki budgeting", as_="guest")
    assert lines[0].startswith("[guest] 1–"), lines
    shown = await harness.say("/wiki in-title", as_="guest")
    assert shown[0] == "[guest] Budgeting basics", shown
    assert (await harness.say("#1", as_="guest"))[0].startswith("[guest] ")
    assert await harness.say("/wiki_edit in-title title X", as_="guest") == [
        "[guest] Sorry, /wiki_edit is for moderators only."
    ]


async def test_wiki_alone_lists_the_kinds_with_counts(harness: Harness) -> None:
    await member(harness, "alice")
    assert await harness.say("/wiki", as_="alice") == ["[alice] The wiki is empty for now."]
    await load(harness)
    lines = await harness.say("/wiki", as_="alice")
    assert lines[:6] == [
        "[alice] The wiki has 8 entries:",
        "  • Institutions: 1",
        "  • Trainings: 1",
        "  • Training materials: 4",
        "  • Opportunities: 2",
        "  Search with /wiki gender budgeting. Filters: kind:training region:africa lang:es all:.",
    ]
    assert lines[6:] == [
        "[#1] Institutions",
        "[#2] Trainings",
        "[#3] Training materials",
        "[#4] Opportunities",
    ]
    lines = await harness.say("#2", as_="alice")
    assert lines[:2] == [
        "[alice] 1–1 of 1 result:",
        "  1. Presupuestos con perspectiva de género (training) — Curso sobre igualdad de género en los presupuestos.",
    ]


async def test_search_pages_through_results_with_buttons(harness: Harness) -> None:
    await member(harness, "alice")
    await load(
        harness, [entry(f"note-{n:02}", f"Note {n}", summary=f"Shared words, number {n}.") for n in range(12)]
    )
    first = await harness.say("/wiki shared", as_="alice")
    assert first[:3] == [
        "[alice] 1–5 of 12 results:",
        "  1. Note 11 (material) — Shared words, number 11.",
        "  2. Note 10 (material) — Shared words, number 10.",
    ]
    assert first[-6:] == ["[#1] 1", "[#2] 2", "[#3] 3", "[#4] 4", "[#5] 5", "[#6] Next ▶"]
    second = await harness.say("#6", as_="alice")
    assert second[0] == "[alice] 6–10 of 12 results:"
    assert second[-2:] == ["[#6] ◀ Previous", "[#7] Next ▶"]
    third = await harness.say("#7", as_="alice")
    assert third[:3] == [
        "[alice] 11–12 of 12 results:",
        "  11. Note 1 (material) — Shared words, number 1.",
        "  12. Note 0 (material) — Shared words, number 0.",
    ]
    assert third[-1] == "[#3] ◀ Previous"
    assert (await harness.say("#3", as_="alice"))[0] == "[alice] 6–10 of 12 results:"
    # choosing a result shows the entry
    assert (await harness.say("#1", as_="alice"))[0] == "[alice] Note 6"


async def test_an_entry_is_shown_in_the_readers_language_or_with_a_note(harness: Harness) -> None:
    await member(harness, "alice")
    await member(harness, "carla")
    await load(harness)
    english = await harness.say("/wiki egalite", as_="alice", lang="en")
    assert english[0] == "[alice] Gender equality network"
    assert "  A network." in english
    spanish = await harness.say("/wiki egalite", as_="carla", lang="es")
    assert spanish[:4] == [
        "[carla] Égalité femmes-hommes",
        "  ",
        "  institución · Africa · SN",
        "  ",
    ]
    assert "  (Aún no traducida al español: se muestra en francés.)" in spanish
    assert spanish[-1] == "  egalite · actualizada el 22 sept 2026"


async def test_results_and_entries_in_french(harness: Harness) -> None:
    await member(harness, "amina")
    await load(harness)
    lines = await harness.say("/wiki budgeting finance", as_="amina", lang="fr")
    assert lines[0] == "[amina] 1–2 sur 2 résultats :"
    assert lines[1].startswith("  1. Finance course (support) — ")


async def test_a_long_entry_is_split_at_the_platform_limit_without_cutting_words(harness: Harness) -> None:
    await member(harness, "alice")
    body = "\n\n".join(f"Paragraph {n}: " + " ".join(f"word{n}x{m}" for m in range(30)) for n in range(8))
    await load(harness, [entry("long-read", "A long read", body=body)])
    harness.console.message_limit = 300
    await harness.say("/wiki long-read", as_="alice")
    sent = [str(message.text) for message in harness.console.sent]
    assert len(sent) > 5
    assert all(len(text) <= 300 for text in sent)
    assert " ".join(" ".join(sent).split()).count("word7x29") == 1
    original_words = set(body.split())
    assert all(word in original_words for text in sent[1:-1] for word in text.split())


async def test_typos_are_corrected_with_did_you_mean(harness: Harness) -> None:
    await member(harness, "alice")
    await load(harness)
    lines = await harness.say("/wiki budgetting", as_="alice")
    assert lines[:2] == [
        "[alice] Nothing found for budgetting. Results for budgeting (1–4 of 4):",
        "  1. Budgeting basics (material) — A first overview of the topic.",
    ]
    assert await harness.say("/wiki qqqzzz", as_="alice") == [
        "[alice] Nothing found for qqqzzz. Try other words, or /wiki to browse."
    ]


async def test_hostile_queries_are_answered_plainly(harness: Harness) -> None:
    await member(harness, "alice")
    await load(harness)
    for query in [
        '"',
        "NEAR(",
        "' OR 1=1 --",
        "budgeting*",
        "x" * 4000,
        "😀",
        "שלום",
        "a\x00b \u202e",
        "%_\\",
    ]:
        lines = await harness.say(f"/wiki {query}", as_="alice")
        assert lines, query
        assert "error" not in lines[0].lower(), (query, lines)


async def test_moderators_edit_fields_audited(harness: Harness) -> None:
    await member(harness, "mod", Role.MODERATOR)
    await member(harness, "alice")
    await load(harness)
    assert await harness.say("/wiki_edit in-title title Budgeting for beginners", as_="mod") == [
        "[mod] title of in-title changed."
    ]
    assert (await harness.say("/wiki beginners", as_="alice"))[1].startswith("  1. Budgeting for beginners")
    assert await harness.say("/wiki_edit in-title colour blue", as_="mod") == [
        "[mod] Usage: /wiki_edit <slug> <field> <value>. Fields: kind, title, summary, body, link, tags, region, "
        "country, language, deadline."
    ]
    refused = await harness.say("/wiki_edit in-title deadline someday", as_="mod")
    assert refused == ["[mod] deadline was not changed. deadline must be a date written like 2026-05-31."]
    assert await harness.say("/wiki_edit nowhere title X", as_="mod") == [
        "[mod] There is no wiki entry nowhere."
    ]
    assert await harness.say("/wiki_edit in-title title X", as_="alice") == [
        "[alice] Sorry, /wiki_edit is for moderators only."
    ]
    async with harness.bot.db.transaction() as session:
        [edit] = await AuditLog(session).recent(action="wiki.edit")
    assert (edit.actor, edit.target) == ("console:mod", "in-title")
    assert edit.details == {
        "field": "title",
        "before": "Budgeting basics",
        "after": "Budgeting for beginners",
    }


async def test_moderators_delete_after_confirmation_audited(harness: Harness) -> None:
    await member(harness, "mod", Role.MODERATOR)
    await load(harness)
    assert await harness.say("/wiki_delete in-title", as_="mod") == [
        "[mod] Delete Budgeting basics (in-title)? This cannot be undone.",
        "[#1] Delete",
        "[#2] Keep it",
    ]
    assert await harness.say("#2", as_="mod") == ["[mod] Nothing was deleted."]
    await harness.say("/wiki_delete in-title", as_="mod")
    assert await harness.say("#1", as_="mod") == ["[mod] Deleted Budgeting basics (in-title)."]
    assert await harness.say("/wiki in-title", as_="mod") == [
        "[mod] Nothing found for in-title. Try other words, or /wiki to browse."
    ]
    async with harness.bot.db.transaction() as session:
        [deleted] = await AuditLog(session).recent(action="wiki.delete")
    assert (deleted.actor, deleted.target, deleted.details) == (
        "console:mod",
        "in-title",
        {"title": "Budgeting basics"},
    )


async def test_only_the_latest_search_pages(harness: Harness) -> None:
    await member(harness, "alice")
    await load(harness, [entry(f"note-{n:02}", f"Note {n}", summary="Shared words.") for n in range(7)])
    first = await harness.say("/wiki shared", as_="alice")
    assert first[-1] == "[#6] Next ▶"
    first_next = harness.console.sent[-1].buttons[-1][-1].payload
    await harness.say("/wiki note", as_="alice")  # a new search replaces the remembered one
    harness.console._keyboards["alice"] = [first_next]  # press the first search's Next
    assert await harness.say("#1", as_="alice") == [
        "[alice] That search has expired. Search again with /wiki."
    ]


async def test_a_few_results_come_with_a_suggestion_to_press(harness: Harness) -> None:
    await member(harness, "alice")
    await load(harness, [*CORPUS, entry("typo", "Note", body="A note on budgetting, misspelt.")])
    lines = await harness.say("/wiki budgetting kind:material", as_="alice")
    assert lines[:3] == [
        "[alice] 1–1 of 1 result:",
        "  1. Note (material) — A note on budgetting, misspelt.",
        "  Did you mean budgeting?",
    ]
    assert lines[-1] == "[#2] 🔎 budgeting"
    pressed = await harness.say("#2", as_="alice")
    assert pressed[0] == "[alice] 1–4 of 4 results:"
    assert pressed[1].startswith("  1. Budgeting basics (material)")
