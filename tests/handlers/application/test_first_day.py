"""A good first day in the application form (issue 16): countries, "other" choices,
the Terms of Reference, a refused consent, an expired button and a typed "no"."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.fakes import FakeClock, Harness, form_answers

FAST = {"rate": 1e6, "burst": 10**6}
#: The answers before the country, then the country question is asked.
BEFORE_COUNTRY = form_answers()[:4]


@pytest.fixture
async def bot(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    running = await Harness.start(db, tmp_path, clock=clock, flood=FAST)
    yield running
    await running.stop()


async def to_country(bot: Harness, lang: str = "en") -> None:
    await bot.say("/apply", lang=lang)
    for answer in BEFORE_COUNTRY:
        await bot.say(answer)


async def test_congo_asks_which_one_with_buttons(bot: Harness) -> None:
    await to_country(bot)
    asked = await bot.say("Congo")
    assert (
        asked[0] == "[alice] \u201cCongo\u201d can mean more than one country: which one? Press its button."
    )
    assert "Question 5 of 13" in "\n".join(asked)
    assert asked[-4:] == [
        "[#1] Congo - Brazzaville",
        "[#2] Congo - Kinshasa",
        "[#3] \u25c0 Back",
        "[#4] Cancel",
    ]
    answered = "\n".join(await bot.say("#2"))
    assert "Question 6 of 13" in answered
    summary = "\n".join(await bot.say("/back") + await bot.say("/back"))
    assert "Your current answer: Congo - Kinshasa (CD)" in summary


async def test_korea_is_asked_in_french(bot: Harness) -> None:
    await to_country(bot, lang="fr")
    asked = await bot.say("Corée")
    assert (
        asked[0]
        == "[alice] \u00ab Corée \u00bb peut désigner plus d'un pays : lequel ? Appuyez sur son bouton."
    )
    assert asked[-4:-2] == ["[#1] Corée du Sud", "[#2] Corée du Nord"]
    assert "Question 6 sur 13" in "\n".join(await bot.say("#1"))


async def test_a_miss_offers_the_closest_names_and_a_typed_name_still_works(bot: Harness) -> None:
    await to_country(bot, lang="fr")
    missed = await bot.say("Nigerai")
    assert missed[0].startswith("[alice] Je ne connais pas le pays \u00ab Nigerai \u00bb. Vouliez-vous dire")
    offered = [line for line in missed if line.startswith("[#")][:3]
    assert offered[:2] == ["[#1] Nigeria", "[#2] Niger"]
    nothing = await bot.say("Zqxw")
    assert not any(line.startswith("[#1] Ni") for line in nothing)  # nothing close: no names offered
    assert "Question 6 sur 13" in "\n".join(await bot.say("Turquie"))
    assert "Turquie (TR)" in "\n".join(await bot.say("/back"))


async def test_an_expired_button_shows_where_the_form_stands(bot: Harness) -> None:
    await to_country(bot)
    expired = await bot.say("#9")  # the country question has four buttons at most
    assert expired[0] == (
        "[alice] That button has expired. Here is where you are in the form; send /apply to come back to it."
    )
    assert "Question 5 of 13" in "\n".join(expired)
    assert (await bot.say("#9", as_="bob"))[0] == "[bob] That button has expired. Send /help to start again."


async def test_a_typed_no_answers_the_discard_question(bot: Harness) -> None:
    await to_country(bot)
    asked = await bot.say("/cancel")
    assert asked[0] == "[alice] Do you really want to discard your application form and all its answers?"
    kept = "\n".join(await bot.say("no"))
    assert "Question 5 of 13" in kept
    assert "I do not know the country" not in kept
    assert "Question 6 of 13" in "\n".join(await bot.say("Kenya"))  # the form goes on
    await bot.say("/cancel")
    kept_fr = await bot.say("non", lang="fr")
    assert kept_fr[0].startswith("[alice] Question 6 sur 13 : Dans quelles langues")
    await bot.say("/cancel")
    assert "discarded" in "\n".join(await bot.say("#1", lang="en"))


async def test_other_choices_ask_what_they_are(bot: Harness) -> None:
    await to_country(bot)
    await bot.say("Kenya")
    asked = await bot.say("English, Another language")
    assert asked[0] == "[alice] Which other language or languages do you train in? Please write it."
    short = await bot.say("x")
    assert short[0] == "[alice] Please write at least 2 characters (you wrote 1)."
    assert "Which other language" in "\n".join(short)
    assert "Question 7 of 13" in "\n".join(await bot.say("Swahili"))
    chosen = await bot.say("#1, #11")  # expertise: Gender mainstreaming and Other
    assert chosen[0] == "[alice] Which other area of expertise? Please write it."
    await bot.say("Disability inclusion")
    for answer in form_answers()[7:]:
        summary = await bot.say(answer)
    assert "  Training languages: English, Swahili" in summary
    assert "  Areas of expertise: Gender mainstreaming, Disability inclusion" in summary


async def test_the_terms_are_formatted_and_a_refusal_explains_cancel(bot: Harness) -> None:
    await bot.say("/apply")
    for answer in form_answers()[:10]:
        await bot.say(answer)
    terms = await bot.say("/skip", lang="fr")
    shown = "\n".join(terms)
    assert "Termes de référence de la communauté de pratique" in shown
    assert "#" not in shown.replace("[#", "")
    assert "**" not in shown
    refused = await bot.say("non")
    assert refused[0] == (
        "[alice] Il faut l'accepter pour continuer : le formulaire ne peut pas être envoyé sans cela. "
        "Appuyez sur \u00ab Oui, j'accepte \u00bb pour continuer, ou envoyez /cancel pour abandonner le formulaire."
    )
