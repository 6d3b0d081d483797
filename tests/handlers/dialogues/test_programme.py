"""Programme files: validation with file, line and field; importing twice updates; the sample."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from handlers.dialogues.programme import ProgrammeError, import_programme, load_programme
from handlers.dialogues.sample import DIALOGUE_FILE, seed_sample_dialogue
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.models import Dialogue, Prompt
from tests.fakes import FakeClock

PROGRAMME = """\
slug: spring-2027
timezone: Europe/Zurich
start: 2027-03-22
end: 2027-04-02
title:
  en: Spring dialogue
  fr: Dialogue de printemps
prompts:
  - at: 2027-03-22 10:00
    text: {en: First question, fr: Première question}
  - at: 2027-03-29 10:00
    text: {en: Second question}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "programme.yaml"
    path.write_text(text, encoding="utf-8")
    return path


async def test_importing_the_same_file_twice_updates_instead_of_duplicating(
    db: Database, tmp_path: Path
) -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    path = write(tmp_path, PROGRAMME.replace("timezone:", "status: draft\ntimezone:"))
    async with db.transaction() as session:
        dialogue, created = await import_programme(DialogueRepository(session), load_programme(path), now)
        assert (created, dialogue.status) == (True, "draft")  # a draft is never posted
    write(tmp_path, PROGRAMME.replace("Second question", "Second question reworded"))
    async with db.transaction() as session:
        again, created = await import_programme(DialogueRepository(session), load_programme(path), now)
        assert (again.id, created, again.status) == (dialogue.id, False, "scheduled")
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Dialogue)) == 1
        prompts = (await session.execute(select(Prompt).order_by(Prompt.position))).scalars().all()
    assert [prompt.text.get("en") for prompt in prompts] == ["First question", "Second question reworded"]
    # 10:00 in Zurich: winter time on 22 March (09:00 UTC), summer time on 29 March (08:00 UTC)
    assert [prompt.post_at.hour for prompt in prompts] == [9, 8]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("timezone: Europe/Zurich", "timezone: Mars/Olympus"), ":2: timezone: "),
        (("  - at: 2027-03-29 10:00", "  - at: next monday"), ":11: prompts.1.at: is not a date and time"),
        (
            ("    text: {en: Second question}", "    txt: {en: Second question}"),
            ":11: prompts.1.text: Field required",
        ),
        (("end: 2027-04-02", "end: 2027-03-01"), "the end 2027-03-01 is before the start 2027-03-22"),
        (
            ("  - at: 2027-03-29 10:00", "  - at: 2027-05-29 10:00"),
            "prompt 2 at 2027-05-29 10:00:00 is outside",
        ),
        (("slug: spring-2027", "slug: Spring 2027!"), ":1: slug: String should match pattern"),
    ],
)
def test_errors_name_the_file_the_line_and_the_field(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    path = write(tmp_path, PROGRAMME.replace(*change))
    with pytest.raises(ProgrammeError) as raised:
        load_programme(path)
    assert str(raised.value).startswith(str(path))
    assert expected in str(raised.value)


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, PROGRAMME.replace("title:", "title: [unclosed"))
    with pytest.raises(ProgrammeError, match=r"programme\.yaml:\d+: not valid YAML"):
        load_programme(path)


async def test_the_sample_programme_is_seeded_once_open_with_its_first_prompt_due_soon(db: Database) -> None:
    clock = FakeClock(datetime(2026, 11, 29, 11, 30, 20, tzinfo=UTC))
    assert await seed_sample_dialogue(db, clock)
    assert not await seed_sample_dialogue(db, clock)
    async with db.transaction() as session:
        dialogue = (await session.execute(select(Dialogue))).scalar_one()
        prompts = await DialogueRepository(session).prompts(dialogue.id)
    assert dialogue.status == "open"
    assert set(dialogue.title) == {"en", "es", "fr", "ar", "zh", "ru"}
    assert len(prompts) == 4
    assert all(set(prompt.text) == {"en", "es", "fr", "ar", "zh", "ru"} for prompt in prompts)
    assert timedelta(minutes=3) <= prompts[0].post_at - clock.now() <= timedelta(minutes=5)
    assert [b.post_at - a.post_at for a, b in pairwise(prompts)] == [timedelta(days=7)] * 3
    assert load_programme(DIALOGUE_FILE).slug == dialogue.slug
