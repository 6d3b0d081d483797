"""The wiki store and its search, with one contract on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from storage.db import Database
from storage.models import WikiEntry, WikiSearchDocument
from storage.state import StateStore
from storage.wiki import search as wiki_search
from storage.wiki.data import WikiEntryData, WikiTranslationData
from storage.wiki.query import WikiKind, WikiQuery, entry_facets, fold, regions_named_in, words
from storage.wiki.repository import WikiRepository, as_data, localized
from storage.wiki.vocabulary import WikiVocabulary

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def entry(slug: str, title: str, **fields: object) -> WikiEntryData:
    values: dict[str, object] = {"kind": "material", "slug": slug, "title": title, "language": "en"}
    values.update(fields)
    return WikiEntryData.model_validate(values)


#: Each entry holds "budgeting" in a different place, with texts of similar length.
CORPUS = [
    entry("in-body", "Annual report", summary="A yearly overview of our work.", body="Notes on budgeting."),
    entry("in-title", "Budgeting basics", summary="A first overview of the topic.", body="Notes on finance."),
    entry(
        "in-summary", "Finance course", summary="An overview of budgeting practice.", body="Notes on money."
    ),
    entry(
        "in-tags", "Public money", tags=["budgeting"], summary="An overview of spending.", body="Notes here."
    ),
    entry(
        "genero",
        "Presupuestos con perspectiva de género",
        kind="training",
        language="es",
        region="Latin America",
        country="MX",
        summary="Curso sobre igualdad de género en los presupuestos.",
    ),
    entry(
        "egalite",
        "Égalité femmes-hommes",
        kind="institution",
        language="fr",
        region="Africa",
        country="SN",
        summary="Un réseau pour l'égalité.",
        translations=[
            WikiTranslationData(language="en", title="Gender equality network", summary="A network.")
        ],
    ),
    entry("grant-open", "Training grant", kind="opportunity", deadline=date(2026, 12, 1), region="Africa"),
    entry("grant-closed", "Travel grant", kind="opportunity", deadline=date(2026, 9, 1), region="Africa"),
]


async def load(db: Database, corpus: list[WikiEntryData] = CORPUS) -> None:
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        for data in corpus:
            await wiki.upsert(data, NOW)


async def slugs(
    db: Database, text: str, *, offset: int = 0, limit: int = 20, typo: bool = False
) -> list[str]:
    async with db.transaction() as session:
        wiki = WikiRepository(session, WikiVocabulary() if typo else None)
        page = await wiki.search(text, TODAY, offset=offset, limit=limit)
        return [e.slug for e in page.entries]


def test_folding_and_words() -> None:
    assert fold("Género ÉQUITÉ") == "genero equite"
    assert words("NEAR(\"x\" OR y*) -- 'z'; DROP") == ["near", "x", "or", "y", "z", "drop"]
    assert words("😀 שלום عالم") == ["שלום", "عالم"]
    query = WikiQuery.parse("kind:TRAINING region:latin-america lang:es all: budget kind:nonsense")
    assert query.kind is WikiKind.TRAINING
    assert query.region == ("latin", "america")
    assert query.language == "es"
    assert query.include_expired
    assert query.words == ("budget",)
    assert query.unknown_kind == "nonsense"
    assert WikiQuery.parse(query.as_text()).words == query.words


async def test_title_hits_rank_first_then_tags_summary_body(db: Database) -> None:
    await load(db)
    assert await slugs(db, "budgeting") == ["in-title", "in-tags", "in-summary", "in-body"]


async def test_every_word_must_match(db: Database) -> None:
    await load(db)
    assert await slugs(db, "budgeting finance") == ["in-summary", "in-title"]
    assert await slugs(db, "budgeting nowhere") == []


async def test_diacritics_and_case_are_folded_both_ways(db: Database) -> None:
    await load(db)
    assert await slugs(db, "genero") == ["genero"]
    assert await slugs(db, "GÉNERO") == ["genero"]
    assert await slugs(db, "egalite") == ["egalite"]
    assert await slugs(db, "égalité network") == ["egalite"]  # the translation is indexed too


async def test_filters_combine_with_words(db: Database) -> None:
    await load(db)
    assert await slugs(db, "kind:training") == ["genero"]
    assert await slugs(db, "region:africa") == ["grant-open", "egalite"]
    assert await slugs(db, "region:sn") == ["egalite"]
    assert await slugs(db, "region:latin-america genero") == ["genero"]
    assert await slugs(db, "lang:es") == ["genero"]
    assert await slugs(db, "lang:en kind:institution") == ["egalite"]  # translated into English
    assert await slugs(db, "kind:training budgeting") == []


async def test_past_deadlines_are_hidden_unless_all(db: Database) -> None:
    await load(db)
    assert await slugs(db, "grant") == ["grant-open"]
    assert await slugs(db, "grant all:") == ["grant-closed", "grant-open"]
    assert await slugs(db, "all: kind:opportunity") == ["grant-closed", "grant-open"]


async def test_paging(db: Database) -> None:
    await load(db, [entry(f"note-{n:02}", f"Note {n}", body="shared words") for n in range(12)])
    pages = [await slugs(db, "shared", offset=offset, limit=5) for offset in (0, 5, 10, 15)]
    assert [len(page) for page in pages] == [5, 5, 2, 0]
    assert pages[0][0] == "note-11"  # equal relevance: newest first
    assert len({slug for page in pages for slug in page}) == 12
    async with db.transaction() as session:
        page = await WikiRepository(session).search("shared", TODAY, offset=10)
    assert page.total == 12
    assert not page.capped


INJECTIONS = [
    '"',
    '"budgeting',
    "budget*",
    "-budgeting",
    "NEAR(budgeting finance)",
    "budgeting OR finance",
    "budgeting AND NOT finance",
    "'; DROP TABLE wiki_entries; --",
    "' OR 1=1 --",
    "{title}: budgeting",
    "title:budgeting",
    "^budgeting",
    "budgeting:A & !finance | (x <-> y)",
    "\\",
    "x" * 4096,
    "budgeting " * 500,
    "😀🎉 budgeting 👩‍👩‍👧",
    "שלום עולם مرحبا",
    "\x00 budgeting \u202e",
    "",
    "   ",
]


@pytest.mark.parametrize("text", INJECTIONS)
async def test_any_user_text_is_a_safe_query(db: Database, text: str) -> None:
    await load(db, CORPUS[:4])
    found = await slugs(db, text, typo=True)
    assert found == await slugs(db, " ".join(words(text)), typo=True)  # searched as plain words
    if text.startswith(("budget*", "^budgeting", "-budgeting", '"budgeting', "😀")):
        assert found[0] == "in-title"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
async def test_arbitrary_text_never_raises(db: Database, text: str) -> None:
    await load(db, CORPUS[:4])  # an upsert: the same four entries for every example
    found = await slugs(db, text, typo=True)
    assert len(found) <= 4


async def test_typos_are_corrected_and_suggested(db: Database) -> None:
    await load(db)
    async with db.transaction() as session:
        wiki = WikiRepository(session, WikiVocabulary())
        page = await wiki.search("budgetting", TODAY)
        assert page.corrected
        assert page.suggestion == "budgeting"
        assert [e.slug for e in page.entries][:1] == ["in-title"]
        prefix = await wiki.search("presupu", TODAY)
        assert (prefix.suggestion, [e.slug for e in prefix.entries]) == ("presupuestos", ["genero"])
        assert (await wiki.search("zzzzqqq", TODAY)).entries == ()


async def test_upsert_updates_by_slug_and_reindexes(db: Database) -> None:
    await load(db, CORPUS[:1])
    await load(db, [entry("in-body", "Annual review", body="About mentoring.")])
    assert await slugs(db, "budgeting") == []
    assert await slugs(db, "mentoring review") == ["in-body"]
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        assert await wiki.count_by_kind() == {"material": 1}
        found = await wiki.get("in-body")
        assert found is not None
        await wiki.update(found, {"tags": "budgeting, money", "kind": "template"}, NOW)
    assert await slugs(db, "kind:template money") == ["in-body"]


async def test_a_batch_upserts_like_one_call_per_entry_with_one_version_bump(db: Database) -> None:
    await load(db, CORPUS[:1])
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        before = await wiki.version()
        written = await wiki.upsert_many(
            [
                entry("in-body", "Annual review", body="About mentoring."),  # exists: replaced
                entry("twice", "First title", body="About budgeting."),  # new: created
                entry("twice", "Second title", body="About coaching."),  # then replaced
            ],
            NOW,
        )
        assert [(found.slug, created) for found, created in written] == [
            ("in-body", False),
            ("twice", True),
            ("twice", False),
        ]
        assert written[1][0] is written[2][0]
        assert await wiki.version() == before + 1
        assert await wiki.upsert_many([], NOW) == []
    assert await slugs(db, "mentoring") == ["in-body"]
    assert await slugs(db, "coaching second") == ["twice"]
    assert await slugs(db, "budgeting") == []  # the replaced text left the index


async def test_invalid_edits_are_refused(db: Database) -> None:
    await load(db, CORPUS[:1])
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        found = await wiki.get("in-body")
        assert found is not None
        with pytest.raises(ValidationError):
            await wiki.update(found, {"deadline": "tomorrow"}, NOW)
        with pytest.raises(ValidationError):
            await wiki.update(found, {"link": "javascript:alert(1)"}, NOW)


async def test_delete_removes_from_search(db: Database) -> None:
    await load(db)
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        found = await wiki.get("in-title")
        assert found is not None
        await wiki.delete(found, NOW)
    assert await slugs(db, "budgeting") == ["in-tags", "in-summary", "in-body"]


async def test_translations_are_chosen_by_language_and_round_trip(db: Database) -> None:
    await load(db)
    async with db.transaction() as session:
        found = await WikiRepository(session).get("egalite")
        assert isinstance(found, WikiEntry)
        assert localized(found, "en").title == "Gender equality network"
        assert localized(found, "en").translated
        assert localized(found, "es") == localized(found, "fr")
        assert not localized(found, "es").translated
        assert as_data(found) == CORPUS[5]


async def test_ranking_is_bounded_for_common_words(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wiki_search, "RANK_CAP", 4)
    monkeypatch.setattr(wiki_search, "COMMON", 5)
    oldest = entry("oldest", "Mentoring", body="filler")
    body_hits = [entry(f"body-{n}", f"Note {n}", body="mentoring " * (n % 3 + 1)) for n in range(8)]
    await load(db, [oldest, *body_hits])
    async with db.transaction() as session:
        page = await WikiRepository(session).search("mentoring", TODAY, limit=10)
    # the old title hit still comes first; the common word's other hits: the 4 newest, newest first
    assert [e.slug for e in page.entries] == ["oldest", "body-7", "body-6", "body-5", "body-4"]
    assert page.capped
    # an uncommon word is ranked: more occurrences first
    await load(db, [entry("twice", "Other", body="rare rare"), entry("once", "Another", body="rare")])
    assert await slugs(db, "rare") == ["twice", "once"]


_VOCABULARY = ["género", "budget", "training", "équité", "care", "data", "network", "mentor"]


def _random_corpus(seed: int = 7) -> list[WikiEntryData]:
    import random

    rng = random.Random(seed)
    kinds = [kind.value for kind in WikiKind]
    corpus = []
    for n in range(40):
        corpus.append(
            entry(
                f"e-{n:02}",
                " ".join(rng.sample(_VOCABULARY, rng.randint(1, 3))).capitalize(),
                kind=rng.choice(kinds),
                tags=rng.sample(_VOCABULARY, rng.randint(0, 2)),
                summary=" ".join(rng.choices(_VOCABULARY, k=rng.randint(0, 4))),
                body=" ".join(rng.choices(_VOCABULARY, k=rng.randint(0, 6))),
                region=rng.choice(["Africa", "Europe", None]),
            )
        )
    return corpus


def _oracle(corpus: list[WikiEntryData], text: str) -> tuple[set[str], set[str]]:
    """The contract in plain Python: (every match, the title hits)."""
    query = WikiQuery.parse(text)
    matches, titles = set(), set()
    for data in corpus:
        everything = set(words(" ".join([data.title, *data.tags, data.summary, data.body])))
        if query.kind is not None and data.kind != query.kind:
            continue
        named = set(words(data.region or "")) | set(regions_named_in(data.region or ""))
        if query.region and not set(query.region) <= named:
            continue
        if set(query.words) <= everything:
            matches.add(data.slug)
            if set(query.words) <= set(words(data.title)):
                titles.add(data.slug)
    return matches, titles


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picked=st.lists(st.sampled_from([*_VOCABULARY, "genero", "EQUITE", "absent"]), min_size=1, max_size=3),
    kind=st.sampled_from(["", "kind:training ", "kind:material "]),
    region=st.sampled_from(["", "region:africa "]),
)
async def test_results_are_exactly_the_contracts_on_every_backend(
    db: Database, picked: list[str], kind: str, region: str
) -> None:
    corpus = _random_corpus()
    await load(db, corpus)  # upserts: the same corpus for every example
    text = kind + region + " ".join(picked)
    matches, titles = _oracle(corpus, text)
    found = await slugs(db, text, limit=100)
    assert set(found) == matches
    assert set(found[: len(titles)]) == titles  # title hits first


async def test_an_index_built_in_an_older_format_is_rebuilt_once(db: Database) -> None:
    await load(db, [entry("kenya-only", "Nairobi network", country="KE")])  # no region written
    assert await slugs(db, "region:africa") == ["kenya-only"]  # its country's M49 region
    async with db.transaction() as session:  # as an older copbot indexed it: facets without the region
        document = (await session.scalars(select(WikiSearchDocument))).one()
        document.facets = entry_facets("material", None, None, ["en"])
        await StateStore(session).set("wiki.index_format", 1, NOW)
    assert await slugs(db, "region:africa") == []
    async with db.transaction() as session:
        assert await WikiRepository(session).reindex_if_stale(NOW) == 1
    assert await slugs(db, "region:africa") == ["kenya-only"]
    async with db.transaction() as session:
        assert await WikiRepository(session).reindex_if_stale(NOW) == 0  # once
