"""``copbot export dialogue`` and ``copbot wiki export``: the format and the file name agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.cli.conftest import invoke


@pytest.fixture
def dialogue(tmp_path: Path) -> dict[str, str]:
    """The environment of a database holding dialogue 1."""
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'copbot.db'}"}
    start = datetime.now(UTC).date() + timedelta(days=30)
    programme = tmp_path / "autumn.yaml"
    programme.write_text(
        f"slug: autumn\nstart: {start}\nend: {start + timedelta(days=5)}\ntitle: {{en: Autumn}}\n"
        f'prompts:\n  - at: {start} 09:00\n    text: {{en: "Why?"}}\n',
        encoding="utf-8",
    )
    result = invoke("dialogue", "import", str(programme), env=env)
    assert result.exit_code == 0, result.output
    return env


def test_the_format_names_the_default_file(tmp_path: Path, dialogue: dict[str, str]) -> None:
    result = invoke("export", "dialogue", "1", "--format", "html", env=dialogue)
    assert (result.exit_code, result.output.strip()) == (0, "wrote dialogue-1.html")
    assert "<h1>Autumn</h1>" in (tmp_path / "dialogue-1.html").read_text(encoding="utf-8")
    plain = invoke("export", "dialogue", "1", env=dialogue)
    assert plain.output.strip() == "wrote dialogue-1.md"
    assert (tmp_path / "dialogue-1.md").read_text(encoding="utf-8").startswith("# Autumn")


def test_the_extension_chooses_the_format(tmp_path: Path, dialogue: dict[str, str]) -> None:
    result = invoke("export", "dialogue", "1", "-o", "out/autumn.HTML", env=dialogue)
    assert result.exit_code == 0, result.output
    assert "<h1>Autumn</h1>" in (tmp_path / "out" / "autumn.HTML").read_text(encoding="utf-8")
    json = invoke("export", "dialogue", "1", "-o", "autumn.json", "--format", "json", env=dialogue)
    assert json.exit_code == 0, json.output
    assert (tmp_path / "autumn.json").read_text(encoding="utf-8").lstrip().startswith("{")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--format", "csv", "-o", "out.html"),
            "--format csv does not match out.html, which names a .html file",
        ),
        (("-o", "out.xlsx"), "out.xlsx: the file name must end in the format's extension, one of .md, .html"),
        (("-o", "out"), "out: the file name must end in the format's extension"),
        (("--format", "pdf"), "--format must be one of md, html, csv, json; 'pdf' is not."),
    ],
)
def test_a_mismatch_or_an_unknown_extension_is_refused(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = invoke("export", "dialogue", "1", *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert sorted(path.name for path in tmp_path.iterdir()) == []  # nothing written, no database made


def test_the_wiki_export_refuses_an_unknown_extension(tmp_path: Path) -> None:
    result = invoke("wiki", "export", "wiki.xlsx")
    assert result.exit_code == 2
    assert "wiki.xlsx: the wiki is exported to a .csv or .json file, or to a folder" in " ".join(
        result.output.split()
    )
    assert not (tmp_path / "wiki.xlsx").exists()


def test_the_wiki_export_writes_a_file_or_a_folder(tmp_path: Path) -> None:
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'copbot.db'}"}
    for target in ("wiki.json", "wiki.CSV", "pages", "pages.v2"):
        if target == "pages.v2":
            (tmp_path / target).mkdir()  # an existing folder is a folder whatever its name
        result = invoke("wiki", "export", target, env=env)
        assert result.exit_code == 0, result.output
    assert (tmp_path / "wiki.json").is_file()
    assert (tmp_path / "wiki.CSV").is_file()
    assert (tmp_path / "pages").is_dir()
