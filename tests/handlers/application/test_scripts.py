"""Typed answers to the application form in Chinese, Russian and Arabic script, on the console."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.fakes import FakeClock, Harness, without_direction_marks

FAST = {"rate": 1e6, "burst": 10**6}


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, admins=("console:admin",), flood=FAST)
    yield running
    await running.stop()


async def answer(bot: Harness, who: str, lang: str, answers: list[str]) -> list[str]:
    """Start the form as ``who`` speaking ``lang``, type ``answers``; the last reply."""
    lines = await bot.say("/apply", as_=who, lang=lang)
    for typed in answers:
        lines = await bot.say(typed, as_=who)
    return lines


async def test_chinese_answers_reach_the_summary_and_are_sent(bot: Harness) -> None:
    summary = await answer(
        bot,
        "li",
        "zh",
        [
            "李",  # a one-character name: a CJK character weighs three
            "li@example.org",
            "妇女网",
            "培训师",
            "肯尼亚",
            "英文，法文、中文",  # the full-width comma and the enumeration comma
            "1、6",
            "12",
            "1；7",  # the full-width semicolon
            "我想向其他培训师学习。",  # ten characters: enough where twenty letters are asked
            "/skip",
            "我接受",  # a part of the button's own label
            "是，我接受",  # the whole label, as the button reads
        ],
    )
    assert summary[0] == "[li] 请核对您的答案。按某一字段可修改该字段，或按“提交”发送。"
    assert summary[1:15] == [
        "  全名：李",
        "  电子邮件：li@example.org",
        "  组织：妇女网",
        "  职位：培训师",
        "  国家：肯尼亚 (KE)",
        "  培训语言：英文、法文、中文",
        "  专业领域：性别平等主流化、卫生",
        "  经验年数：12",
        "  培训对象：政府官员、媒体",
        "  动机：我想向其他培训师学习。",
        "  得知渠道：（已跳过）",
        "  职权范围：已接受",
        "  数据处理：已接受",
        "[#1] ✎ 全名",
    ]
    submitted = await bot.say("#14", as_="li")
    assert submitted[0].startswith("[li] 谢谢！您的第1号申请已发送给主持人。")
    assert "[admin] New application #1 from 李:" in submitted


async def test_a_short_chinese_motivation_is_told_in_chinese_characters(bot: Harness) -> None:
    refused = await answer(
        bot,
        "wang",
        "zh",
        ["王芳", "wang@example.org", "妇女网", "培训师", "肯尼亚", "1", "1", "12", "1", "我想学习"],
    )
    english = await bot.say("Too short.", as_="wang", lang="en")
    # seven Chinese characters weigh 21 of the 20 asked; four were written
    assert any("7" in line and "4" in line and "20" not in line for line in refused), refused
    assert "[wang] Please write at least 20 characters (you wrote 10)." in english


async def test_russian_and_arabic_consents_and_separators(bot: Harness) -> None:
    russian = [
        "Ольга",
        "olga@example.org",
        "НКО",
        "Тренер",
        "Казахстан",
        "Русский; Английский",
        "1, 2",
        "8",
        "2",
        "Хочу учиться у коллег и делиться материалами.",
        "/skip",
        "принимаю",  # the button's label without its "да"
        "да, принимаю",
    ]
    summary = await answer(bot, "olga", "ru", russian)
    assert summary[0].startswith("[olga] Пожалуйста, проверьте свои ответы.")
    assert "  Языки обучения: Английский, Русский" in summary
    assert summary[12:14] == ["  Круг ведения: принято", "  Обработка данных: принято"]

    # the form speaks Arabic, and takes Arabic commas, semicolons and words
    arabic = ["Amal", "amal@example.org", "NGO", "Trainer", "Egypt", "1، 4", "1؛ 2", "5", "2"]
    arabic += ["I want to learn from other trainers.", "/skip", "أوافق", "نعم"]
    summary = [without_direction_marks(line) for line in await answer(bot, "amal", "ar", arabic)]
    assert summary[0] == "[amal] يُرجى مراجعة إجاباتكم. اضغطوا على أي حقل لتغييره، أو على «تقديم» لإرسالها."
    assert "  لغات التدريب: الإنكليزية، العربية" in summary
    assert summary[12:14] == ["  الاختصاصات: مقبول", "  معالجة البيانات: مقبول"]


async def test_unrecognised_options_are_echoed_without_their_full_stop(bot: Harness) -> None:
    lines = await answer(
        bot, "ann", "en", ["Ann Lee", "ann@example.org", "NGO", "Trainer", "Kenya", "English, Klingon."]
    )
    assert lines[0] == (
        "[ann] I did not recognise: Klingon. Press the buttons, or type the options separated by commas."
    )
