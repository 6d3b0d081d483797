"""The observability settings: read from the environment, refused with one clear paragraph."""

from __future__ import annotations

import pytest

from bot.cli.session import _formatter
from bot.config import Settings, load_settings
from bot.core.errors import ConfigurationError
from bot.observability.logs import JsonFormatter


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
