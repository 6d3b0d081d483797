"""The house's layers, guarded: imports run one way and never in a circle.

``bot/core`` ← ``storage`` ← the kit features build on (``bot/forms``, ``bot/services``,
``bot/features``, ``bot/config``, ``bot/catalogs``, ``bot/web``) ← ``handlers`` ← the shell
(``bot/app.py`` and the CLI wire the features in) and the platforms.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("bot", "handlers", "storage")
#: What a feature may use of ``bot/`` besides the kernel (``bot.web`` serves the public site's folder).
KIT = (
    "bot.forms",
    "bot.services",
    "bot.features",
    "bot.config",
    "bot.site_settings",
    "bot.catalogs",
    "bot.web",
)
#: The only modules of ``bot/`` that import features: they wire them in.
WIRING = ("bot.app", "bot.cli", "bot.__main__")


def module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_of(path): path
    for top in OURS
    for path in sorted((ROOT / top).rglob("*.py"))
    if "migrations" not in path.parts
}


def _within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def imported(module: str) -> set[str]:
    """Our modules that ``module`` imports, anywhere in its file (lazy imports count too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                names.add(submodule if submodule in MODULES else base)
    return {name for name in names if name in MODULES}


def edges() -> Iterator[tuple[str, str]]:
    for module in MODULES:
        for target in imported(module):
            if target != module:
                yield module, target


def _offences(source: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, target in edges()
        if _within(module, *source) and not _within(target, *allowed)
    )


def test_the_kernel_imports_only_itself() -> None:
    assert _offences(("bot.core",), ("bot.core",)) == []


def test_storage_builds_on_the_kernel_only() -> None:
    assert _offences(("storage",), ("bot.core", "storage")) == []


def test_the_kit_features_use_stands_below_the_features_and_the_shell() -> None:
    # bot/config reads the platform adapters' declarations (their settings), never an adapter's code
    allowed = ("bot.core", "storage", *KIT, "bot.platforms")
    assert _offences(KIT, allowed) == []


def test_features_use_the_kernel_storage_and_the_kit_only() -> None:
    assert _offences(("handlers",), ("bot.core", "storage", *KIT, "handlers")) == []


def test_in_bot_only_the_wiring_imports_a_feature() -> None:
    offending = sorted(
        f"{module} -> {target}"
        for module, target in edges()
        if _within(target, "handlers") and not _within(module, "handlers", *WIRING)
    )
    assert offending == []


def test_platforms_know_nothing_of_features_or_storage() -> None:
    offending = [edge for edge in _offences(("bot.platforms",), OURS) if "-> handlers" in edge]
    offending += [edge for edge in _offences(("bot.platforms",), ("bot", "handlers")) if "-> storage" in edge]
    assert offending == []


def _circles() -> list[list[str]]:
    """The import cycles among our modules (Tarjan's strongly connected components)."""
    graph: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, target in edges():
        graph[module].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return circles


def test_no_module_imports_itself_through_others() -> None:
    # a package imports its own modules to declare itself; those modules must not import it back
    assert _circles() == []


@pytest.mark.parametrize(
    "feature", sorted(p.name for p in (ROOT / "handlers").iterdir() if p.is_dir() and p.name != "__pycache__")
)
def test_each_feature_declares_itself(feature: str) -> None:
    import importlib

    from bot.features import Feature

    declared = getattr(importlib.import_module(f"handlers.{feature}"), "FEATURE", None)
    assert isinstance(declared, Feature)
    assert declared.name == feature
    from handlers import FEATURES

    assert declared in FEATURES, f"handlers.{feature} is not listed in handlers.FEATURES"


def test_the_layer_check_sees_an_upward_import() -> None:
    # the checks above are only worth something if they can fail
    assert "storage.db" in imported("storage.events") or "storage.models" in imported("storage.events")
    assert any(target.startswith("handlers") for target in imported("bot.app"))
    assert _within("handlers.wiki.add", "handlers")
    assert not _within("handlersx", "handlers")
