"""Fixtures shared by the dialogue tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.fakes import FakeClock, Harness, MirrorPlatform
from tests.handlers.dialogues.mirroring import Mirrored


@pytest.fixture
async def mirrored(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Mirrored]:
    """A running console bot mirroring its community chat to the "remote" platform, on each backend."""
    remote = MirrorPlatform(tmp_path / "remote")
    harness = await Harness.start(db, tmp_path, clock=clock, extra_platforms=[remote])
    yield harness, remote
    await harness.stop()
