"""The application form through ``copbot chat`` as a subprocess, including a ``kill -9`` mid-form."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.e2e.test_chat_cli import copbot

pytestmark = pytest.mark.slow

SPANISH = [
    "/apply",
    "Lucía Gómez",
    "lucia@example.org",
    "Independiente",
    "Formadora",
    "méxico",
    "español, inglés",
    "#2",
    "#5",
    "#12",
    "15",
    "#1",
    "#10",
    "Quiero compartir metodologías con otras formadoras.",
    "Por una colega",
    "#1",
    "sí",
    "#14",
    "@mod /applications",
    "@mod /approve 1",
    "@mod /approve 1",
    "/status",
]


def test_a_whole_application_in_spanish_through_a_pipe(tmp_path: Path) -> None:
    result = copbot(
        "chat",
        "--as",
        "lucia",
        "--lang",
        "es",
        cwd=tmp_path,
        stdin="\n".join(SPANISH) + "\n",
        env={"COPBOT_FLOOD__BURST": "1000"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Traceback" not in result.stderr
    assert "  País: México (MX)" in lines
    assert "  Idiomas de formación: Inglés, Español" in lines
    assert "  Áreas de especialización: Violencia de género, Paz y seguridad" in lines
    assert "  Públicos formados: Funcionariado público" in lines
    assert "[mod] New application #1 from Lucía Gómez:" in lines
    assert (
        "[lucia] ¡Te damos la bienvenida a la comunidad de práctica, Lucía Gómez! "
        "Tu solicitud n.º 1 ha sido aprobada."
    ) in lines
    assert "[community] (joined) lucia" in lines
    assert lines[-2].startswith("[mod] Application #1 was already approved by Maya Moderator on ")
    assert lines[-1] == "[lucia] Tu solicitud n.º 1 fue aprobada. ¡Te damos la bienvenida a la comunidad!"


class Chat:
    """``copbot chat`` fed line by line, its output read as it comes.

    Args:
        cwd: the working directory (its ``copbot.db`` unless ``env`` names a database).
        as_: the console user who types.
        env: ``COPBOT_*`` settings for the process (the caller's own are not passed on).
    """

    def __init__(self, cwd: Path, *, as_: str = "alice", env: dict[str, str] | None = None) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COPBOT_")} | (env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--as", as_],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def say(self, line: str, expect: str) -> str:
        """Send a line, wait (up to 60 s) for an output line containing ``expect``."""
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        while True:
            got = self.lines.get(timeout=60)
            if expect in got:
                return got

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=30) == -signal.SIGKILL

    def close(self) -> list[str]:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return rest


def test_the_form_survives_kill_9_and_continues_at_the_same_step(tmp_path: Path) -> None:
    first = Chat(tmp_path)
    try:
        first.say("/apply", "Question 1 of 13")
        first.say("Alice Doe", "Question 2 of 13")
        first.say("alice@example.org", "Question 3 of 13")
        first.say("Independent", "Question 4 of 13")  # acknowledged: the reply was printed
    finally:
        first.kill()
    second = Chat(tmp_path)
    try:
        assert (
            second.say("Trainer", "[alice]")
            == "[alice] Question 5 of 13: In which country are you based? Type its name, for example Kenya."
        )
        second.say("/back", "Your current answer: Trainer")
        second.say("Lead trainer", "Question 5 of 13")
        second.say("Kenya", "Question 6 of 13")
    finally:
        second.close()
    third = Chat(tmp_path)
    try:
        resumed = third.say("/apply", "Question")
        assert "Question 6 of 13: In which languages do you train?" in resumed
        third.say("/status", "5 of 13 questions answered")
    finally:
        third.close()
