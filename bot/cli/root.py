"""What every ``copbot`` command shares: the global options, the settings, the database.

A command takes the :class:`typer.Context` and calls :func:`settings_of` for the settings
(``COPBOT_*`` variables, ``copbot.toml`` or ``--config``); a bad configuration is one
paragraph on standard error and exit status 2, never a traceback, and so is any other
problem the operator can fix (:mod:`bot.cli.errors`). A ``COPBOT_*`` variable that is no
setting is named in a warning, with the closest setting.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from bot import __version__
from bot.cli.errors import DEBUG_KEY, SETTINGS_KEY, stderr
from bot.config import Settings, load_settings, unknown_variables
from bot.core.errors import ConfigurationError

if TYPE_CHECKING:
    from storage.db import Database

__all__ = ["fail", "main_options", "migrated_database", "settings_of", "stderr"]


def fail(message: str, code: int = 1) -> NoReturn:
    """Tell the operator what went wrong, in one red paragraph, and exit with ``code``.

    Raises:
        typer.Exit: always.
    """
    stderr.print(message, style="bold red", markup=False, highlight=False)
    raise typer.Exit(code) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"copbot {__version__}")
        raise typer.Exit()


def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", "-c", help="A TOML settings file (default: ./copbot.toml if present).", dir_okay=False
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    debug: Annotated[
        bool, typer.Option("--debug", help="Show the traceback behind an error (also COPBOT_DEBUG=1).")
    ] = False,
) -> None:
    """Settings come from COPBOT_* environment variables, then the TOML file, then defaults."""
    ctx.obj = config
    ctx.meta[DEBUG_KEY] = debug


def settings_of(ctx: typer.Context, **overrides: object) -> Settings:
    """The settings for this invocation (the ``--config`` file is in ``ctx.obj``).

    Raises:
        typer.Exit: status 2 when the configuration is invalid.
    """
    warn_unknown_variables(ctx.meta.setdefault("copbot.warned", set()))
    try:
        settings = load_settings(ctx.obj, **overrides)
    except ConfigurationError as error:
        fail(str(error), 2)
    ctx.meta[SETTINGS_KEY] = settings  # the error boundary names the database from them
    return settings


def warn_unknown_variables(warned: set[str]) -> None:
    """Name each ``COPBOT_*`` variable that is no setting with the closest one, unless in ``warned``."""
    for name, closest in unknown_variables(os.environ):
        if name in warned:
            continue
        warned.add(name)
        advice = f"did you mean {closest}?" if closest else "it is ignored (see docs/operators.md)."
        stderr.print(
            f"warning: {name} is not a copbot setting; {advice}",
            style="yellow",
            markup=False,
            highlight=False,
        )


@asynccontextmanager
async def migrated_database(settings: Settings) -> AsyncIterator[Database]:
    """The configured database, migrated (as the bot would on start), disposed after use."""
    from storage.db import Database

    db = Database(settings.database_url)
    try:
        await db.upgrade()
        yield db
    finally:
        await db.dispose()
