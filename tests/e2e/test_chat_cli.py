"""``copbot`` as a user runs it: a subprocess fed through a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from storage.db import alembic_config

pytestmark = pytest.mark.slow


def copbot(
    *args: str, cwd: Path, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COPBOT_")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=120,
    )


def test_a_conversation_through_a_pipe(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/start",
            "#3",  # English, العربية, Español, ...
            "/help",
            "@amina /language",
            "@amina #1",
            "@mod /nope",
            "just chatting",
        ]
    )
    result = copbot("chat", "--as", "alice", cwd=tmp_path, stdin=script + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == "[alice] Welcome, alice! I am the assistant of the community of practice of gender trainers."
    )
    assert "[alice] A partir de ahora te hablaré en español." in lines
    assert "[alice] Comandos que puedes usar:" in lines
    # amina is in the sample community, with French as her language
    assert "[amina] Je vous parle en français. Choisissez une autre langue :" in lines
    assert "[amina] From now on I will speak English with you." in lines
    assert "[mod] I do not know the command /nope. Send /help to see the commands you can use." in lines
    assert lines[-1] == "[alice] Respondo a comandos. Envía /help para ver los comandos que puedes usar."
    assert "Traceback" not in result.stderr
    assert (tmp_path / "copbot.db").exists()


def test_a_long_script_from_one_user_is_answered_line_by_line(tmp_path: Path) -> None:
    """The console is one local operator: no flood limit drops the lines after the burst."""
    script = "".join(f"hello {n}\n" for n in range(40))
    result = copbot("chat", "--as", "alice", cwd=tmp_path, stdin=script)
    assert result.returncode == 0, result.stderr
    answer = "[alice] I answer commands. Send /help to see the commands you can use."
    assert result.stdout.splitlines().count(answer) == 40
    assert "too fast" not in result.stdout


def test_lang_option_and_state_kept_between_runs(tmp_path: Path) -> None:
    first = copbot("chat", "--as", "carlos2", "--lang", "fr", cwd=tmp_path, stdin="/help\n/language es\n")
    assert first.stdout.splitlines()[0] == "[carlos2] Commandes que vous pouvez utiliser :"
    second = copbot("chat", "--as", "carlos2", "--lang", "fr", cwd=tmp_path, stdin="/help\n")
    assert second.stdout.splitlines()[0] == "[carlos2] Comandos que puedes usar:"


def test_empty_input_exits_cleanly(tmp_path: Path) -> None:
    result = copbot("chat", "--as", "alice", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_a_bad_configuration_is_one_paragraph_without_traceback(tmp_path: Path) -> None:
    result = copbot("chat", "--as", "alice", cwd=tmp_path, env={"COPBOT_DEFAULT_LOCALE": "xx"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    paragraph = " ".join(result.stderr.split())
    assert paragraph.startswith(
        "copbot cannot start: the configuration is invalid. COPBOT_DEFAULT_LOCALE 'xx'"
    )


def test_version_help_and_db_commands(tmp_path: Path) -> None:
    assert copbot("--version", cwd=tmp_path).stdout.strip().startswith("copbot ")
    help_text = copbot("--help", cwd=tmp_path).stdout
    for command in ("run", "chat", "db"):
        assert command in help_text
    assert "--as" in copbot("chat", "--help", cwd=tmp_path).stdout
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'x' / 'bot.db'}"}
    assert copbot("db", "current", cwd=tmp_path, env=env).stdout.strip() == "empty database (no revision)"
    upgraded = copbot("db", "upgrade", cwd=tmp_path, env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert upgraded.stdout.strip() == f"database at revision {head}"
    assert copbot("db", "current", cwd=tmp_path, env=env).stdout.strip() == head


def test_run_on_the_embedded_default(tmp_path: Path) -> None:
    """`copbot run` with no platform configured: the console, SQLite, the sample community."""
    result = copbot(
        "run",
        cwd=tmp_path,
        stdin="/help\n@amina /help\n@mod /start\n@admin /announce Hello members\n@admin #1\n",
        env={"COPBOT_ADMINS": "console:admin"},
    )
    assert result.returncode == 0, result.stderr
    assert "copbot" in result.stderr
    assert "console" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "[you] Commands you can use:"
    assert "[amina] Commandes que vous pouvez utiliser :" in lines  # sample member, French
    assert any(line.startswith("[mod] Welcome, Maya Moderator!") for line in lines)
    # the session ends only once the announcement is delivered and reported
    assert "[carlos] Anuncio del equipo de moderación de la comunidad:" in lines
    assert lines[-1] == "[admin] Broadcast #1 finished: 4 of 4 delivered, 0 unreachable, 0 failed."
    assert "INFO" not in result.stderr  # logs go to var/copbot.log, not into the conversation
    assert "copbot started on console" in (tmp_path / "var" / "copbot.log").read_text()
    assert (tmp_path / "copbot.db").exists()


def test_invalid_utf8_on_stdin_reads_as_replacement_characters_and_the_session_goes_on(
    tmp_path: Path,
) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COPBOT_")}
    environment["PYTHONIOENCODING"] = "utf-8:strict"  # what a UTF-8 locale gives; C locales escape
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--as", "alice"],
        input=b"/help\n/wiki \xff\xfe\n\xff hello\n/start\n",
        capture_output=True,
        cwd=tmp_path,
        env=environment,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert "[alice] Nothing found for \ufffd\ufffd. Try other words, or /wiki to browse." in lines
    assert "[alice] I answer commands. Send /help to see the commands you can use." in lines
    assert (
        "[alice] Welcome, alice! I am the assistant of the community of practice of gender trainers." in lines
    )
    assert b"Traceback" not in result.stderr
