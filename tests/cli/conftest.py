"""The ``copbot`` command line in process: Typer's runner, in a clean environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ``COPBOT_*`` setting of the caller's, and a working folder of the test's own."""
    for name in list(os.environ):
        if name.startswith("COPBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run ``copbot ARGS`` with ``env`` added to the environment."""
    return CliRunner().invoke(app, list(args), env=env)
