"""Start-up cost: what ``copbot run`` imports before it can answer.

Heavy modules only some commands need are imported when first used: matplotlib by the
first ``/stats`` chart, Alembic only to migrate a schema that is not at head, aiohttp's
server and prometheus_client only with ``COPBOT_METRICS__LISTEN``, markdown-it by the
first Markdown text, rapidfuzz by the first misspelt answer; the Telegram adapter never
needs ``telegram.ext``.
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


def test_the_bot_loads_no_metrics_server_markdown_parser_or_fuzzy_matcher_before_they_are_needed() -> None:
    statement = "import bot.cli, bot.app, bot.platforms.telegram.platform, handlers"
    heavy = ("aiohttp", "prometheus_client", "markdown_it", "rapidfuzz", "bot.app")
    assert _loaded_after(statement, heavy) == ["bot.app"]


def test_metrics_load_prometheus_client_and_the_server_when_configured() -> None:
    statement = (
        "from bot.config import MetricsSettings, Settings\n"
        "from bot.core.clock import SystemClock\n"
        "from bot.observability.wiring import Observability\n"
        "from storage.db import Database\n"
        "settings = Settings(database_url='sqlite+aiosqlite://', metrics=MetricsSettings(listen='127.0.0.1:0'))\n"
        "observability = Observability(settings, Database(settings.database_url), SystemClock(), ['application'])\n"
        "assert observability.metrics is not None and observability.inner_middlewares()"
    )
    assert _loaded_after(statement, ("prometheus_client", "bot.observability.metrics")) == [
        "prometheus_client",
        "bot.observability.metrics",
    ]


def test_a_misspelt_country_and_a_markdown_text_load_their_libraries_when_first_met() -> None:
    statement = (
        "from bot.forms.countries import resolve_country\n"
        "from bot.forms.markdown import markdown_text\n"
        "assert resolve_country('Argentinna').code == 'AR'\n"
        "assert 'bold' in str(markdown_text('**bold**'))"
    )
    assert _loaded_after(statement, ("rapidfuzz", "markdown_it")) == ["rapidfuzz", "markdown_it"]


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


def test_country_names_in_six_languages_keep_babels_data_of_none_but_english() -> None:
    statement = (
        "from bot.core.formats import Formats\n"
        "from bot.forms.countries import country_name, resolve_country\n"
        "from babel import localedata\n"
        "assert resolve_country('Кения').code == 'KE' and resolve_country('肯尼亚').code == 'KE'\n"
        "assert country_name('KE', 'ar') == 'كينيا'\n"
        "Formats('en').number(3)\n"
        "print(*sorted(localedata._cache))"
    )
    done = subprocess.run(
        [sys.executable, "-c", statement], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["en", "root"]
