"""A virtual dialogue end to end through ``copbot chat``: planned, posted on time, answered, exported."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


class ChatProcess:
    """``copbot chat`` as a subprocess, with its output lines read as they come."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("COPBOT_")}
        environment.update(env)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "chat", "--as", "admin"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env=environment,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def wait_for(self, predicate: str, timeout: float = 30.0) -> str:
        """The first output line containing ``predicate`` (waiting for it)."""
        deadline = time.monotonic() + timeout
        for line in self.seen:
            if predicate in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.seen.append(line)
            if predicate in line:
                return line
        raise AssertionError(f"no line with {predicate!r} within {timeout}s; saw {self.seen}")

    def finish(self) -> tuple[int, str]:
        assert self.process.stdin is not None
        self.process.stdin.close()
        code = self.process.wait(timeout=60)
        assert self.process.stderr is not None
        return code, self.process.stderr.read()


@pytest.mark.parametrize("tick", ["1", "600"], ids=["tick", "exact-timer"])
def test_a_moderator_plans_a_dialogue_members_reply_and_the_export_has_their_replies(
    tmp_path: Path, tick: str
) -> None:
    """With a fast tick, or with only the exact timer set when the prompt was added."""
    chat = ChatProcess(tmp_path, {"COPBOT_ADMINS": "console:admin", "COPBOT_DIALOGUE_TICK_SECONDS": tick})
    try:
        today = datetime.now(UTC).date()
        chat.say(f'/dialogue_new "Pipe dialogue" {today} {today + timedelta(days=7)}')
        created = chat.wait_for("planned from")
        dialogue = created.split()[2]
        due = datetime.now(UTC) + timedelta(seconds=4)
        chat.say(f"/prompt_add {dialogue} {due:%Y-%m-%d %H:%M:%S} What would you tell a new trainer?")
        chat.wait_for("will be posted on")
        opening = chat.wait_for(f"(new thread) Pipe dialogue — prompt {dialogue}.1", timeout=20)
        posted_at = datetime.now(UTC)
        assert posted_at >= due - timedelta(seconds=1)
        thread = opening.split("]")[0].removeprefix("[")  # community/N
        chat.say(f"@amina [{thread}] Listen before you teach.")
        chat.say(f"@carlos [{thread}] Bring local examples.")
        chat.say(f"/export {dialogue} md")
        document = chat.wait_for("(file) ")
        code, stderr = chat.finish()
    finally:
        if chat.process.poll() is None:
            chat.process.kill()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    exported = Path(document.split("(file) ", 1)[1])
    if not exported.is_absolute():
        exported = tmp_path / exported
    markdown = exported.read_text(encoding="utf-8")
    assert "# Pipe dialogue" in markdown
    assert f"## {dialogue}.1 What would you tell a new trainer?" in markdown
    assert "**Amina Diallo** (console" in markdown
    assert "Listen before you teach." in markdown
    assert "**Carlos Rivera** (console" in markdown
    assert "Bring local examples." in markdown


def run_copbot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COPBOT_")}
    environment["COPBOT_SAMPLE_DATA"] = "false"
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=environment,
        timeout=60,
    )


def test_import_twice_list_and_export_from_the_command_line(tmp_path: Path) -> None:
    programme = tmp_path / "autumn.yaml"
    start = datetime.now(UTC).date() + timedelta(days=30)  # still to come: a past one needs --archive
    end = start + timedelta(days=25)
    programme.write_text(
        f"slug: autumn\nstart: {start}\nend: {end}\ntitle: {{en: Autumn <dialogue>}}\n"
        f'prompts:\n  - at: {start} 09:00\n    text: {{en: "Why & how?"}}\n',
        encoding="utf-8",
    )
    first = run_copbot("dialogue", "import", str(programme), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "dialogue 1 created: autumn, 1 prompts"
    second = run_copbot("dialogue", "import", str(programme), cwd=tmp_path)
    assert second.stdout.strip() == "dialogue 1 updated: autumn, 1 prompts"
    listed = run_copbot("dialogue", "list", cwd=tmp_path)
    assert listed.stdout.splitlines() == [f"1\tscheduled\t{start}\t{end}\tUTC\t1 prompts\tAutumn <dialogue>"]
    exported = run_copbot(
        "export", "dialogue", "1", "--format", "html", "-o", "out/autumn.html", cwd=tmp_path
    )
    assert exported.returncode == 0, exported.stderr
    page = (tmp_path / "out" / "autumn.html").read_text(encoding="utf-8")
    assert "<h1>Autumn &lt;dialogue&gt;</h1>" in page
    assert "Why &amp; how?" in page
    programme.write_text("slug: autumn\nstart: 2026-09-22\nend: 2026-10-17\ntitle: {}\n", encoding="utf-8")
    bad = run_copbot("dialogue", "import", str(programme), cwd=tmp_path)
    assert bad.returncode == 1
    assert "autumn.yaml:4: title: Dictionary should have at least 1 item" in " ".join(bad.stderr.split())
    missing = run_copbot("export", "dialogue", "9", cwd=tmp_path)
    assert (missing.returncode, "there is no dialogue 9" in missing.stderr) == (1, True)
