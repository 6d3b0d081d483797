"""Settings: environment variables (``COPBOT_*``), then ``copbot.toml``, then defaults.

Nested groups use ``__`` in environment variables (``COPBOT_FLOOD__RATE=2``) and tables
in the TOML file (``[flood]``). A bad value stops the program with one readable
paragraph naming the setting (see :func:`load_settings`), never a traceback.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import types
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.catalogs import available_locales
from bot.core.errors import ConfigurationError
from bot.forms.loading import FormFileError, load_form
from bot.platforms import CHAT_SPECS, SPECS
from bot.platforms.matrix.settings import MatrixSettings
from bot.platforms.telegram.settings import TelegramSettings
from bot.site_settings import SiteSettings, WebSettings, host_and_port

ENV_PREFIX = "COPBOT_"
DEFAULT_CONFIG_FILE = Path("copbot.toml")
#: Every platform's name, as its adapter declares it: the prefixes of user ids.
PLATFORMS = tuple(spec.name for spec in SPECS)
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
}


class FloodSettings(BaseModel):
    """Per-user flood limit: ``burst`` messages at once, then ``rate`` per second."""

    rate: float = Field(default=1.0, gt=0)
    burst: int = Field(default=12, ge=1)


class WikiSettings(BaseModel):
    """Who may search and read the wiki (adding and editing stay with moderators).

    ``everyone`` by default, guests included: visitors are future applicants, and the
    community's aims include open access to information on gender training.
    ``members`` keeps it to members (``COPBOT_WIKI__ACCESS=members``).
    """

    model_config = ConfigDict(extra="forbid")

    access: Literal["everyone", "members"] = "everyone"


class MetricsSettings(BaseModel):
    """Where ``/healthz``, ``/readyz`` and ``/metrics`` are served (``COPBOT_METRICS__LISTEN``)."""

    model_config = ConfigDict(extra="forbid")

    #: ``host:port``, e.g. ``127.0.0.1:9100`` or ``[::]:9100``; port 0 picks a free port.
    listen: str

    _listen = field_validator("listen")(host_and_port)


class Settings(BaseSettings):
    """Everything copbot can be told from outside.

    Each chat platform in :data:`bot.platforms.CHAT_SPECS` has a settings group named
    after it, of the model its declaration names; setting the group turns the platform
    on. The groups are written out below so that they are typed; a test holds them to
    the declarations.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )

    database_url: str = "sqlite+aiosqlite:///copbot.db"
    default_locale: str = "en"
    timezone: str = "UTC"
    admins: Annotated[tuple[str, ...], NoDecode] = ()
    flood: FloodSettings = FloodSettings()
    wiki: WikiSettings = WikiSettings()
    #: The public web site (``copbot site build``).
    site: SiteSettings = SiteSettings()
    #: Serving it from ``copbot run`` (:mod:`handlers.site.serving`); off unless configured.
    web: WebSettings | None = None
    sample_data: bool | None = None
    files_dir: Path = Path("var/files")
    #: How often the dialogue job looks for due prompts (a safety net behind exact timers).
    dialogue_tick_seconds: float = Field(default=60.0, gt=0)
    #: Relay members' messages in the community's general chat between the platforms, as
    #: the dialogue threads always are (``COPBOT_MIRROR_GENERAL_CHAT=true``).
    mirror_general_chat: bool = False
    log_level: str = "INFO"
    #: ``text`` for people, ``json`` for a log collector: one JSON object per line.
    log_format: Literal["text", "json"] = "text"
    #: Names this process in JSON logs; ``hostname:pid`` by default.
    instance: str | None = None
    #: The health and metrics endpoints (:mod:`bot.observability`); off unless configured.
    metrics: MetricsSettings | None = None
    #: A YAML file replacing the default application form (see handlers/application/form.py).
    application_form: Path | None = None
    #: Days without an answer before an applicant is reminded of an unfinished form.
    form_reminder_days: int = Field(default=3, ge=1)
    #: Days without an answer before an unfinished form is discarded.
    form_expiry_days: int = Field(default=14, ge=1)
    #: Days an application may wait for a decision before moderators are reminded daily.
    review_reminder_days: int = Field(default=2, ge=1)
    #: Rejected applications are deleted this many days after the decision.
    retention_days: int = Field(default=180, ge=1)
    #: A Markdown file replacing the Terms of Reference shipped in locales/<lang>/terms.md.
    terms_file: Path | None = None
    #: The Telegram platform (:mod:`bot.platforms.telegram`); off unless configured.
    telegram: TelegramSettings | None = None
    #: The Matrix platform (:mod:`bot.platforms.matrix`); off unless configured.
    matrix: MatrixSettings | None = None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = settings_cls.model_config.get("toml_file")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)

    @field_validator("database_url")
    @classmethod
    def _async_database_url(cls, value: str) -> str:
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("is not a database URL such as sqlite+aiosqlite:///copbot.db") from None
        backend, driver = url.get_backend_name(), url.get_driver_name()
        if backend not in ("sqlite", "postgresql"):
            raise ValueError(f"uses {backend!r}; copbot supports SQLite and PostgreSQL")
        if driver in ("aiosqlite", "asyncpg"):
            return value
        return url.set(drivername=_ASYNC_DRIVERS[backend]).render_as_string(hide_password=False)

    @field_validator("default_locale")
    @classmethod
    def _known_locale(cls, value: str) -> str:
        locales = available_locales()
        if value not in locales:
            raise ValueError(f"{value!r} is not a language copbot speaks; choose one of {', '.join(locales)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone such as UTC or Europe/Zurich") from None
        return value

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("admins")
    @classmethod
    def _qualified_admins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(qualify_user_id(item) for item in value)

    @field_validator("application_form")
    @classmethod
    def _valid_form(cls, value: Path | None) -> Path | None:
        if value is not None:
            try:
                load_form(value)
            except FormFileError as error:
                raise ValueError(str(error)) from None
        return value

    @field_validator("terms_file")
    @classmethod
    def _readable_terms(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"names {value}, which is not a readable file")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError(f"{value!r} is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return level

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def chat_platforms(self) -> tuple[str, ...]:
        """The configured chat platforms; none means the console runs alone."""
        return tuple(spec.name for spec in CHAT_SPECS if spec.group_of(self) is not None)

    @property
    def seeds_sample_data(self) -> bool:
        """Whether to load the sample community: by default only on the console alone."""
        return self.sample_data if self.sample_data is not None else not self.chat_platforms


def qualify_user_id(value: str) -> str:
    """Normalise a platform-qualified user id (``telegram:123``, ``matrix:@a:b``).

    The platforms and how each writes its ids are their adapters' declarations
    (:data:`bot.platforms.SPECS`). An id a platform accepts bare (a Matrix id,
    ``@alice:example.org``) is qualified with that platform's name.

    Raises:
        ValueError: the id names no declared platform, has no user part, or its user
            part is not written as its platform writes ids.
    """
    text = value.strip()
    bare = next((spec for spec in SPECS if spec.user_ids.bare and spec.user_ids.bare(text)), None)
    if bare is not None:
        text = f"{bare.name}:{text}"
    name, sep, user_id = text.partition(":")
    platform = next((spec for spec in SPECS if spec.name == name), None)
    if not sep or platform is None or not user_id:
        examples = _either([spec.user_ids.example for spec in SPECS])
        raise ValueError(f"{value!r} is not a platform-qualified user id such as {examples}")
    platform.check_user_id(value, user_id)
    return f"{name}:{user_id}"


def _either(choices: list[str]) -> str:
    """``a, b or c``."""
    return " or ".join(filter(None, (", ".join(choices[:-1]), choices[-1])))


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Read the settings, or raise :class:`ConfigurationError` explaining what is wrong.

    Args:
        config_file: a TOML file; by default ``copbot.toml`` if it exists.
        overrides: values that win over every source (the CLI uses these).
    """
    if config_file is not None and not config_file.is_file():
        raise ConfigurationError(
            f"copbot cannot start: the configuration file {config_file} does not exist. "
            "Check the --config option."
        )
    path = config_file or (DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None)

    class FileSettings(Settings):
        model_config = SettingsConfigDict(toml_file=path)

    try:
        return FileSettings(**overrides)
    except ValidationError as error:
        raise ConfigurationError(describe_errors(error, path)) from None
    except SettingsError as error:
        raise ConfigurationError(describe_unreadable(error)) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(
            f"copbot cannot start: the configuration file {path} is not valid TOML ({error})."
        ) from None


def describe_errors(error: ValidationError, path: Path | None) -> str:
    """One paragraph naming every invalid setting and what is wrong with it."""
    problems = []
    for item in error.errors():
        location = [str(part) for part in item["loc"]]
        env_name = ENV_PREFIX + "__".join(location).upper()
        toml_name = ".".join(location)
        where = f"{env_name} (or {toml_name} in {path})" if path else env_name
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "is not a setting copbot knows; check its spelling"
        problems.append(f"{where} {message}")
    return "copbot cannot start: the configuration is invalid. " + "; ".join(problems) + "."


def describe_unreadable(error: SettingsError) -> str:
    """One paragraph for a settings group whose value is not JSON (``COPBOT_FLOOD={bad``)."""
    found = re.search(r'field "([^"]+)"', str(error))
    field = found.group(1) if found else None
    if field is None:
        return f"copbot cannot start: a setting could not be read ({error})."
    group = Settings.model_fields.get(field)
    parts = [name for name, _ in _group_fields(group.annotation)] if group is not None else []
    nested = " and ".join(f"{ENV_PREFIX}{field.upper()}__{part.upper()}" for part in parts)
    cause = f" ({error.__cause__})" if error.__cause__ is not None else ""
    advice = f", or set {nested} one by one" if nested else ""
    return (
        f"copbot cannot start: {ENV_PREFIX}{field.upper()} is not valid JSON{cause}. "
        f'Write the group as a JSON object such as {{"name": value}}{advice}.'
    )


#: ``COPBOT_*`` variables that are not settings but are still copbot's own.
OTHER_VARIABLES = frozenset({"COPBOT_DEBUG"})
#: Prefixes of variables read by copbot's own test suite, never by the bot.
_TEST_PREFIX = "COPBOT_TEST_"


def setting_variables() -> frozenset[str]:
    """Every environment variable :class:`Settings` reads: groups whole and by field."""
    names = set(OTHER_VARIABLES)
    for name, field in Settings.model_fields.items():
        variable = ENV_PREFIX + name.upper()
        names.add(variable)
        names.update(f"{variable}__{part.upper()}" for part, _ in _group_fields(field.annotation))
    return frozenset(names)


def unknown_variables(environ: Mapping[str, str]) -> list[tuple[str, str | None]]:
    """The ``COPBOT_*`` variables in ``environ`` that copbot would silently ignore.

    Returns:
        Each unknown name with the closest known setting (``None`` when nothing is close),
        in sorted order. Names are compared as pydantic-settings reads them: ignoring case.
    """
    known = setting_variables()
    stems = {name.removeprefix(ENV_PREFIX): name for name in known}  # the prefix is no likeness
    unknown = []
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX) or upper in known or upper.startswith(_TEST_PREFIX):
            continue
        close = difflib.get_close_matches(upper.removeprefix(ENV_PREFIX), stems, n=1, cutoff=0.6)
        unknown.append((name, stems[close[0]] if close else None))
    return unknown


def _group_fields(annotation: Any) -> Iterator[tuple[str, Any]]:
    """The fields of a settings group (a model, or a model or ``None``); none otherwise."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    for option in options:
        if isinstance(option, type) and issubclass(option, BaseModel):
            yield from option.model_fields.items()
