"""The ports-and-adapters shape, guarded: the core and the features never touch a platform."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLATFORM_LIBRARIES = {"telegram", "nio"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(
    "path", python_files("handlers", "bot/core", "storage"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_platform_library_outside_the_adapters(path: Path) -> None:
    offending = {name for name in imports(path) if name.split(".")[0] in PLATFORM_LIBRARIES}
    assert not offending, f"{path} imports {offending}"


@pytest.mark.parametrize("path", python_files("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_adapters_import_platform_libraries(path: Path) -> None:
    # bot/platforms/telegram*.py, bot/platforms/matrix*.py, or a package bot/platforms/matrix/
    parts = path.relative_to(ROOT / "bot").parts
    if (
        parts[0] == "platforms"
        and len(parts) > 1
        and parts[1].split("_")[0].removesuffix(".py") in ("telegram", "matrix")
    ):
        return
    offending = {name for name in imports(path) if name.split(".")[0] in PLATFORM_LIBRARIES}
    assert not offending, f"{path} imports {offending}"


@pytest.mark.parametrize("path", python_files("bot/core"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_core_imports_nothing_of_ours_but_itself(path: Path) -> None:
    ours = {"bot", "handlers", "storage"}
    offending = {
        name for name in imports(path) if name.split(".")[0] in ours and not name.startswith("bot.core")
    }
    assert not offending, f"{path} imports {offending}"


def test_the_top_level_has_the_agreed_shape() -> None:
    tracked = {path.name for path in ROOT.iterdir() if not path.name.startswith(".")}
    expected = {"bot", "handlers", "storage", "locales", "tests", "bench", "pyproject.toml", "README.md"}
    assert expected <= tracked
    extra = (
        tracked
        - expected
        - {"Makefile", "LICENSE", "docs", "copbot.db", "copbot.db-wal", "copbot.db-shm", "var"}
    )
    assert not extra, f"unexpected top-level entries: {extra}"
