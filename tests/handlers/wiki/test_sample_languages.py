"""The sample wiki in the six languages, read on the console by people who speak them."""

from __future__ import annotations

import pytest

from bot.catalogs import available_locales
from handlers.wiki.sample import seed_sample_wiki
from tests.fakes import Harness
from tests.handlers.wiki.test_files import sample

UN_LANGUAGES = ("ar", "zh", "ru")


def test_every_sample_entry_is_translated_into_arabic_chinese_and_russian() -> None:
    for entry in sample():
        translated = {t.language: t for t in entry.translations}
        assert set(UN_LANGUAGES) <= set(translated), entry.slug
        has_body = any(t.body for t in entry.translations if t.language not in UN_LANGUAGES)
        for language in UN_LANGUAGES:
            assert translated[language].title, (entry.slug, language)
            assert translated[language].summary, (entry.slug, language)
            # an entry whose body was translated before has it in the three languages too
            assert bool(translated[language].body) == has_body, (entry.slug, language)


@pytest.mark.parametrize("language", UN_LANGUAGES)
async def test_an_entry_opens_in_the_readers_language(harness: Harness, language: str) -> None:
    await seed_sample_wiki(harness.bot.db, harness.clock)
    [un_women] = [entry for entry in sample() if entry.slug == "un-women"]
    title = {t.language: t.title for t in un_women.translations}
    lines = await harness.say("/wiki un-women", as_="reader", lang=language)
    if language in available_locales():
        assert lines[0] == f"[reader] {title[language]}"
    else:  # no catalogue yet: the person is spoken to, and shown entries, in English
        assert lines[0] == "[reader] UN Women"


async def test_russian_words_find_sample_entries(harness: Harness) -> None:
    await seed_sample_wiki(harness.bot.db, harness.clock)
    lines = await harness.say("/wiki гендерного насилия", as_="olga", lang="ru")
    assert lines[0] == "[olga] 1–2 из 2 результатов:"
    assert lines[1].startswith("  1. Подготовка инструкторов: предотвращение гендерного насилия (пример)")
    assert lines[2].startswith("  2. Набор: ведущие семинаров (пример)")
    shown = await harness.say("/wiki un-women-training-centre", as_="olga", lang="ru")
    assert shown[0] == "[olga] Учебный центр Структуры «ООН-женщины»"
    assert "  Учебный центр Структуры «ООН-женщины», расположенный в Санто-Доминго" in shown[6]
