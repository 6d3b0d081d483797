"""``copbot wiki import/export`` and ``/wiki`` through ``copbot chat``, as subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.test_chat_cli import copbot

pytestmark = pytest.mark.slow


def test_import_reports_invalid_files_imports_the_rest_and_exports(tmp_path: Path) -> None:
    env = {"COPBOT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'wiki.db'}"}
    folder = tmp_path / "wiki"
    folder.mkdir()
    (folder / "good.md").write_text(
        "---\nkind: material\ntitle: Género y presupuestos\ntags: [budgets]\n---\n\nA body.\n",
        encoding="utf-8",
    )
    (folder / "bad.md").write_text("---\ntitle: Broken\nkind: recipe\n---\n", encoding="utf-8")
    first = copbot("wiki", "import", str(folder), cwd=tmp_path, env=env)
    assert first.returncode == 1
    assert first.stdout.strip() == "1 entries added, 0 updated, 1 invalid"
    problems = " ".join(first.stderr.split())  # the terminal may wrap the line
    assert "bad.md:3: kind: must be one of institution, training, material, opportunity, template" in problems
    (folder / "bad.md").unlink()
    again = copbot("wiki", "import", str(folder), cwd=tmp_path, env=env)
    assert (again.returncode, again.stdout.strip()) == (0, "0 entries added, 1 updated, 0 invalid")
    exported = copbot("wiki", "export", str(tmp_path / "out.json"), cwd=tmp_path, env=env)
    assert exported.stdout.strip() == f"1 entries written to {tmp_path / 'out.json'}"
    [item] = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert (item["slug"], item["title"], item["tags"]) == ("good", "Género y presupuestos", ["budgets"])
    missing = copbot("wiki", "import", str(tmp_path / "nowhere"), cwd=tmp_path, env=env)
    assert missing.returncode == 2


def test_members_search_the_sample_wiki_through_a_pipe(tmp_path: Path) -> None:
    script = "\n".join(
        ["@amina /wiki genero", "@amina /wiki curso-presupuestos-genero", "@carlos /wiki", "/wiki onu"]
    )
    result = copbot("chat", "--as", "alice", cwd=tmp_path, stdin=script + "\n")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "[amina] 1–5 sur 7 résultats :"
    assert "[amina] Curso: presupuestos con perspectiva de género (ejemplo)" in lines
    assert "  (Pas encore traduite en français : affichée en espagnol.)" in lines
    assert "[carlos] La wiki tiene 41 entradas:" in lines
    assert "[alice] Sorry, the wiki is for members only." not in lines  # open to guests by default
    assert any(line.startswith("[alice] 1–") and "results" in line for line in lines), lines
    assert "Traceback" not in result.stderr
