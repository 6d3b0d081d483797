"""``/stats`` through the console: the figures, the chart, who may ask, languages."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from matplotlib.image import imread
from sqlalchemy import select

from bot.core.types import Role, UserRef
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.models import Application, Dialogue, Person
from storage.users import UserRepository
from tests.fakes import FakeClock, Harness, start_with_people

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: A moderator, three members in two countries and an applicant.
PEOPLE = (
    ("mod", [Role.MEMBER, Role.MODERATOR], "KE"),
    ("amina", [Role.MEMBER], "FR"),
    ("carlos", [Role.MEMBER], "CO"),
    ("lucia", [Role.MEMBER], "CO"),
    ("applicant", [Role.APPLICANT], "MX"),
)


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, people = await start_with_people(db, tmp_path, clock, PEOPLE)
    now = clock.now()
    async with db.transaction() as session:
        for status in ("submitted", "approved", "approved", "approved"):
            session.add(
                Application(
                    person_id=people["applicant"],
                    platform="console",
                    platform_user_id="applicant",
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
            )
        dialogues = DialogueRepository(session)
        dialogue = await dialogues.create(
            title={"en": "Budgets", "fr": "Budgets sensibles"},
            start=date(2026, 9, 1),
            end=date(2026, 9, 30),
            timezone="UTC",
            now=now,
            status="open",
        )
        first = await dialogues.add_prompt(dialogue.id, {"en": "Where do you start?"}, now)
        await dialogues.add_prompt(dialogue.id, {"en": "What went wrong?"}, now)
        for index, who in enumerate(("amina", "carlos")):
            await dialogues.save_reply(
                prompt_id=first.id,
                person_id=people[who],
                platform="console",
                chat_id="community",
                message_id=str(index),
                text="An answer",
                now=now,
            )
    yield harness
    await harness.stop()


async def test_moderators_get_the_figures_and_a_png_chart(community: Harness) -> None:
    lines = await community.say("/stats", as_="mod")
    text = "\n".join(lines)
    assert "Community statistics" in text
    assert "Members: 4" in text
    assert "By region: Americas 2, Africa 1, Europe 1" in text
    assert "Top countries: Colombia 2, France 1, Kenya 1" in text
    assert "Applications: approved 3, waiting for a decision 1" in text
    assert "Replies per prompt of Budgets (open): 1.1: 2; 1.2: 0" in text
    assert any("(file)" in line and line.endswith(".png") for line in lines)

    message = community.console.sent[-1]
    (attachment,) = message.attachments
    assert (attachment.filename, attachment.media_type) == ("stats.png", "image/png")
    assert attachment.data.startswith(PNG_SIGNATURE)
    assert len(attachment.data) > 10_000
    image = imread(io.BytesIO(attachment.data), format="png")
    height, width = image.shape[:2]
    assert width >= 800
    assert height >= 500
    # Not a blank canvas: the bars and labels make many distinct colours.
    assert len({tuple(pixel) for pixel in image.reshape(-1, image.shape[2])[::97]}) > 20


async def test_the_figures_come_in_french(community: Harness) -> None:
    text = "\n".join(await community.say("/stats", as_="mod", lang="fr"))
    assert "Statistiques de la communauté" in text
    assert "Membres : 4" in text
    assert "Par région : Amériques 2, Afrique 1, Europe 1" in text
    assert "Principaux pays : Colombie 2, France 1, Kenya 1" in text
    assert "Réponses par question de Budgets sensibles (en cours) : 1.1: 2; 1.2: 0" in text
    assert community.console.sent[-1].attachments[0].data.startswith(PNG_SIGNATURE)


@pytest.mark.parametrize("who", ["guest", "applicant", "carlos"])
async def test_stats_are_refused_below_moderator(community: Harness, who: str) -> None:
    assert await community.say("/stats", as_=who) == [f"[{who}] Sorry, /stats is for moderators only."]
    assert not any(message.attachments for message in community.console.sent)


async def test_an_empty_community_gets_a_sentence_and_no_chart(harness: Harness) -> None:
    lines = await harness.say("/stats", as_="admin", lang="es")
    assert lines == ["[admin] Aún no hay nada que contar: ni miembros, ni solicitudes, ni diálogos."]
    assert not any(message.attachments for message in harness.console.sent)


async def test_only_the_top_ten_countries_are_named(db: Database, tmp_path: Path, clock: FakeClock) -> None:
    harness = await Harness.start(db, tmp_path, clock=clock, admins=["console:boss"])
    countries = ["KE"] * 3 + ["FR"] * 2 + ["BR", "JP", "IN", "MX", "DE", "NZ", "EG", "PE", "CA", "US"]
    async with db.transaction() as session:
        users = UserRepository(session)
        for index, country in enumerate(countries):
            person = (
                await users.resolve(UserRef("console", f"m{index}", f"M{index}"), clock.now())
            ).person_id
            await users.grant(person, Role.MEMBER, clock.now())
            (await session.get(Person, person)).country = country  # type: ignore[union-attr]
    text = "\n".join(await harness.say("/stats", as_="boss", lang="es"))
    await harness.stop()
    assert "Miembros: 15" in text
    # Ties go by country code (BR, CA, DE, ...): Peru and the United States are left out.
    assert (
        "Países principales: Kenia 3, Francia 2, Brasil 1, Canadá 1, Alemania 1, Egipto 1, India 1, "
        "Japón 1, México 1, Nueva Zelanda 1\n"
    ) in text
    assert "Por región: América 5, África 4, Europa 3, Asia 2, Oceanía 1" in text
    assert "Otros países: 2" in text
    assert "Solicitudes: ninguna todavía." in text
    assert "Todavía no se ha abierto ningún diálogo." in text
    (attachment,) = harness.console.sent[-1].attachments
    assert attachment.data.startswith(PNG_SIGNATURE)


async def test_a_chart_that_cannot_be_drawn_leaves_the_text(
    community: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("no fonts")

    monkeypatch.setattr("handlers.members.stats.render_panels", broken)
    lines = await community.say("/stats", as_="mod")
    assert "Members: 4" in "\n".join(lines)
    assert not community.console.sent[-1].attachments


async def test_every_open_dialogue_is_counted(community: Harness, db: Database, clock: FakeClock) -> None:
    async with db.transaction() as session:
        dialogues = DialogueRepository(session)
        second = await dialogues.create(
            title={"en": "Care work"},
            start=date(2026, 9, 10),
            end=date(2026, 10, 10),
            timezone="UTC",
            now=clock.now(),
            status="open",
        )
        await dialogues.add_prompt(second.id, {"en": "Who cares?"}, clock.now())
    text = "\n".join(await community.say("/stats", as_="mod"))
    assert "Replies per prompt of Budgets (open): 1.1: 2; 1.2: 0" in text
    assert "Replies per prompt of Care work (open): 2.1: 0" in text
    assert community.console.sent[-1].attachments[0].data.startswith(PNG_SIGNATURE)


async def test_one_dialogues_replies_per_prompt(community: Harness, db: Database) -> None:
    async with db.transaction() as session:
        number = await session.scalar(select(Dialogue.id))
    lines = await community.say(f"/stats {number}", as_="mod")
    assert lines[:3] == [
        f"[mod] Replies per prompt of Budgets (open): {number}.1: 2; {number}.2: 0",
        f"  {number}.1 Where do you start? — 2",
        f"  {number}.2 What went wrong? — 0",
    ]
    (attachment,) = community.console.sent[-1].attachments
    assert attachment.data.startswith(PNG_SIGNATURE)
    assert "Community statistics" not in "\n".join(lines)


@pytest.mark.parametrize("typed", ["99", "budgets"])
async def test_an_unknown_dialogue_is_refused_clearly(community: Harness, typed: str) -> None:
    assert await community.say(f"/stats {typed}", as_="mod", lang="es") == [
        f"[mod] No existe el diálogo {typed}."
    ]
