"""A site to test: the sample community, wiki and dialogue, two members with replies.

One member chose ``/profile quoted on``, the other did not; both have an email in their
application, a handle and a platform id, none of which may reach a page. Shared by the
page tests (tests/handlers/site) and the browser tests (tests/site/test_browser.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.config import Settings
from bot.core.types import Role
from handlers import FEATURES
from handlers.site.build import BuildReport, build_site
from storage.db import Database
from storage.dialogues.repository import DialogueRepository
from storage.directory.repository import DirectoryRepository
from storage.models import Application, Reply
from tests.fakes import FakeClock, add_people

#: (console name, profile name, email, quoted publicly, reply text)
MEMBERS = (
    (
        "quoted_member",
        "Zanele Quoted",
        "zanele.secret@example.org",
        True,
        "Consented reply about role plays.",
    ),
    ("silent_member", "Silent Person", "silent.secret@example.org", False, "Unconsented reply SECRET-TEXT."),
)
#: How far after the sample's start the site is built: every sample prompt is due.
LATER = timedelta(days=60)


@dataclass(frozen=True, slots=True)
class BuiltSite:
    out: Path
    report: BuildReport
    person_ids: dict[str, int]


async def seed(db: Database, clock: FakeClock) -> dict[str, int]:
    """The sample data, two members each with a reply to the sample's first prompt."""
    for feature in FEATURES:
        if feature.seed is not None:
            await feature.seed(db, clock)
    now = clock.now()
    async with db.transaction() as session:
        ids = await add_people(session, now, [(who, [Role.MEMBER], "KE") for who, *_ in MEMBERS])
        dialogues = DialogueRepository(session)
        dialogue = (await dialogues.listed(("open",)))[0]
        prompt = (await dialogues.prompts(dialogue.id))[0]
        for who, name, email, quoted, text in MEMBERS:
            session.add(
                Application(
                    person_id=ids[who],
                    platform="console",
                    platform_user_id=who,
                    status="approved",
                    answers={"full_name": name, "email": email},
                    created_at=now,
                    updated_at=now,
                )
            )
            await DirectoryRepository(session).create(ids[who], now, name=name, quote_publicly=quoted)
            session.add(
                Reply(
                    prompt_id=prompt.id,
                    person_id=ids[who],
                    platform="console",
                    chat_id="community",
                    message_id=f"m-{who}",
                    text=text,
                    created_at=prompt.post_at + timedelta(hours=1),
                )
            )
    return ids


async def build(db: Database, clock: FakeClock, out: Path, settings: Settings | None = None) -> BuildReport:
    return await build_site(db, settings or Settings(), out, now=clock.now() + LATER)


def html_pages(out: Path) -> list[Path]:
    return sorted(out.rglob("*.html"))


_LINK = re.compile(r"""(?:href|src)="([^"]*)\"""")


def internal_links(page: Path) -> list[str]:
    """The page's links to the site's own files (no scheme, not a fragment)."""
    links = _LINK.findall(page.read_text(encoding="utf-8"))
    return [link for link in links if not re.match(r"^[a-z][a-z0-9+.-]*:", link) and not link.startswith("#")]


def external_links(page: Path) -> list[str]:
    """The page's links that leave the site (those with a scheme)."""
    links = _LINK.findall(page.read_text(encoding="utf-8"))
    return [link for link in links if re.match(r"^[a-z][a-z0-9+.-]*:", link)]
