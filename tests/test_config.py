from __future__ import annotations

import typing
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import config
from bot.catalogs import available_locales
from bot.config import PLATFORMS, Settings, load_settings, qualify_user_id
from bot.core.errors import ConfigurationError
from bot.platforms import CHAT_SPECS, SPECS, configured_platforms
from bot.platforms.spec import PlatformSpec, UserIdForm
from bot.platforms.telegram.settings import TelegramSettings


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(__import__("os").environ):
        if name.startswith("COPBOT_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    settings = load_settings()
    assert settings.database_url == "sqlite+aiosqlite:///copbot.db"
    assert (settings.default_locale, settings.timezone, settings.admins) == ("en", "UTC", ())


def test_environment_with_prefix_and_nested_delimiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "COPBOT_ADMINS", "console:mod, telegram:12345,matrix:@alice:example.org,@bob:example.org"
    )
    monkeypatch.setenv("COPBOT_DEFAULT_LOCALE", "fr")
    monkeypatch.setenv("COPBOT_TIMEZONE", "Europe/Zurich")
    monkeypatch.setenv("COPBOT_FLOOD__RATE", "2.5")
    monkeypatch.setenv("COPBOT_DATABASE_URL", "postgresql://copbot@db.example.org/copbot")
    settings = load_settings()
    assert settings.admins == (
        "console:mod",
        "telegram:12345",
        "matrix:@alice:example.org",
        "matrix:@bob:example.org",
    )
    assert settings.default_locale == "fr"
    assert settings.zone.key == "Europe/Zurich"
    assert settings.flood.rate == 2.5
    assert settings.database_url == "postgresql+asyncpg://copbot@db.example.org/copbot"


def test_toml_file_and_environment_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "copbot.toml").write_text(
        'default_locale = "es"\ntimezone = "America/Bogota"\n[flood]\nburst = 3\n'
    )
    monkeypatch.setenv("COPBOT_TIMEZONE", "UTC")
    settings = load_settings()
    assert (settings.default_locale, settings.timezone, settings.flood.burst) == ("es", "UTC", 3)
    other = tmp_path / "other.toml"
    other.write_text('default_locale = "fr"\n')
    assert load_settings(other).default_locale == "fr"


def test_the_wiki_is_open_to_everyone_unless_kept_to_members(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().wiki.access == "everyone"
    monkeypatch.setenv("COPBOT_WIKI__ACCESS", "members")
    assert load_settings().wiki.access == "members"


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        (
            "COPBOT_DEFAULT_LOCALE",
            "xx",
            "COPBOT_DEFAULT_LOCALE 'xx' is not a language copbot speaks; choose one of "
            + ", ".join(available_locales()),
        ),
        ("COPBOT_TIMEZONE", "Mars/Olympus", "COPBOT_TIMEZONE 'Mars/Olympus' is not an IANA time zone"),
        ("COPBOT_ADMINS", "mod", "COPBOT_ADMINS 'mod' is not a platform-qualified user id"),
        ("COPBOT_ADMINS", "telegram:alice", "Telegram user ids are numbers"),
        ("COPBOT_ADMINS", "matrix:alice", "is not a Matrix user id"),
        (
            "COPBOT_DATABASE_URL",
            "mysql://x/y",
            "COPBOT_DATABASE_URL uses 'mysql'; copbot supports SQLite and PostgreSQL",
        ),
        ("COPBOT_DATABASE_URL", "not a url", "is not a database URL"),
        ("COPBOT_FLOOD__RATE", "-1", "COPBOT_FLOOD__RATE Input should be greater than 0"),
        ("COPBOT_WIKI__ACCESS", "guests", "COPBOT_WIKI__ACCESS Input should be 'everyone' or 'members'"),
    ],
)
def test_bad_settings_are_named_in_one_paragraph(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith("copbot cannot start: the configuration is invalid.")
    assert expected in message
    assert "\n" not in message


def test_problems_in_the_toml_file_are_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('default_locale = "en"\ntimzone = "UTC"\n')
    with pytest.raises(
        ConfigurationError, match=r"COPBOT_TIMZONE \(or timzone in .*bad.toml\) is not a setting"
    ):
        load_settings(path)
    path.write_text("this is = = not toml")
    with pytest.raises(ConfigurationError, match="is not valid TOML"):
        load_settings(path)
    with pytest.raises(ConfigurationError, match="does not exist"):
        load_settings(tmp_path / "missing.toml")


def test_qualify_user_id() -> None:
    assert qualify_user_id(" @a:b.org ") == "matrix:@a:b.org"
    assert qualify_user_id("telegram:-100123") == "telegram:-100123"
    with pytest.raises(ValueError, match="platform-qualified"):
        qualify_user_id("slack:U123")


def test_admins_may_be_a_list_in_the_toml_file(tmp_path: Path) -> None:
    (tmp_path / "copbot.toml").write_text('admins = ["telegram:12345", "@alice:example.org"]\n')
    assert load_settings().admins == ("telegram:12345", "matrix:@alice:example.org")


def test_chat_platforms_are_configured_by_their_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().chat_platforms == ()
    assert load_settings().seeds_sample_data  # the console alone gets the sample community
    monkeypatch.setenv("COPBOT_TELEGRAM__TOKEN", "123:abc")
    monkeypatch.setenv("COPBOT_TELEGRAM__COMMUNITY_CHAT_ID", "-1001")
    monkeypatch.setenv("COPBOT_MATRIX__HOMESERVER", "http://127.0.0.1:8008")
    monkeypatch.setenv("COPBOT_MATRIX__USER_ID", "@copbot:localhost")
    monkeypatch.setenv("COPBOT_MATRIX__ACCESS_TOKEN", "secret")
    settings = load_settings()
    assert settings.chat_platforms == ("telegram", "matrix")
    assert not settings.seeds_sample_data  # a real community is not seeded with samples
    assert settings.telegram is not None
    assert settings.telegram.community_chat_id == -1001
    assert "123:abc" not in repr(settings)  # secrets stay out of logs


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"COPBOT_TELEGRAM__TOKEN": "t", "COPBOT_TELEGRAM__WEBHOOK_URL": "https://x"}, "WEBHOOK_SECRET"),
        ({"COPBOT_TELEGRAM__TOKEN": "t", "COPBOT_TELEGRAM__WEBHOOK_LISTEN": "8443"}, "is not host:port"),
        ({"COPBOT_MATRIX__HOMESERVER": "h", "COPBOT_MATRIX__USER_ID": "@a:b"}, "PASSWORD or"),
        (
            {"COPBOT_MATRIX__HOMESERVER": "h", "COPBOT_MATRIX__USER_ID": "a", "COPBOT_MATRIX__PASSWORD": "p"},
            "is not a Matrix user id",
        ),
    ],
)
def test_bad_platform_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        load_settings()


# -- the platforms, as their adapters declare them ----------------------------------


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


def test_only_configured_chat_platforms_are_built() -> None:
    assert configured_platforms(load_settings()) == []
    settings = Settings(telegram=TelegramSettings(token=SecretStr("123:abc")))
    (platform,) = configured_platforms(settings)
    assert platform.name == "telegram"
    with pytest.raises(ValueError, match="the matrix platform is not configured"):
        next(spec for spec in SPECS if spec.name == "matrix").build(settings)
