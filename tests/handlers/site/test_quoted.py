"""``/profile quoted on|off``: a member's consent to be quoted on the public site, end to end."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.core.types import Role
from storage.db import Database
from storage.models import MemberProfile
from tests.fakes import FakeClock, start_with_people
from tests.site.builder import build, seed


async def _quoted(db: Database, person_id: int) -> bool | None:
    async with db.transaction() as session:
        return await session.scalar(
            select(MemberProfile.quote_publicly).where(MemberProfile.person_id == person_id)
        )


async def test_quoted_on_publishes_the_replies_and_forget_removes_them(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    ids = await seed(db, clock)  # silent_member has a reply, and said no so far
    harness, _ = await start_with_people(db, tmp_path, clock, [("admin", [Role.ADMIN], None)])
    try:
        lines = await harness.say("/profile", as_="silent_member")
        assert "  Your replies to dialogues are not quoted on the public site." in lines
        assert harness.payloads()[-1] == "profile:quote"
        lines = await harness.say("/profile quoted on", as_="silent_member")
        assert lines[0] == "[silent_member] Your profile is saved."
        assert "  Your replies to dialogues may be quoted on the public site, with your name." in lines
        assert harness.payloads()[-1] == "profile:unquote"
        assert await _quoted(db, ids["silent_member"]) is True
        out = tmp_path / "site"
        await build(db, clock, out)
        archive = (out / "en/dialogue/1.html").read_text(encoding="utf-8")
        assert "Unconsented reply SECRET-TEXT." in archive
        assert "Silent Person" in archive

        await harness.press("profile:unquote", as_="silent_member")
        assert await _quoted(db, ids["silent_member"]) is False
        await harness.press("profile:quote", as_="silent_member")
        assert await _quoted(db, ids["silent_member"]) is True

        await harness.say("/forget", as_="silent_member")
        assert (await harness.say("#1", as_="silent_member"))[0].endswith(
            "everything I stored about you has been deleted."
        )
        assert await _quoted(db, ids["silent_member"]) is None
        report = await build(db, clock, out)
        assert "en/dialogue/1.html" in report.changed
        archive = (out / "en/dialogue/1.html").read_text(encoding="utf-8")
        assert "SECRET-TEXT" not in archive
        assert "Silent Person" not in archive
    finally:
        await harness.stop()


async def test_quoted_in_another_language(db: Database, clock: FakeClock, tmp_path: Path) -> None:
    harness, ids = await start_with_people(db, tmp_path, clock, [("lucia", [Role.MEMBER], "AR")])
    try:
        lines = await harness.say("/profile quoted sí", as_="lucia", lang="es")
        assert lines[0] == "[lucia] Tu perfil se ha guardado."
        assert "  Tus respuestas a los diálogos pueden citarse en el sitio público, con tu nombre." in lines
        assert await _quoted(db, ids["lucia"]) is True
        lines = await harness.say("/profile quoted non", as_="lucia", lang="fr")
        assert "  Vos réponses aux dialogues ne sont pas citées sur le site public." in lines
        assert await _quoted(db, ids["lucia"]) is False
        lines = await harness.say("/profile quoted peut-être", as_="lucia", lang="fr")
        assert lines == ["[lucia] Écrivez on ou off après /profile quoted."]
    finally:
        await harness.stop()
