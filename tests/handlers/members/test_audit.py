"""``/audit`` in words: every action code as a translated sentence, on both backends."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.types import Role
from handlers.members.audit import ACTIONS
from storage.audit import AuditLog
from storage.db import Database
from tests.fakes import FakeClock, Harness, start_with_people

HANDLERS = Path(__file__).resolve().parents[3] / "handlers"
#: ``action="person.ban"``, ``_audit(ctx, "dialogue.create"`` and the like.
_RECORDED = re.compile(r'(?:action=|_audit\(ctx,\s*)f?"([a-z_]+\.[^"]+)"')


def recorded_actions() -> set[str]:
    """Every action code a handler records, read from the source."""
    found: set[str] = set()
    for path in HANDLERS.rglob("*.py"):
        for code in _RECORDED.findall(path.read_text()):
            if "{" in code:  # f"application.{'approve' if approved else 'reject'}"
                stem = code.partition("{")[0]
                found |= {stem + word for word in re.findall(r"'([a-z_]+)'", code)}
            else:
                found.add(code)
    return found


def test_every_recorded_action_has_a_sentence() -> None:
    actions = recorded_actions()
    assert {"person.ban", "application.approve", "application.reject", "wiki.edit"} <= actions
    assert actions - {"access.denied"} - set(ACTIONS) == set()


@pytest.fixture
async def community(db: Database, tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    harness, people = await start_with_people(
        db, tmp_path, clock, (("mod", [Role.MEMBER, Role.MODERATOR], None), ("carlos", [Role.MEMBER], None))
    )
    now = clock.now()
    async with db.transaction() as session:
        log = AuditLog(session)
        mod = {"actor": "console:mod", "actor_person_id": people["mod"]}
        await log.record(
            at=now, action="person.ban", target=f"person:{people['carlos']}", reason="spam", **mod
        )
        await log.record(at=now, action="application.reject", target="application:7", reason="no CV", **mod)
        await log.record(
            at=now,
            action="access.denied",
            target="ban",
            details={"person": f"person:{people['mod']}", "protects": "self", "role": "moderator"},
            **mod,
        )
        await log.record(at=now, action="access.denied", target="members", actor="console:carlos")
        await log.record(at=now, action="wiki.edit", target="budgeting", details={"field": "title"}, **mod)
        await log.record(at=now, action="thing.frobnicate", target="thing:1", **mod)
    yield harness
    await harness.stop()


async def test_the_audit_log_reads_as_sentences(community: Harness) -> None:
    lines = await community.say("/audit", as_="mod")
    assert lines == [
        "[mod] Audit log, entries 1-6 of 6:",
        "  Sep 22, 2026, 9:00\u202fAM Mod (#1) thing.frobnicate thing:1",  # not described: shown as recorded
        "  Sep 22, 2026, 9:00\u202fAM Mod (#1) changed the title of the wiki entry budgeting",
        "  Sep 22, 2026, 9:00\u202fAM console:carlos was refused /members",
        "  Sep 22, 2026, 9:00\u202fAM Mod (#1) was refused /ban against themselves",
        "  Sep 22, 2026, 9:00\u202fAM Mod (#1) rejected application #7. Reason: no CV",
        "  Sep 22, 2026, 9:00\u202fAM Mod (#1) banned Carlos (#2). Reason: spam",
    ]


async def test_the_audit_log_speaks_the_moderators_language(community: Harness) -> None:
    lines = await community.say("/audit 2", as_="mod", lang="fr")
    assert lines[1:3] == [
        "  22 sept. 2026, 09:00 Mod (#1) thing.frobnicate thing:1",
        "  22 sept. 2026, 09:00 Mod (#1) a modifié le champ title de la fiche du wiki budgeting",
    ]
