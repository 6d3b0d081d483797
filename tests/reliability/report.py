"""Print the reliability table from the figures the suite recorded.

Usage: ``python -m tests.reliability.report [FIGURES.jsonl]`` (by default the full run's,
``var/reliability/full.jsonl``). One row per scenario and database, in the order run.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[2]


def load(path: Path) -> list[dict[str, Any]]:
    """The recorded lines; a scenario run twice on a database keeps its last figures."""
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows[(row["scenario"], row["database"])] = row
    return list(rows.values())


def figures_text(figures: dict[str, Any]) -> str:
    return ", ".join(f"{name} {value}" for name, value in figures.items())


def table(rows: list[dict[str, Any]]) -> Table:
    modes = sorted({row["mode"] for row in rows})
    result = Table(title=f"copbot reliability ({', '.join(modes)} run)", show_lines=False)
    result.add_column("scenario")
    result.add_column("database")
    result.add_column("figures")
    result.add_column("s", justify="right")
    result.add_column("result")
    for row in rows:
        verdict = "[green]pass[/green]" if row["passed"] else "[red]FAIL[/red]"
        result.add_row(
            row["scenario"], row["database"], figures_text(row["figures"]), str(row["seconds"]), verdict
        )
    return result


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else ROOT / "var" / "reliability" / "full.jsonl"
    if not path.exists():
        print(f"no figures at {path}: run the suite first (make reliability)", file=sys.stderr)
        return 2
    rows = load(path)
    Console(width=160).print(table(rows))
    failed = sum(1 for row in rows if not row["passed"])
    print(f"{len(rows) - failed} passed, {failed} failed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
