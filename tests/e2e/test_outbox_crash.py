"""kill -9 in the middle of a broadcast: delivery resumes where it stopped."""

from __future__ import annotations

import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.outbox import MAX_IN_FLIGHT

pytestmark = pytest.mark.slow
RECIPIENTS = 300
ROOT = Path(__file__).resolve().parents[2]


def worker(
    tmp_path: Path, database: str | None = None, recipients: int = RECIPIENTS
) -> subprocess.Popen[str]:
    """The broadcast worker on ``database`` (a URL; by default an SQLite file in ``tmp_path``)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.e2e.broadcast_worker",
            database or str(tmp_path / "bot.db"),
            str(tmp_path / "log"),
            str(recipients),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def delivered(tmp_path: Path) -> list[str]:
    path = tmp_path / "log"
    return path.read_text().split() if path.exists() else []


def test_a_killed_broadcast_resumes_without_skipping_anyone(tmp_path: Path) -> None:
    first = worker(tmp_path)
    deadline = time.monotonic() + 60
    while len(delivered(tmp_path)) < 80:
        assert first.poll() is None, first.stderr.read() if first.stderr else ""
        assert time.monotonic() < deadline, "the first run delivered too little"
        time.sleep(0.01)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    before = len(delivered(tmp_path))
    assert before < RECIPIENTS, "the broadcast finished before the kill"

    second = worker(tmp_path)
    out, err = second.communicate(timeout=120)
    assert second.returncode == 0, err
    assert out.strip() == "done"

    counts = collections.Counter(delivered(tmp_path))
    assert set(counts) == {f"r{n}" for n in range(RECIPIENTS)}, "somebody was skipped"
    duplicates = sum(count - 1 for count in counts.values())
    # only messages that were in flight when the process died may go twice
    assert duplicates <= MAX_IN_FLIGHT, f"{duplicates} messages were sent twice"
