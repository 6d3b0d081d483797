"""SQLite serves one bot process: a second ``copbot run`` or ``chat`` is refused, content commands are not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_chat_cli import copbot

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


def test_a_second_bot_process_on_one_sqlite_file_is_refused_in_one_paragraph(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPBOT_")}
    env["COPBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    env["PYTHONPATH"] = str(ROOT)  # this checkout, wherever the shared environment points
    first = subprocess.Popen(  # a console session kept open: its standard input stays open
        [sys.executable, "-m", "bot", "chat", "--as", "alice"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
        env=env,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "bot.db.lock").exists() or not (tmp_path / "bot.db.lock").read_text():
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.1)
        second = copbot("chat", "--as", "bob", cwd=tmp_path, stdin="/help\n", env=env)
        exported = copbot("wiki", "export", str(tmp_path / "wiki.json"), cwd=tmp_path, env=env)
    finally:
        first.communicate("", timeout=60)
    assert second.returncode == 2
    assert "Another copbot process is already running on the SQLite database" in second.stderr
    assert "Traceback" not in second.stderr
    assert exported.returncode == 0, exported.stderr
    assert first.returncode == 0
    after = copbot("chat", "--as", "bob", cwd=tmp_path, stdin="/help\n", env=env)
    assert after.returncode == 0, after.stderr  # the lock went with the first process
