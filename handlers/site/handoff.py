"""What the running bot hands the child process that builds its site: settings, database, moment.

``copbot run`` renders the site in a child process (``copbot site build FOLDER
--from-bot``), never on its own event loop. The child must build exactly what the bot
sees: the bot's settings however they were given (variables, ``--config`` file, or a
test's arguments), its database as it opened it, and its clock's moment. They travel as
one JSON document on the child's standard input, never on its command line (which any
local user may read): the settings include the platforms' secrets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from pydantic import SecretBytes, SecretStr

from bot.config import Settings
from storage.db import Database


@dataclass(frozen=True, slots=True)
class Handoff:
    """The child's settings, its database and the moment the site is built for."""

    settings: Settings
    database: Database
    now: datetime


def _plain(value: object) -> Any:
    if isinstance(value, SecretStr | SecretBytes):
        secret = value.get_secret_value()
        return secret.decode() if isinstance(secret, bytes) else secret
    if isinstance(value, PurePath):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be handed to the site's build")


def encode(settings: Settings, db: Database, now: datetime) -> bytes:
    """The document the child reads (see :func:`decode`)."""
    document = {
        "settings": settings.model_dump(),
        "database_url": db.url.render_as_string(hide_password=False),
        "connect_args": db.connect_args,  # tests' PostgreSQL schemas; empty otherwise
        "now": now.isoformat(),
    }
    return json.dumps(document, default=_plain).encode()


def decode(data: bytes) -> Handoff:
    """The child's side of :func:`encode`.

    Raises:
        ValueError: the document is not one :func:`encode` wrote, or its settings are invalid.
    """
    document = json.loads(data)
    settings = Settings(**document["settings"])
    database = Database(document["database_url"], connect_args=document["connect_args"])
    return Handoff(settings, database, datetime.fromisoformat(document["now"]))
