"""The ports-and-adapters shape, guarded: the core and the features never touch a platform."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from bot.platforms import SPECS
from bot.platforms.spec import PlatformSpec

ROOT = Path(__file__).resolve().parent.parent
#: The chat libraries, as the adapters declare them (python-telegram-bot, matrix-nio...).
PLATFORM_LIBRARIES = {spec.library for spec in SPECS if spec.library is not None}


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


def adapter_home(spec: PlatformSpec) -> Path:
    """The adapter's package folder, or its module file (the console)."""
    path = ROOT.joinpath(*spec.package.split("."))
    return path if path.is_dir() else path.with_suffix(".py")


def libraries_allowed_in(path: Path) -> set[str]:
    """The chat libraries ``path`` may import: its adapter's, if it is in one."""
    return {
        spec.library for spec in SPECS if spec.library is not None and path.is_relative_to(adapter_home(spec))
    }


@pytest.mark.parametrize(
    "path", python_files("handlers", "bot/core", "storage"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_platform_library_outside_the_adapters(path: Path) -> None:
    offending = {name for name in imports(path) if name.split(".")[0] in PLATFORM_LIBRARIES}
    assert not offending, f"{path} imports {offending}"


@pytest.mark.parametrize("path", python_files("bot"), ids=lambda p: str(p.relative_to(ROOT)))
def test_only_the_adapters_import_platform_libraries(path: Path) -> None:
    # each adapter its own library only: the Telegram package may not import matrix-nio
    forbidden = PLATFORM_LIBRARIES - libraries_allowed_in(path)
    offending = {name for name in imports(path) if name.split(".")[0] in forbidden}
    assert not offending, f"{path} imports {offending}"


@pytest.mark.parametrize("spec", [spec for spec in SPECS if spec.library], ids=lambda spec: spec.name)
def test_each_adapter_home_holds_the_adapter_that_imports_its_library(spec: PlatformSpec) -> None:
    home = adapter_home(spec)
    files = python_files(str(home.relative_to(ROOT))) if home.is_dir() else [home]
    assert any(spec.library in {name.split(".")[0] for name in imports(path)} for path in files), (
        f"nothing in {home} imports {spec.library}: the declaration names the wrong package or library"
    )


def test_ruff_bans_the_platform_libraries_outside_their_adapters() -> None:
    lint = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["ruff"]["lint"]
    assert set(lint["flake8-tidy-imports"]["banned-api"]) == PLATFORM_LIBRARIES
    allowed = {
        pattern
        for pattern, codes in lint["per-file-ignores"].items()
        if "TID251" in codes and pattern.startswith("bot/")
    }
    homes = {spec.package.replace(".", "/") + "/**" for spec in SPECS if spec.library is not None}
    assert allowed == homes


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
        - {"Dockerfile", "deploy"}  # the container image and the systemd unit (docs/operators.md#deployment)
    )
    assert not extra, f"unexpected top-level entries: {extra}"
