"""``copbot site build``: the public site's pages, on both backends, and what they never show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from handlers.site.build import build_site
from storage.db import Database
from storage.models import Identity
from storage.wiki.data import WikiEntryData
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock
from tests.site.builder import MEMBERS, BuiltSite, build, external_links, html_pages, internal_links, seed

LANGUAGES = ("en", "ar", "es", "fr", "ru", "zh")
#: One page of each type, under each language's folder.
PAGE_TYPES = (
    "index.html",
    "terms.html",
    "wiki/index.html",
    "wiki/un-women.html",
    "kind/training.html",
    "region/019.html",
    "country/mx.html",
    "dialogue/1.html",
)


@pytest.fixture
async def site(db: Database, clock: FakeClock, tmp_path: Path) -> BuiltSite:
    ids = await seed(db, clock)
    out = tmp_path / "site"
    return BuiltSite(out, await build(db, clock, out), ids)


async def test_every_page_type_is_written_in_every_language(site: BuiltSite) -> None:
    assert site.report.languages == LANGUAGES
    for language in LANGUAGES:
        for page in PAGE_TYPES:
            assert (site.out / language / page).is_file(), f"{language}/{page}"
        index = json.loads((site.out / language / "search.json").read_text(encoding="utf-8"))
        assert len(index["href"]) == len(list((site.out / language / "wiki").glob("*.html"))) - 1
    assert (site.out / "index.html").is_file()
    assert site.report.pages == len(html_pages(site.out))
    home = (site.out / "es/index.html").read_text(encoding="utf-8")
    assert "<h1>Comunidad de práctica de formadoras y formadores en género</h1>" in home
    terms = (site.out / "fr/terms.html").read_text(encoding="utf-8")
    assert "<h1>Termes de référence</h1>" in terms
    assert "<h2>Termes de référence de la communauté de pratique</h2>" in terms  # the form's own text
    entry = (site.out / "es/wiki/un-women.html").read_text(encoding="utf-8")
    assert "<h1>ONU Mujeres</h1>" in entry


async def test_replies_appear_only_with_consent_and_nothing_else_of_a_member(
    site: BuiltSite, db: Database
) -> None:
    async with db.transaction() as session:
        identities = list(await session.scalars(select(Identity)))
    secrets = [email for _, _, email, _, _ in MEMBERS] + ["SECRET-TEXT", "Silent Person"]
    secrets += [f"@{identity.username}" for identity in identities if identity.username]
    secrets += [identity.platform_user_id for identity in identities]
    secrets += [identity.display_name for identity in identities if identity.display_name]
    for page in [*html_pages(site.out), *site.out.rglob("*.json")]:
        text = page.read_text(encoding="utf-8")
        for secret in secrets:
            assert not re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text), f"{secret!r} in {page}"
    for language in LANGUAGES:
        archive = (site.out / language / "dialogue/1.html").read_text(encoding="utf-8")
        assert "Consented reply about role plays." in archive
        assert "Zanele Quoted" in archive


async def test_every_internal_link_resolves_and_nothing_is_fetched_from_elsewhere(site: BuiltSite) -> None:
    for page in html_pages(site.out):
        for link in internal_links(page):
            target = (page.parent / link.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(site.out)} links to {link}"
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"""src="[a-z]+:""", text), page  # scripts, styles, images: our own only
        assert not re.search(r"""<link [^>]*rel="stylesheet"[^>]*href="[a-z]+:""", text), page
        for link in external_links(page):  # the links that leave: wiki entries' and joining
            assert link.startswith(("https://", "http://")), link


async def test_pages_are_small_arabic_is_right_to_left_and_every_page_has_its_languages(
    site: BuiltSite,
) -> None:
    for page in html_pages(site.out):
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < 50_000, page
        assert text.count("<h1") == 1, page
        for landmark in (
            ("<main", "<nav") if page.parent == site.out else ("<header", "<nav", "<main", "<footer")
        ):
            assert landmark in text, (page, landmark)
        alternates = re.findall(r'<link rel="alternate" hreflang="([a-zA-Z-]+)" href="([^"]+)">', text)
        assert [code for code, _ in alternates] == [*LANGUAGES, "x-default"], page
        for _, href in alternates:
            assert (page.parent / href).resolve().is_file(), (page, href)
        relative = page.relative_to(site.out).parts
        if relative[0] == "ar":
            assert '<html lang="ar" dir="rtl">' in text, page
        elif len(relative) > 1:
            assert f'<html lang="{relative[0]}" dir="ltr">' in text, page


async def test_the_same_database_gives_the_same_bytes_and_a_rebuild_changes_nothing(
    site: BuiltSite, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    await build(db, clock, again)
    first = {path.relative_to(site.out): path.read_bytes() for path in site.out.rglob("*") if path.is_file()}
    second = {path.relative_to(again): path.read_bytes() for path in again.rglob("*") if path.is_file()}
    assert first == second
    assert (await build(db, clock, site.out)).changed == ()
    stale = site.out / "en" / "wiki" / "removed-entry.html"
    stale.write_text("old")
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        entry = await wiki.get("un-women")
        assert entry is not None
        await wiki.update(entry, {"summary": "A new summary."}, clock.now())
    changed = (await build(db, clock, site.out)).changed
    assert "en/wiki/removed-entry.html" in changed
    assert not stale.exists()
    assert "en/wiki/un-women.html" in changed
    assert "en/terms.html" not in changed


async def test_long_lists_and_long_entries_are_cut_into_pages(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        for number in range(95):
            await wiki.upsert(
                WikiEntryData(
                    kind="training",
                    slug=f"course-{number:03}",
                    title=f"Course {number:03} on gender budgeting",
                    summary="A course. " * 40,
                    country="KE",
                ),
                clock.now(),
            )
        body = "\n\n".join(f"Paragraph {n}: " + "gender training " * 60 for n in range(45))
        await wiki.upsert(
            WikiEntryData(kind="material", slug="long-manual", title="Long manual", body=body), clock.now()
        )
    out = tmp_path / "site"
    await build_site(db, Settings(), out, now=clock.now())
    kind_pages = sorted(path.name for path in (out / "en/kind").glob("training*.html"))
    assert kind_pages == ["training.html", "training.p2.html", "training.p3.html"]
    assert (out / "en/wiki/long-manual.p2.html").is_file()
    page = (out / "en/kind/training.p2.html").read_text(encoding="utf-8")
    assert 'rel="prev"' in page
    assert 'rel="next"' in page
    assert "Page 2 of 3" in page
    for path in html_pages(out):
        assert path.stat().st_size < 50_000, path


async def test_join_links_come_from_the_configured_platforms(
    site: BuiltSite, db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    home = (site.out / "en/index.html").read_text(encoding="utf-8")
    assert "t.me" not in home
    assert "matrix.to" not in home
    settings = Settings(
        telegram={"token": "123:abc"},  # type: ignore[arg-type]
        matrix={"homeserver": "https://matrix.example.org", "user_id": "@cop:example.org", "password": "x"},  # type: ignore[arg-type]
        site={"telegram_username": "@cop_bot", "base_url": "https://cop.example.org"},  # type: ignore[arg-type]
    )
    out = tmp_path / "configured"
    await build(db, clock, out, settings)
    home = (out / "fr/index.html").read_text(encoding="utf-8")
    assert 'href="https://t.me/cop_bot?start=apply"' in home
    assert 'href="https://matrix.to/#/@cop:example.org"' in home
    assert '<link rel="canonical" href="https://cop.example.org/fr/index.html">' in home
    assert '<link rel="alternate" hreflang="es" href="https://cop.example.org/es/index.html">' in home
