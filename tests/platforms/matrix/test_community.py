"""A member's community on Matrix, against a real Synapse: prompt numbers, the open wiki, the archive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.platforms.matrix.conftest import ROOT
from tests.platforms.matrix.test_live import answer, community, direct_chat, programme

pytestmark = pytest.mark.slow


def past_programme(path: Path) -> Path:
    """A dialogue that ended ten days ago, imported as history."""
    today = datetime.now(UTC).date()
    path.write_text(
        "slug: matrix-past\ntimezone: UTC\n"
        f"start: {today - timedelta(days=20)}\nend: {today - timedelta(days=10)}\n"
        "title:\n  en: Past dialogue\n"
        f"prompts:\n  - at: {today - timedelta(days=19)} 09:00\n    text:\n      en: What did we learn?\n",
        encoding="utf-8",
    )
    return path


async def test_prompt_numbers_the_open_wiki_and_the_archive(members: Any, bots: Any, tmp_path: Path) -> None:
    mod, guest = await members("mod"), await members("guest")
    bot = bots(admins=f"matrix:{mod.user_id}")
    rooms = await community(mod, bot.user_id)
    bot.env["COPBOT_MATRIX__COMMUNITY_ROOM"] = rooms[0]
    bot.cli("wiki", "import", str(ROOT / "handlers" / "wiki" / "sample"))
    bot.cli("dialogue", "import", str(past_programme(tmp_path / "past.yaml")), "--archive")
    bot.cli("dialogue", "import", str(programme(tmp_path / "dialogue.yaml")))
    bot.start()

    # the thread says the number people type: dialogue 2 (the past one is 1), prompt 1
    _, root = await mod.wait_for_text("What works in your trainings?", rooms[0])
    assert "2.1" in root["content"]["body"]

    # the wiki is open to a guest, who has not applied
    guest_chat = await direct_chat(guest, bot.user_id)
    found = await answer(guest, guest_chat, "!wiki eige", bot.user_id)
    assert "European Institute for Gender Equality" in found["content"]["body"]

    # a reply by that number, privately, is filed under that prompt
    mod_chat = await direct_chat(mod, bot.user_id)
    acknowledged = await answer(mod, mod_chat, "!reply 2.1 Role plays, then a debrief.", bot.user_id)
    assert "2.1" in acknowledged["content"]["body"]

    # the archive: past dialogues listed, a closed one shows its prompts and their replies
    listing = (await answer(mod, mod_chat, "!dialogues all", bot.user_id))["content"]["body"]
    assert "Past dialogue" in listing
    assert "Matrix test dialogue" in listing
    closed = (await answer(mod, mod_chat, "!dialogue 1", bot.user_id))["content"]["body"]
    assert "1.1" in closed
    assert "What did we learn?" in closed
