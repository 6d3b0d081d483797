"""Start-up cost: what ``copbot run`` imports before it can answer.

Heavy modules only some commands need are imported when first used: matplotlib by the
first ``/stats`` chart, Alembic only to migrate a schema that is not at head; the
Telegram adapter never needs ``telegram.ext``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _loaded_after(statement: str, modules: tuple[str, ...]) -> list[str]:
    program = f"import sys\n{statement}\nprint(' '.join(m for m in {modules!r} if m in sys.modules))"
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


def test_the_bot_and_its_features_load_neither_matplotlib_nor_alembic_nor_telegram_ext() -> None:
    statement = "import bot.cli, bot.app, bot.platforms.telegram.platform, handlers"
    heavy = ("matplotlib", "alembic", "telegram.ext", "bot.app")
    assert _loaded_after(statement, heavy) == ["bot.app"]


def test_a_chart_loads_matplotlib_when_drawn() -> None:
    statement = (
        "from handlers.members.charts import Panel, render_panels\n"
        "assert render_panels([Panel('t', (('a', 1),))], title='T', empty='-').startswith(b'\\x89PNG')"
    )
    assert _loaded_after(statement, ("matplotlib",)) == ["matplotlib"]


def test_only_the_default_catalog_is_read_at_start() -> None:
    from bot.catalogs import Catalogs

    catalogs = Catalogs(default="en")
    assert list(catalogs._translators) == ["en"]
    assert catalogs.translator("es").locale == "es"
    assert catalogs.translator("xx").locale == "en"
    assert sorted(catalogs._translators) == ["en", "es"]
