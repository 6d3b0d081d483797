"""``COPBOT_SITE__*`` and ``COPBOT_WEB__*``: the public web site's settings groups.

Kept apart from :mod:`bot.config` (which stays small): ``site`` says what the pages link
to, ``web`` whether ``copbot run`` serves them and keeps them up to date.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


def host_and_port(value: str) -> str:
    """``value`` if it reads ``host:port`` (``127.0.0.1:8080``, ``[::]:8080``; port 0 is any free one).

    Raises:
        ValueError: it does not.
    """
    host, sep, port = value.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"{value!r} is not host:port such as 127.0.0.1:9100 or 0.0.0.0:9100")
    return value.strip()


class SiteSettings(BaseModel):
    """The public web site ``copbot site build`` writes (``COPBOT_SITE__*``); both optional.

    Without ``base_url`` pages link to each other by relative addresses only; without
    ``telegram_username`` (Telegram alone knows it otherwise) the home page has no Telegram link.
    """

    model_config = ConfigDict(extra="forbid")

    #: Where the site is served, e.g. ``https://cop.example.org/``: canonical and hreflang links.
    base_url: Annotated[str, Field(pattern=r"^https?://[^/\s]+")] | None = None
    #: The bot's Telegram username (``@`` optional): the home page's "apply on Telegram" link.
    telegram_username: Annotated[str, Field(pattern=r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")] | None = None

    @field_validator("base_url", "telegram_username")
    @classmethod
    def _normalised(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        if info.field_name == "base_url":
            return value if value.endswith("/") else value + "/"
        return value.removeprefix("@")


class WebSettings(BaseModel):
    """``COPBOT_WEB__*``: ``copbot run`` serves the public site, rebuilt when what it shows changes.

    Setting ``listen`` turns it on. Each instance serves and rebuilds its own ``folder``.
    """

    model_config = ConfigDict(extra="forbid")

    #: ``host:port`` the site is served on, e.g. ``127.0.0.1:8080`` behind a reverse proxy.
    listen: str
    #: The folder the site is built into and served from (``copbot site build`` writes the same).
    folder: Path = Path("var/site")
    #: How often the bot looks whether the wiki or a dialogue changed (one small query).
    check_seconds: float = Field(default=30.0, gt=0)

    _listen = field_validator("listen")(host_and_port)
