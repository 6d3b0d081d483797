"""What the end-to-end tests share: a Synapse per test module that needs one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.platforms.matrix.conftest import start_synapse
from tests.platforms.matrix.synapse import Synapse


@pytest.fixture(scope="module")
def homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A Synapse with its rate limits raised (skipped outside CI when unavailable)."""
    server = start_synapse(tmp_path_factory.mktemp("synapse"))
    yield server
    server.stop()
