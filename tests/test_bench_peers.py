"""``python -m bench.peers`` runs end to end: three bot processes, one table (no timing asserted)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.peers.copbot_form import form_yaml
from bot.forms.loading import load_form
from handlers.application.form import COUNTRY_FIELD, NAME_FIELD, ORGANISATION_FIELD

ROOT = Path(__file__).resolve().parents[1]
NUMBER = r"[\d,]+\.\d+"


def test_copbots_benchmark_form_is_a_valid_form_of_the_same_8_steps(tmp_path: Path) -> None:
    from bench.peers.common import FIELDS

    path = tmp_path / "form.yaml"
    path.write_text(form_yaml(), encoding="utf-8")
    form = load_form(path)
    assert [step.field for step in form.steps] == FIELDS
    assert {NAME_FIELD, ORGANISATION_FIELD, COUNTRY_FIELD} <= set(FIELDS)
    assert [step.kind for step in form.steps] == [
        "text",
        "email",
        "text",
        "country",
        "multi",
        "number",
        "text",
        "consent",
    ]


@pytest.mark.slow
def test_the_driver_runs_every_bot_and_prints_one_table() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.peers", "--applicants", "50"],
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("bench.peers: 50 applicants, 50 in flight") for line in lines), done.stdout
    for name in ("python-telegram-bot", "aiogram", "copbot"):
        row = rf"^{re.escape(name)} +{NUMBER} +{NUMBER} ms +{NUMBER} ms +\d+ MiB +{NUMBER} s$"
        assert any(re.match(row, line) for line in lines), f"no row for {name}:\n{done.stdout}"
    assert any(re.match(rf"^copbot / PTB: {NUMBER}x forms/s", line) for line in lines), done.stdout
    assert any(re.match(rf"^copbot / aiogram: {NUMBER}x forms/s", line) for line in lines), done.stdout
    assert "same 8 steps" in done.stdout
