"""The adapters' declarations, and what the configuration derives from them."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import config
from bot.config import PLATFORMS, Settings, load_settings, qualify_user_id
from bot.core.errors import ConfigurationError
from bot.core.platform import Platform
from bot.platforms import CHAT_SPECS, SPECS, configured_platforms
from bot.platforms.spec import PlatformSpec, UserIdForm
from bot.platforms.telegram.settings import TelegramSettings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("COPBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_the_configuration_knows_exactly_the_declared_platforms() -> None:
    assert PLATFORMS == tuple(spec.name for spec in SPECS) == ("console", "telegram", "matrix")
    assert [spec.name for spec in CHAT_SPECS] == ["telegram", "matrix"]
    assert len(set(PLATFORMS)) == len(PLATFORMS)


def test_every_chat_platform_has_its_settings_group_and_no_other_group_is_a_platform() -> None:
    hints = typing.get_type_hints(Settings)
    models = {spec.settings for spec in CHAT_SPECS}
    groups = {name for name, hint in hints.items() if set(typing.get_args(hint)) & models}
    assert groups == {spec.name for spec in CHAT_SPECS}
    for spec in CHAT_SPECS:
        assert hints[spec.name] == spec.settings | None
        assert Settings.model_fields[spec.name].default is None  # off unless configured


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_each_declaration_names_its_adapter_and_a_valid_example_id(spec: PlatformSpec) -> None:
    adapter = spec.adapter_class()
    assert issubclass(adapter, Platform)
    assert adapter.name == spec.name
    assert qualify_user_id(spec.user_ids.example) == spec.user_ids.example


def test_an_admin_of_an_undeclared_platform_is_refused_naming_the_declared_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COPBOT_ADMINS", "slack:U123")
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert "COPBOT_ADMINS 'slack:U123' is not a platform-qualified user id such as" in message
    assert all(spec.user_ids.example in message for spec in SPECS)
    assert "console:mod, telegram:12345 or matrix:@alice:example.org" in message


def test_a_declared_platform_is_known_to_the_admin_check(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="platform-qualified"):
        qualify_user_id("irc:alice")
    irc = PlatformSpec(
        name="irc",
        package="tests.platforms",
        adapter="tests.platforms.irc:IrcPlatform",
        user_ids=UserIdForm(
            example="irc:alice",
            accepts=lambda nick: nick.lstrip("~").isalpha(),
            problem="{value!r}: IRC nicks are letters, such as {example}",
            bare=lambda text: text.startswith("~"),
        ),
    )
    monkeypatch.setattr(config, "SPECS", (*SPECS, irc))
    assert qualify_user_id("irc:alice") == "irc:alice"
    assert qualify_user_id(" ~bob ") == "irc:~bob"  # accepted bare, as Matrix ids are
    with pytest.raises(ValueError, match="'irc:4lice': IRC nicks are letters, such as irc:alice"):
        qualify_user_id("irc:4lice")
    with pytest.raises(ValueError, match=r"telegram:12345, matrix:@alice:example.org or irc:alice$"):
        qualify_user_id("slack:U123")


def test_a_declaration_refuses_an_adapter_outside_its_package() -> None:
    with pytest.raises(ValueError, match=r"is not a class in bot\.platforms\.telegram"):
        PlatformSpec(
            name="telegram",
            package="bot.platforms.telegram",
            adapter="bot.platforms.matrix.platform:MatrixPlatform",
            user_ids=UserIdForm(example="telegram:1"),
        )


def test_only_configured_chat_platforms_are_built() -> None:
    assert configured_platforms(load_settings()) == []
    settings = Settings(telegram=TelegramSettings(token=SecretStr("123:abc")))
    (platform,) = configured_platforms(settings)
    assert platform.name == "telegram"
    with pytest.raises(ValueError, match="the matrix platform is not configured"):
        next(spec for spec in SPECS if spec.name == "matrix").build(settings)


def test_reading_the_configuration_imports_no_chat_library() -> None:
    libraries = sorted(spec.library for spec in SPECS if spec.library)
    probe = (
        "import sys, bot.config, bot.platforms; "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {libraries!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
