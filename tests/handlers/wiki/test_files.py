"""Wiki files: reading with every problem located, writing what reads back equal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from handlers.wiki.files import Problem, export_entries, import_entries, read_entries, write_entries
from handlers.wiki.sample import WIKI_DIR, seed_sample_wiki
from storage.db import Database
from storage.wiki.data import WikiEntryData
from storage.wiki.repository import WikiRepository
from tests.fakes import FakeClock

NOW = datetime(2026, 9, 22, 9, 0, tzinfo=UTC)


def slug(item: object) -> str:
    return item.slug if isinstance(item, WikiEntryData) else ""


def sample() -> list[WikiEntryData]:
    loaded = list(read_entries(WIKI_DIR))
    assert not [item for item in loaded if isinstance(item, Problem)]
    return [item for item in loaded if isinstance(item, WikiEntryData)]


def test_the_sample_wiki_is_valid_varied_and_marked() -> None:
    entries = sample()
    assert len(entries) >= 40
    assert {entry.kind.value for entry in entries} == {
        "institution",
        "training",
        "material",
        "opportunity",
        "template",
    }
    assert {entry.language for entry in entries} == {"en", "es", "fr"}
    assert {t.language for entry in entries for t in entry.translations} >= {"es", "fr"}
    assert all("sample-data" in entry.tags for entry in entries)
    assert all("copbot" in entry.body.splitlines()[-1] for entry in entries)


def test_invalid_markdown_files_are_reported_with_name_line_and_problem(tmp_path: Path) -> None:
    (tmp_path / "good.md").write_text("---\nkind: template\ntitle: Good\n---\n\nBody.\n", encoding="utf-8")
    (tmp_path / "no-front.md").write_text("Just text\n", encoding="utf-8")
    (tmp_path / "bad-yaml.md").write_text("---\nkind: template\ntitle: [oops\n---\n", encoding="utf-8")
    (tmp_path / "bad-kind.md").write_text("---\ntitle: X\nkind: recipe\n---\n", encoding="utf-8")
    (tmp_path / "bad-date.md").write_text(
        "---\nkind: opportunity\ntitle: X\ndeadline: soon\n---\n", encoding="utf-8"
    )
    (tmp_path / "Bad Slug.md").write_text("---\nkind: material\ntitle: X\n---\n", encoding="utf-8")
    loaded = list(read_entries(tmp_path))
    problems = {item.source: item for item in loaded if isinstance(item, Problem)}
    assert [item.slug for item in loaded if isinstance(item, WikiEntryData)] == ["good"]
    assert problems["no-front.md"].line == 1
    assert "front matter" in problems["no-front.md"].message
    assert problems["bad-yaml.md"].line in (3, 4)
    assert "YAML" in problems["bad-yaml.md"].message
    assert (problems["bad-kind.md"].line, problems["bad-kind.md"].message.split(":")[0]) == (3, "kind")
    assert str(problems["bad-date.md"]).startswith("bad-date.md:4: deadline: ")
    assert problems["Bad Slug.md"].message.startswith("slug: ")


def test_invalid_csv_rows_and_json_items_are_located(tmp_path: Path) -> None:
    table = tmp_path / "wiki.csv"
    table.write_text(
        "kind,slug,title,tags,title_es\n"
        'material,ok-one,Fine,"a, b",Bien\n'
        "recipe,bad-one,Wrong kind,,\n"
        'material,multi-line,"Title\nacross lines",,\n'
        "material,,No slug,,\n",
        encoding="utf-8",
    )
    loaded = list(read_entries(table))
    assert [str(item).split(": ")[0] for item in loaded if isinstance(item, Problem)] == [
        "wiki.csv:3",
        "wiki.csv:6",
    ]
    first = loaded[0]
    assert isinstance(first, WikiEntryData)
    assert (first.tags, first.translations[0].title) == (("a", "b"), "Bien")
    data = tmp_path / "wiki.json"
    data.write_text(
        json.dumps(
            [{"kind": "material", "slug": "a", "title": "A"}, {"kind": "material", "slug": "b"}], indent=2
        ),
        encoding="utf-8",
    )
    [good, bad] = list(read_entries(data))
    assert isinstance(good, WikiEntryData)
    assert str(bad) == "wiki.json:7: title: is missing"
    broken = tmp_path / "broken.json"
    broken.write_text('[\n  {"kind": \n', encoding="utf-8")
    [problem] = list(read_entries(broken))
    assert isinstance(problem, Problem)
    assert problem.line == 3


@pytest.mark.parametrize("target", ["folder", "wiki.csv", "wiki.json"])
def test_every_format_round_trips(tmp_path: Path, target: str) -> None:
    entries = sample()
    write_entries(tmp_path / target, entries)
    back = list(read_entries(tmp_path / target))
    assert len(back) == len(entries)
    for expected, found in zip(sorted(entries, key=slug), sorted(back, key=slug), strict=True):
        assert found == expected


async def test_import_upserts_by_slug_and_export_writes_it_back(db: Database, tmp_path: Path) -> None:
    report = await import_entries(db, read_entries(WIKI_DIR), NOW, batch=7)
    assert (report.created, report.updated, report.problems) == (len(sample()), 0, ())
    again = await import_entries(db, read_entries(WIKI_DIR), NOW)
    assert (again.created, again.updated) == (0, len(sample()))
    assert await export_entries(db, tmp_path / "out") == len(sample())
    assert sorted((tmp_path / "out").glob("*.md")) == sorted(
        tmp_path / "out" / path.name for path in WIKI_DIR.glob("*.md")
    )
    for path in WIKI_DIR.glob("*.md"):
        assert (tmp_path / "out" / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8")


async def test_the_sample_wiki_is_seeded_once(db: Database) -> None:
    clock = FakeClock()
    assert await seed_sample_wiki(db, clock)
    assert not await seed_sample_wiki(db, clock)
    async with db.transaction() as session:
        wiki = WikiRepository(session)
        assert sum((await wiki.count_by_kind()).values()) == len(sample())
        page = await wiki.search("genero", clock.now().date())
    assert page.total >= 2
