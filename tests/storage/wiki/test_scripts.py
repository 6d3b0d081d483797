"""Wiki search in Chinese, Arabic and Russian, with the same results on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from storage.db import Database
from storage.models import Base, WikiSearchDocument
from storage.state import StateStore
from storage.wiki.data import WikiEntryData, WikiTranslationData
from storage.wiki.query import WikiQuery, fold, index_text, snippet, words
from storage.wiki.repository import WikiRepository
from storage.wiki.scripts import Term, russian_stem
from storage.wiki.vocabulary import WikiVocabulary
from tests.conftest import POSTGRES_URL

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def entry(slug: str, title: str, language: str, **fields: object) -> WikiEntryData:
    values: dict[str, object] = {"kind": "material", "slug": slug, "title": title, "language": language}
    values.update(fields)
    return WikiEntryData.model_validate(values)


CORPUS = [
    entry("zh-manual", "性别平等培训手册", "zh", summary="面向培训师的性别预算指南。"),
    entry("zh-climate", "气候变化报告", "zh", body="环境政策与城市规划。"),
    entry(
        "zh-translated",
        "Gender budgeting toolkit",
        "en",
        summary="Tools for gender budgeting.",
        translations=[WikiTranslationData(language="zh", title="性别预算工具包", summary="实用工具。")],
    ),
    entry("ar-equality", "المُسَاوَاةُ بَيْنَ الجِنْسَيْنِ ٢٠٢٤", "ar", summary="دليل إدارة التـــدريب على الميزانية"),
    entry("ar-network", "شبكة المدربات", "ar", body="أنشطة الشبكة في المنطقة"),
    entry("ru-trainings", "Тренинги по гендерному равенству", "ru", body="Для фасилитаторов."),
    entry("ru-review", "Обзор семинаров", "ru", body="Обзор тренингов."),  # only this form
    entry("ru-training", "Тренинг для тренеров", "ru", summary="Программа тренинга на три дня."),
    entry("ru-tree", "Ёлка и зима", "ru", body="Праздник."),
    entry("en-training", "Training of trainers", "en", summary="A course on gender equality."),
]

#: What each query finds, in result order, on both databases. Which entries match and that
#: title hits come first hold by construction; the order within each group is bm25's on
#: SQLite and ts_rank's on PostgreSQL, which agree here.
EXPECTED = [
    # Chinese: two-character words inside longer runs, in titles, summaries, translations
    ("性别", ["zh-manual", "zh-translated"]),
    ("培训", ["zh-manual"]),
    ("预算", ["zh-translated", "zh-manual"]),  # a title hit first
    ("性别平等", ["zh-manual"]),
    ("变化", ["zh-climate"]),
    ("城市", ["zh-climate"]),
    ("训", ["zh-manual"]),  # one character: any word holding it
    ("册", ["zh-manual"]),  # ... also at the end of a run
    ("别培", []),  # both characters occur, never side by side
    ("手册性别", []),  # 册性 is nowhere
    ("性别 kind:material", ["zh-manual", "zh-translated"]),
    # Arabic: no diacritics, another alef, haa for taa marbuta, Arabic-Indic digits
    ("المساواة", ["ar-equality"]),
    ("المساواه", ["ar-equality"]),
    ("الجنسين", ["ar-equality"]),
    ("ادارة", ["ar-equality"]),
    ("إدارة التدريب", ["ar-equality"]),
    ("2024", ["ar-equality"]),
    ("٢٠٢٤", ["ar-equality"]),
    ("انشطة", ["ar-network"]),
    ("آنشطة", ["ar-network"]),
    ("الميزانيه", ["ar-equality"]),
    # Russian: a stem finds its inflected forms; ё is е; short words whole
    ("тренинг", ["ru-training", "ru-trainings", "ru-review"]),
    ("тренинги", ["ru-training", "ru-trainings", "ru-review"]),
    ("тренингов", ["ru-training", "ru-trainings", "ru-review"]),
    ("гендерное равенство", ["ru-trainings"]),
    ("фасилитатор", ["ru-trainings"]),
    ("елка", ["ru-tree"]),
    ("ЁЛКА", ["ru-tree"]),
    ("и", ["ru-tree"]),
    ("тренер", ["ru-training"]),
    # Latin: whole words, unchanged
    ("training", ["en-training"]),
    ("train", []),
]


async def load(db: Database, corpus: list[WikiEntryData] = CORPUS) -> None:
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        for data in corpus:
            await wiki.upsert(data, NOW)


async def slugs(db: Database, query: str, *, typo: bool = False) -> list[str]:
    async with db.transaction() as session:
        page = await WikiRepository(session, WikiVocabulary() if typo else None).search(
            query, TODAY, limit=50
        )
        return [e.slug for e in page.entries]


def test_each_script_is_prepared_the_same_way_for_the_index_and_the_query() -> None:
    assert index_text("性别平等培训") == "性别 别平 平等 等培 培训 训"
    assert index_text("2024年报告 Gender") == "2024 年报 报告 告 gender"
    assert WikiQuery.parse("性别平等 训").terms == (
        Term("性别"),
        Term("别平"),
        Term("平等"),
        Term("训", prefix=True),
    )
    assert fold("المُسَاوَاةُ") == fold("المساواه") == "المساواه"
    assert fold("أإآٱ ى ـ ٣") == "اااا ي  3"
    assert fold("Ёлка") == "елка"
    assert [russian_stem(w) for w in ("тренингов", "тренинги", "тренинг", "гендерного")] == [
        "тренинг",
        "тренинг",
        "тренинг",
        "гендерн",
    ]
    assert WikiQuery.parse("тренинги для").terms == (Term("тренинг", prefix=True), Term("для"))
    assert WikiQuery.parse("budgeting").terms == (Term("budgeting"),)


def test_a_long_run_is_indexed_whole_and_a_long_query_is_bounded() -> None:
    run = "性别平等" * 40
    assert words(run) == [run]  # longer than a Latin word may be, still indexed
    assert len(WikiQuery.parse(run).terms) <= 24


def test_snippets_find_the_word_in_every_script() -> None:
    assert (
        snippet(["项目概览：性别平等培训手册，以及其他很多很多的内容"], ["培训"], 9) == "…别平等培训手册，以…"
    )
    assert "التـــدريب" in snippet(["دليل إدارة التـــدريب"], words("التدريب"), 30)
    assert snippet(["Вступление. Затем обзор тренингов."], ["тренинги"], 20) == "…обзор тренингов."


@pytest.mark.parametrize(("query", "expected"), EXPECTED)
async def test_every_script_finds_its_words(db: Database, query: str, expected: list[str]) -> None:
    await load(db)
    assert await slugs(db, query) == expected


async def test_chinese_words_are_not_typo_corrected_into_bigrams(db: Database) -> None:
    await load(db)
    assert await slugs(db, "性别平", typo=True) == ["zh-manual"]
    assert await slugs(db, "培训师手", typo=True) == []


async def test_an_index_without_bigrams_is_rebuilt_at_start(db: Database) -> None:
    await load(db, CORPUS[:1])
    async with db.transaction() as session:  # as copbot indexed it before: one token per run
        document = (await session.scalars(select(WikiSearchDocument))).one()
        document.title = "性别平等培训手册"
        document.summary = "面向培训师的性别预算指南"
        await StateStore(session).set("wiki.index_format", 2, NOW)
    assert await slugs(db, "培训") == []
    async with db.transaction() as session:
        assert await WikiRepository(session).reindex_if_stale(NOW) == 1
    assert await slugs(db, "培训") == ["zh-manual"]


@pytest.fixture
async def both(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> AsyncIterator[tuple[Database, Database]]:
    """An SQLite and a PostgreSQL database, both migrated and empty."""
    schema = request.getfixturevalue("postgres_schema")
    shutil.copy(sqlite_template, tmp_path / "copbot.db")
    sqlite = Database(f"sqlite+aiosqlite:///{tmp_path / 'copbot.db'}")
    postgres = Database(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with postgres.engine.begin() as connection:
        await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield sqlite, postgres
    await sqlite.dispose()
    await postgres.dispose()


@pytest.mark.postgres
async def test_both_databases_give_the_same_result_lists(both: tuple[Database, Database]) -> None:
    sqlite, postgres = both
    await load(sqlite)
    await load(postgres)
    queries = [query for query, _ in EXPECTED] + ["тре", "пол", "ا", "gender", "性", "的", "训练", "ru zh"]
    differ = [query for query in queries if await slugs(sqlite, query) != await slugs(postgres, query)]
    assert differ == []
