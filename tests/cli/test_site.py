"""``copbot site build OUT/``: the database migrated, the site written, what was written said."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import invoke


def test_site_build_writes_every_language_and_says_what(tmp_path: Path) -> None:
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cop.db'}"}
    result = invoke("site", "build", "public", env=env)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote public: 19 pages in 6 languages (en, ar, es, fr, ru, zh), ")
    assert result.output.rstrip().endswith("29 files changed")
    assert (
        (tmp_path / "public/ar/index.html")
        .read_text(encoding="utf-8")
        .startswith('<!doctype html>\n<html lang="ar" dir="rtl">')
    )
    again = invoke("site", "build", "public", env=env)
    assert again.output.rstrip().endswith("; 0 files changed")


def test_site_build_refuses_a_file_a_folder_of_other_files_and_a_bad_base_url(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("")
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cop.db'}"}
    result = invoke("site", "build", "taken", env=env)
    assert result.exit_code == 2
    assert "'taken' is a file" in result.output
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "notes.txt").write_text("mine")
    result = invoke("site", "build", "home", env=env)
    assert result.exit_code == 2
    assert "home: the folder holds other files" in result.output
    assert (tmp_path / "home" / "notes.txt").read_text() == "mine"
    result = invoke("site", "build", "public", env={**env, "COPBOT_SITE__BASE_URL": "cop.example.org"})
    assert result.exit_code == 2
    assert "COPBOT_SITE__BASE_URL" in result.output or "base_url" in result.output
