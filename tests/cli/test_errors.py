"""An operator's problem is one short paragraph and exit status 2, never a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import Database
from tests.cli.conftest import invoke
from tests.conftest import POSTGRES_URL


def assert_explained(result_output: str, exit_code: int, *expected: str) -> None:
    assert exit_code == 2, result_output
    assert "Traceback" not in result_output
    assert len(result_output.strip().splitlines()) <= 10, result_output
    paragraph = " ".join(result_output.split())  # the terminal wraps the paragraph
    for part in expected:
        assert part in paragraph, paragraph


def sqlite(path: Path) -> dict[str, str]:
    return {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{path}"}


def test_an_sqlite_file_in_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the folder should be", encoding="utf-8")
    result = invoke("db", "upgrade", env=sqlite(tmp_path / "taken" / "data" / "copbot.db"))
    assert_explained(result.output, result.exit_code, f"copbot cannot use {tmp_path / 'taken' / 'data'}")


def test_a_corrupt_sqlite_file(tmp_path: Path) -> None:
    (tmp_path / "copbot.db").write_bytes(b"not a database at all " * 200)
    result = invoke("db", "upgrade", env=sqlite(tmp_path / "copbot.db"))
    assert_explained(result.output, result.exit_code, "file is not a database", "restore it from a backup")


def test_a_database_migrated_by_a_newer_copbot(tmp_path: Path) -> None:
    async def stamp() -> None:
        db = Database(f"sqlite+aiosqlite:///{tmp_path / 'copbot.db'}")
        try:
            await db.upgrade()
            async with db.transaction() as session:
                await session.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        finally:
            await db.dispose()

    asyncio.run(stamp())
    for command in (("db", "upgrade"), ("dialogue", "list")):
        result = invoke(*command, env=sqlite(tmp_path / "copbot.db"))
        assert_explained(result.output, result.exit_code, "at revision '9999'", "does not know", "newer")


def test_postgresql_unreachable() -> None:
    env = {"COPBOT_DATABASE_URL": "postgresql+asyncpg://copbot:secret@127.0.0.1:1/copbot"}
    result = invoke("db", "current", env=env)
    assert_explained(
        result.output,
        result.exit_code,
        "copbot cannot use the database postgresql+asyncpg://copbot:***@127.0.0.1:1/copbot",
        "refused the connection",
        "the database server is running",
    )
    assert "secret" not in result.output


@pytest.mark.postgres
def test_a_postgresql_database_that_does_not_exist(postgres_schema: str) -> None:
    missing = POSTGRES_URL.rsplit("/", 1)[0] + "/copbot_no_such_database"
    result = invoke("db", "upgrade", env={"COPBOT_DATABASE_URL": missing})
    assert_explained(
        result.output, result.exit_code, 'database "copbot_no_such_database" does not exist', "createdb"
    )


def test_an_export_path_that_cannot_be_written(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file where the folder should be", encoding="utf-8")
    result = invoke("wiki", "export", str(tmp_path / "taken" / "wiki.json"), env=sqlite(tmp_path / "c.db"))
    assert_explained(result.output, result.exit_code, "copbot cannot use", "taken")


def test_invalid_json_for_a_settings_group() -> None:
    result = invoke("db", "current", env={"COPBOT_FLOOD": "{rate: 2"})
    assert_explained(
        result.output,
        result.exit_code,
        "COPBOT_FLOOD is not valid JSON",
        "COPBOT_FLOOD__RATE and COPBOT_FLOOD__BURST",
    )


def test_an_invalid_setting() -> None:
    result = invoke("db", "current", env={"COPBOT_TIMEZONE": "Mars/Olympus"})
    assert_explained(
        result.output, result.exit_code, "COPBOT_TIMEZONE 'Mars/Olympus' is not an IANA time zone"
    )


def test_debug_adds_the_traceback(tmp_path: Path) -> None:
    (tmp_path / "copbot.db").write_bytes(b"junk" * 1000)
    for args, env in (
        (("--debug", "db", "upgrade"), {}),
        (("db", "upgrade"), {"COPBOT_DEBUG": "1"}),
    ):
        result = invoke(*args, env=sqlite(tmp_path / "copbot.db") | env)
        assert result.exit_code == 2
        assert "Traceback" in result.output
        assert "file is not a database" in " ".join(result.output.split())


def test_an_unknown_variable_is_named_with_the_closest_setting(tmp_path: Path) -> None:
    result = invoke(
        "db", "current", env=sqlite(tmp_path / "c.db") | {"COPBOT_DATABSE_URL": "x", "COPBOT_ZZZ": "1"}
    )
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    assert "warning: COPBOT_DATABSE_URL is not a copbot setting; did you mean COPBOT_DATABASE_URL?" in output
    assert "warning: COPBOT_ZZZ is not a copbot setting; it is ignored" in output
    assert output.count("COPBOT_DATABSE_URL is not") == 1


@pytest.mark.slow
@pytest.mark.parametrize("command", [("chat", "--as", "alice"), ("run",)])
def test_the_real_process_prints_one_paragraph(tmp_path: Path, command: tuple[str, ...]) -> None:
    from tests.e2e.test_chat_cli import copbot

    (tmp_path / "copbot.db").write_bytes(b"not a database at all " * 200)
    this_checkout = {"PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = copbot(*command, cwd=tmp_path, env=sqlite(tmp_path / "copbot.db") | this_checkout)
    assert_explained(result.stderr, result.returncode, "file is not a database")
    assert result.stdout == ""


def test_a_bug_keeps_its_traceback() -> None:
    from sqlalchemy.exc import IntegrityError

    from bot.cli.errors import explain

    assert explain(IntegrityError("INSERT ...", {}, Exception("UNIQUE constraint failed"))) is None
    assert explain(KeyError("x")) is None
    assert explain(PermissionError(13, "Permission denied", "/srv/out.md")) == (
        "copbot cannot use /srv/out.md: Permission denied. Check that the folder exists, is a "
        "folder and that this user may write there, or choose another path."
    )
