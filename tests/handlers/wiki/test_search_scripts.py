"""/wiki searches in Chinese, Arabic and Russian on the console, on every storage backend."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.wiki.repository import WikiRepository
from tests.fakes import Harness
from tests.storage.wiki.test_scripts import CORPUS

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


async def load(harness: Harness) -> None:
    async with harness.bot.db.transaction() as session:
        wiki = WikiRepository(session)
        for data in CORPUS:
            await wiki.upsert(data, NOW)


async def test_a_word_in_each_script_finds_its_entries(harness: Harness) -> None:
    await load(harness)
    assert await harness.say("/wiki 培训", as_="guest") == [
        "[guest] 1–1 of 1 result:",
        "  1. 性别平等培训手册 (material) — 面向培训师的性别预算指南。",
        "[#1] 1",
    ]
    arabic = await harness.say("/wiki المساواه", as_="guest")
    assert arabic[1] == "  1. المُسَاوَاةُ بَيْنَ الجِنْسَيْنِ ٢٠٢٤ (material) — دليل إدارة التـــدريب على الميزانية"
    russian = await harness.say("/wiki тренинги", as_="guest")
    assert russian[:4] == [
        "[guest] 1–3 of 3 results:",
        "  1. Тренинг для тренеров (material) — Программа тренинга на три дня.",
        "  2. Тренинги по гендерному равенству (material) — Для фасилитаторов.",
        "  3. Обзор семинаров (material) — Обзор тренингов.",
    ]
    assert await harness.say("/wiki 夏天", as_="guest") == [
        "[guest] Nothing found for 夏天. Try other words, or /wiki to browse."
    ]
