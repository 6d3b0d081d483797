"""The open wiki (issue 16): who reads it, filters people type, countries, soft wraps."""

from __future__ import annotations

from pathlib import Path

from bot.core.types import Role
from storage.db import Database
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock, Harness
from tests.handlers.wiki.test_commands import NOW, load, member
from tests.storage.wiki.test_repository import entry

WORLD = [
    entry("nairobi-course", "Nairobi course", kind="training", country="KE", summary="Budgeting."),
    entry("lima-network", "Lima network", kind="institution", country="PE", region="Latin America"),
    entry("sahel-guide", "Sahel guide", region="Africa", summary="A guide."),
    entry("global-kit", "Global kit", region="Global", summary="For all."),
    entry(
        "wrapped",
        "Wrapped body",
        body="A paragraph written\nover two lines.\n\n## Heading\n- one\n- two\n\nEnd.",
    ),
]


async def test_members_only_when_the_setting_says_so(db: Database, tmp_path: Path, clock: FakeClock) -> None:
    harness = await Harness.start(db, tmp_path, clock=clock, wiki={"access": "members"})
    try:
        await load(harness, WORLD)
        assert await harness.say("/wiki guide", as_="guest") == [
            "[guest] Sorry, the wiki is for members only."
        ]
        await member(harness, "alice")
        assert (await harness.say("/wiki guide", as_="alice"))[0].startswith("[alice] 1–1 of 1 result")
    finally:
        await harness.stop()


async def titles(harness: Harness, query: str, lang: str = "en") -> list[str]:
    lines = await harness.say(f"/wiki {query}", as_="guest", lang=lang)
    return sorted(line.split(". ", 1)[1].split(" (")[0] for line in lines[1:] if ". " in line and "(" in line)


async def test_region_covers_countries_of_the_m49_region_in_any_language(harness: Harness) -> None:
    await load(harness, WORLD)
    assert await titles(harness, "region:africa") == ["Nairobi course", "Sahel guide"]
    assert await titles(harness, "region:afrique", lang="fr") == ["Nairobi course", "Sahel guide"]
    assert await titles(harness, "region:África", lang="es") == ["Nairobi course", "Sahel guide"]
    assert await titles(harness, 'region:"latin america"') == ["Lima network"]
    assert await titles(harness, "region:americas") == ["Lima network"]
    assert await titles(harness, "region:kenya") == ["Nairobi course"]
    assert await titles(harness, "region:global") == ["Global kit"]


async def test_kinds_in_the_readers_language_and_unknown_filters_list_the_valid_ones(
    harness: Harness,
) -> None:
    await load(harness, WORLD)
    assert await titles(harness, "kind:formation", lang="fr") == ["Nairobi course"]
    assert await titles(harness, "kind:training") == ["Nairobi course"]
    assert await harness.say("/wiki kind:course", as_="guest") == [
        "[guest] There is no kind course. Kinds: institution, training, material, opportunity, template."
    ]
    assert await harness.say("/wiki region:atlantis", as_="guest") == [
        "[guest] No entry is in a region called atlantis. Regions: Africa, Americas, Asia, Europe, Oceania;"
        " or type a country, such as Kenya."
    ]
    french = await harness.say("/wiki kind:cours", as_="guest", lang="fr")
    assert "formation" in french[0], french
    assert "Kinds" not in french[0], french


async def test_soft_wraps_are_joined_blocks_kept(harness: Harness) -> None:
    await load(harness, WORLD)
    lines = await harness.say("/wiki wrapped", as_="guest")
    text = "\n".join(lines)
    assert "A paragraph written over two lines." in text
    assert "Heading" in text
    assert "• one" in text
    assert "• two" in text


async def test_wiki_edit_takes_a_country_name_and_explains_refusals_plainly(harness: Harness) -> None:
    await load(harness, WORLD)
    await member(harness, "mod", Role.MODERATOR)
    assert await harness.say("/wiki_edit global-kit country Ethiopia", as_="mod") == [
        "[mod] country of global-kit changed."
    ]
    async with harness.bot.db.transaction() as session:
        edited = await WikiRepository(session).get("global-kit")
        assert edited is not None
        assert edited.country == "ET"
    refused = await harness.say("/wiki_edit global-kit country Atlantis", as_="mod")
    assert refused == [
        "[mod] country was not changed. country: type a country's name, such as Ethiopia, or its two-letter code."
    ]
    refused = await harness.say("/wiki_edit global-kit language english", as_="mod")
    assert refused == [
        "[mod] language was not changed. language must be a language code of two or three letters, such as en or fr."
    ]
    assert "^" not in (await harness.say("/wiki_edit global-kit link nowhere", as_="mod"))[0]
    assert NOW
