"""The observability settings (read from the environment, refused with one clear paragraph) and their documentation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.session import _formatter
from bot.config import Settings, load_settings
from bot.core.errors import ConfigurationError
from bot.observability.logs import JsonFormatter
from bot.observability.metrics import METRIC_NAMES


def test_metrics_and_json_logs_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPBOT_METRICS__LISTEN", "0.0.0.0:9100")
    monkeypatch.setenv("COPBOT_LOG_FORMAT", "json")
    monkeypatch.setenv("COPBOT_INSTANCE", "copbot-2")
    settings = load_settings()
    assert settings.metrics is not None
    assert settings.metrics.listen == "0.0.0.0:9100"
    formatter = _formatter(settings)
    assert isinstance(formatter, JsonFormatter)
    assert formatter.instance == "copbot-2"


def test_by_default_nothing_listens_and_logs_are_text() -> None:
    settings = Settings()
    assert settings.metrics is None
    assert not isinstance(_formatter(settings), JsonFormatter)


@pytest.mark.parametrize("listen", ["9100", "localhost:http", ":9100", "127.0.0.1:70000"])
def test_a_listen_address_without_host_and_port_is_refused(
    monkeypatch: pytest.MonkeyPatch, listen: str
) -> None:
    monkeypatch.setenv("COPBOT_METRICS__LISTEN", listen)
    with pytest.raises(ConfigurationError, match=r"COPBOT_METRICS__LISTEN .* is not host:port"):
        load_settings()


def test_an_unknown_log_format_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPBOT_LOG_FORMAT", "yaml")
    with pytest.raises(ConfigurationError, match="COPBOT_LOG_FORMAT"):
        load_settings()


def test_every_metric_is_documented_for_operators() -> None:
    guide = (Path(__file__).resolve().parents[2] / "docs" / "operators.md").read_text(encoding="utf-8")
    section = guide.split("### Metrics", 1)[1].split("\n## ", 1)[0]
    documented = set(
        re.findall(r"^\| `(copbot_\w+)` \| (?:counter|gauge|histogram) \|", section, re.MULTILINE)
    )
    assert documented == set(METRIC_NAMES)
