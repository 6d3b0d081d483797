"""/start, /help, /language and the answers of last resort, on every storage backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogs import available_locales, language_name
from bot.core.commands import Topic
from bot.core.types import Role, UserRef
from storage.db import Database
from storage.users import UserRepository
from tests.fakes import Harness, add_people

#: The language buttons, one per catalog present, English first and marked as the current one.
LANGUAGE_BUTTONS = [
    f"[#{number}] {'✓ ' if code == 'en' else ''}{language_name(code, capitalize=True)}"
    for number, code in enumerate(available_locales(), start=1)
]


async def test_start_welcomes_lists_commands_and_offers_languages(harness: Harness) -> None:
    lines = await harness.say("/start", as_="alice")
    assert (
        lines[0]
        == "[alice] Welcome, alice! I am the assistant of the community of practice of gender trainers."
    )
    assert "  /help — List the commands you can use" in lines
    assert LANGUAGE_BUTTONS[0] == "[#1] ✓ English"
    assert {"Español", "Français", "中文"} <= {button.split("] ", 1)[1] for button in LANGUAGE_BUTTONS}
    assert lines[-len(LANGUAGE_BUTTONS) :] == LANGUAGE_BUTTONS


async def test_the_platform_language_is_used_when_supported(harness: Harness) -> None:
    assert (await harness.say("/help", as_="carla", lang="es-AR"))[0] == "[carla] Comandos que puedes usar:"
    assert (await harness.say("/help", as_="ana", lang="pt-BR"))[0] == "[ana] Commands you can use:"


@pytest.mark.parametrize(
    ("choice", "answer"),
    [
        ("/language fr", "[alice] Désormais, je vous parlerai en français."),
        ("/language ES", "[alice] A partir de ahora te hablaré en español."),
        ("!language en-GB", "[alice] From now on I will speak English with you."),
        ("/language zh", "[alice] 从现在起，我将用中文与您交流。"),
    ],
)
async def test_language_is_chosen_by_command(harness: Harness, choice: str, answer: str) -> None:
    assert await harness.say(choice) == [answer]


async def test_language_is_chosen_by_button_and_remembered(harness: Harness) -> None:
    lines = await harness.say("/language", lang="en")
    assert lines == ["[alice] I speak English with you. Choose another language:", *LANGUAGE_BUTTONS]
    french = f"#{available_locales().index('fr') + 1}"
    assert await harness.say(french) == ["[alice] Désormais, je vous parlerai en français."]
    # the stored choice wins over the language the platform reports
    assert (await harness.say("/help", lang="es"))[0] == "[alice] Commandes que vous pouvez utiliser :"


async def test_an_unsupported_language_is_refused_with_the_choices(harness: Harness) -> None:
    choices = ", ".join(f"{code} ({language_name(code)})" for code in available_locales())
    assert choices.startswith("en (English), ")
    assert {"es (español)", "fr (français)", "zh (中文)"} <= set(choices.split(", "))
    assert await harness.say("/language klingon") == [
        f"[alice] I do not speak “klingon” yet. Choose one of: {choices}."
    ]


async def test_the_language_choice_survives_a_restart(db: Database, tmp_path: Path) -> None:
    first = await Harness.start(db, tmp_path)
    await first.say("/language es")
    await first.stop()
    again = Database(db.url.render_as_string(hide_password=False), connect_args=db.connect_args)
    second = await Harness.start(again, tmp_path)
    try:
        assert (await second.say("/help"))[0] == "[alice] Comandos que puedes usar:"
    finally:
        await second.stop()


async def test_help_lists_only_what_the_role_allows(db: Database, tmp_path: Path) -> None:
    harness = await Harness.start(db, tmp_path)
    try:
        async with db.transaction() as session:
            users = UserRepository(session)
            mod = (await users.resolve(UserRef("console", "mod"), harness.clock.now())).person_id
            await users.grant(mod, Role.MODERATOR, harness.clock.now())
        guest = "\n".join(await harness.say("/help", as_="guest"))
        moderator = "\n".join(await harness.say("/help", as_="mod"))
        admin = "\n".join(await harness.say("/help", as_="admin"))
        assert "/help" in guest
        assert "/members" not in guest
        assert "/promote" not in guest
        assert "/members" in moderator
        assert "/promote" not in moderator
        assert "/members" in admin
        assert "/promote" in admin
    finally:
        await harness.stop()


async def test_unknown_commands_point_to_help(harness: Harness) -> None:
    assert await harness.say("/frobnicate now") == [
        "[alice] I do not know the command /frobnicate. Send /help to see the commands you can use."
    ]
    assert await harness.say("!frobnicate", lang="fr") == [
        "[alice] Je ne connais pas la commande !frobnicate. Envoyez !help pour voir les commandes que vous pouvez utiliser."
    ]


async def test_plain_text_in_a_direct_chat_gets_a_hint_and_groups_stay_quiet(harness: Harness) -> None:
    assert await harness.say("hello there") == [
        "[alice] I answer commands. Send /help to see the commands you can use."
    ]
    assert await harness.say("[community] hello everyone") == []
    assert await harness.say("[community] /nope") == []
    answer = await harness.say("[community] /help@copbot")
    assert answer[:2] == ["[community] Commands you can use:", "  /help — List the commands you can use"]


async def test_a_stale_button_is_explained(harness: Harness) -> None:
    assert await harness.say("#4") == ["[alice] That button has expired. Send /help to start again."]


#: Commands that make sense only in a direct chat with the bot.
DIRECT_ONLY = ("/start", "/language", "/apply", "/status", "/mydata", "/forget", "/subscribe", "/wiki_add")


def _names(lines: list[str]) -> set[str]:
    return {line.split()[0] for line in lines if line.startswith("  /")}


async def test_help_in_a_group_lists_what_makes_sense_there(harness: Harness) -> None:
    async with harness.bot.db.transaction() as session:
        await add_people(
            session, harness.clock.now(), (("amina", [Role.MEMBER], None), ("mod", [Role.MODERATOR], None))
        )
    private = _names(await harness.say("/help", as_="amina"))
    group = _names(await harness.say("[community] /help", as_="amina"))
    assert {"/wiki", "/dialogues", "/help", "/reply", "/terms"} <= group
    assert group.isdisjoint(DIRECT_ONLY)
    assert set(DIRECT_ONLY) - {"/wiki_add", "/apply", "/status"} <= private  # a member has applied
    assert group < private

    in_community = await harness.say("[community] /help", as_="mod")
    assert "/members" not in _names(in_community)  # answered privately, so listed privately
    assert in_community[-1] == (
        "  Your moderator commands are listed when you send /help in our private chat."
    )
    in_moderators_chat = _names(await harness.say("[moderators] /help", as_="mod"))
    assert {"/members", "/approve", "/audit", "/wiki_edit"} <= in_moderators_chat
    assert in_moderators_chat.isdisjoint(DIRECT_ONLY)


async def test_a_moderators_help_is_grouped_by_topic(harness: Harness) -> None:
    async with harness.bot.db.transaction() as session:
        await add_people(session, harness.clock.now(), (("mod", [Role.MODERATOR], None),))
    lines = await harness.say("/help", as_="mod")
    headings = [line.strip() for line in lines[1:] if line.strip() and not line.strip().startswith("/")]
    assert headings == ["Applications", "Members", "Dialogues", "Wiki", "Community"]

    def section(heading: str) -> set[str]:
        start = [line.strip() for line in lines].index(heading)
        end = next((i for i in range(start + 1, len(lines)) if not lines[i].strip()), len(lines))
        return _names(lines[start + 1 : end])

    assert {"/applications", "/approve", "/reject"} <= section("Applications")
    assert "/apply" not in section("Applications")  # for becoming a member
    assert {"/member", "/members", "/ban", "/mydata"} <= section("Members")
    assert {"/dialogues", "/reply", "/export"} <= section("Dialogues")
    assert {"/wiki", "/wiki_add"} <= section("Wiki")
    assert {"/help", "/announce", "/audit", "/stats"} <= section("Community")
    amina = await harness.say("/help", as_="alice")
    assert "Applications" not in [line.strip() for line in amina]  # members get a plain list


def test_every_listed_command_says_what_it_is_about(harness: Harness) -> None:
    unsorted = [r.name for r in harness.bot.router.commands() if r.description and r.topic is None]
    assert unsorted == []
    assert [topic.value for topic in Topic] == ["Applications", "Members", "Dialogues", "Wiki", "Community"]


async def test_a_members_help_no_longer_offers_to_apply(harness: Harness) -> None:
    async with harness.bot.db.transaction() as session:
        await add_people(
            session,
            harness.clock.now(),
            (
                ("amina", [Role.MEMBER], None),
                ("ana", [Role.APPLICANT], None),
                ("mod", [Role.MODERATOR], None),
            ),
        )
    newcomers = {"/apply", "/status"}
    assert newcomers <= _names(await harness.say("/help", as_="guest"))
    assert newcomers <= _names(await harness.say("/help", as_="ana"))
    member = _names(await harness.say("/help", as_="amina"))
    assert member.isdisjoint(newcomers)
    assert {"/reply", "/wiki", "/mydata", "/announcements"} <= member
    assert _names(await harness.say("/help", as_="mod")).isdisjoint(newcomers)
    # the commands still work for a member who types them
    assert (await harness.say("/status", as_="amina"))[0].startswith("[amina] ")
