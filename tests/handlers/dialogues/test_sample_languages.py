"""The sample programme in the six languages, under /dialogues for people who speak them."""

from __future__ import annotations

import pytest

from bot.catalogs import available_locales
from handlers.dialogues.programme import load_programme
from handlers.dialogues.sample import DIALOGUE_FILE, seed_sample_dialogue
from tests.fakes import Harness, without_direction_marks

SIX = ("en", "es", "fr", "ar", "zh", "ru")


def test_the_sample_programme_speaks_the_six_languages() -> None:
    programme = load_programme(DIALOGUE_FILE)
    assert set(programme.title) == set(SIX)
    assert set(programme.description) == set(SIX)
    assert all(set(prompt.text) == set(SIX) for prompt in programme.prompts)


@pytest.mark.parametrize("language", ["zh", "ru", "ar"])
async def test_dialogues_show_the_sample_in_the_readers_language(harness: Harness, language: str) -> None:
    await seed_sample_dialogue(harness.bot.db, harness.clock)
    programme = load_programme(DIALOGUE_FILE)
    # a person whose language has no catalogue is spoken to in English
    shown = language if language in available_locales() else "en"
    listed = [
        without_direction_marks(line) for line in await harness.say("/dialogues", as_="reader", lang=language)
    ]
    assert listed[1].startswith(f"  1. {programme.title[shown]}")
    opened = without_direction_marks("\n".join(await harness.say("/dialogue 1", as_="reader", lang=language)))
    assert programme.title[shown] in opened
    assert programme.description[shown] in opened
