"""``copbot dialogue import`` of a programme whose dates are past: refused, history, or held prompts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from handlers.dialogues.programme import hold_missed_prompts, import_programme, load_programme
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.models import Prompt


def programme(path: Path, start: datetime, end: datetime, *times: datetime, slug: str = "past") -> Path:
    prompts = "".join(
        f"  - at: {moment:%Y-%m-%d %H:%M}\n    text: {{en: Question {number}}}\n"
        for number, moment in enumerate(times, start=1)
    )
    path.write_text(
        f"slug: {slug}\nstart: {start.date()}\nend: {end.date()}\ntitle: {{en: Old dialogue}}\n"
        f"prompts:\n{prompts or '  []'}",
        encoding="utf-8",
    )
    return path


def copbot(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    """Run ``copbot`` in process on a SQLite file in ``tmp_path``: exit code, stdout, stderr (one line)."""
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", "COPBOT_SAMPLE_DATA": "false"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def stored(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "bot.db") as connection:
        return connection.execute(query).fetchall()


def test_a_programme_that_has_ended_is_refused_unless_imported_as_history(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    start, end = now - timedelta(days=40), now - timedelta(days=10)
    path = programme(tmp_path / "old.yaml", start, end, start, start + timedelta(days=1))
    code, out, err = copbot(tmp_path, "dialogue", "import", str(path))
    assert (code, out) == (1, "")
    assert f"the programme ran from {start.date()} to {end.date()} (UTC), which is past" in err
    assert "import it with --archive" in err
    assert not (tmp_path / "bot.db").exists() or stored(tmp_path, "SELECT id FROM dialogues") == []
    code, out, err = copbot(tmp_path, "dialogue", "import", "--archive", str(path))
    assert (code, out.strip()) == (0, "dialogue 1 created as history (closed): past, 2 prompts")
    assert stored(tmp_path, "SELECT status FROM dialogues") == [("closed",)]
    again = copbot(tmp_path, "dialogue", "import", "--archive", str(path))
    assert again[:2] == (0, "dialogue 1 updated as history (closed): past, 2 prompts\n")
    assert stored(tmp_path, "SELECT count(*) FROM prompts") == [(2,)]


def test_archive_is_refused_for_a_programme_still_to_come(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    path = programme(tmp_path / "soon.yaml", now + timedelta(days=3), now + timedelta(days=9))
    code, _, err = copbot(tmp_path, "dialogue", "import", "--archive", str(path))
    assert code == 1
    assert "--archive is for a programme that has ended; this one runs from" in err


def test_a_programme_under_way_is_imported_and_its_missed_prompts_are_held(tmp_path: Path) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start, end = now - timedelta(days=2), now + timedelta(days=5)
    missed, recent, later = now - timedelta(days=1), now - timedelta(minutes=10), now + timedelta(days=1)
    path = programme(tmp_path / "live.yaml", start, end, missed, recent, later)
    code, out, err = copbot(tmp_path, "dialogue", "import", str(path))
    assert (code, out.strip()) == (0, "dialogue 1 created: past, 3 prompts")
    assert f"warning: the programme started on {start.date()} (UTC); prompts 1.1 were due before now" in err
    assert "will not be posted" in err
    held = "SELECT position, never_posted FROM prompts ORDER BY position"
    assert stored(tmp_path, held) == [(1, 1), (2, 0), (3, 0)]  # one due 10 minutes ago is still posted


async def test_held_prompts_are_never_due_and_a_later_time_releases_them(
    db: Database, tmp_path: Path
) -> None:
    now = datetime(2027, 3, 25, 12, tzinfo=UTC)
    path = programme(
        tmp_path / "spring.yaml",
        datetime(2027, 3, 22),
        datetime(2027, 4, 2),
        datetime(2027, 3, 22, 10),
        datetime(2027, 3, 29, 10),
    )
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        dialogue, _ = await import_programme(repo, load_programme(path), now)
        assert await hold_missed_prompts(repo, dialogue, now) == [f"{dialogue.id}.1"]
        await repo.transition(dialogue.id, "scheduled", "open")
        assert await repo.due_prompts(now + timedelta(days=5)) == [await repo.prompt_at(dialogue.id, 2)]
        dialogue.status = "scheduled"
        assert await hold_missed_prompts(repo, dialogue, datetime(2027, 3, 20, tzinfo=UTC)) == []
        flags = (await session.execute(select(Prompt.never_posted).order_by(Prompt.position))).scalars()
        assert list(flags) == [False, False]


@pytest.mark.parametrize("status", ["open", "closed"])
async def test_an_open_or_closed_dialogue_keeps_its_prompts_as_they_are(
    db: Database, tmp_path: Path, status: str
) -> None:
    now = datetime(2027, 3, 25, 12, tzinfo=UTC)
    path = programme(
        tmp_path / "p.yaml", datetime(2027, 3, 22), datetime(2027, 4, 2), datetime(2027, 3, 22, 10)
    )
    async with db.transaction() as session:
        repo = DialogueRepository(session)
        dialogue, _ = await import_programme(repo, load_programme(path), now)
        dialogue.status = status  # the poster catches up an open dialogue's missed prompts
        assert await hold_missed_prompts(repo, dialogue, now) == []
