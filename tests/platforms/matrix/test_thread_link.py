"""Where a member finds a Matrix thread: a matrix.to link to its root event (no homeserver needed)."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.core.types import ChatRef
from bot.platforms.matrix.platform import MatrixPlatform
from bot.platforms.matrix.settings import MatrixSettings


def test_a_thread_links_to_its_root_event_and_a_chat_without_one_has_no_link(tmp_path: Path) -> None:
    settings = MatrixSettings(
        homeserver="http://127.0.0.1:1",
        user_id="@copbot:example.org",
        password="unused",  # type: ignore[arg-type]
        store_path=tmp_path,
    )
    platform = MatrixPlatform(settings, Settings(matrix=settings))
    thread = ChatRef("matrix", "!community:example.org", "$root-event")
    assert (
        platform.thread_link(thread, None) == "https://matrix.to/#/%21community%3Aexample.org/%24root-event"
    )
    assert platform.thread_link(ChatRef("matrix", "!community:example.org"), None) is None
