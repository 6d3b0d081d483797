"""The command line's error boundary: an operator's problem is one paragraph, not a traceback.

Every ``copbot`` command runs inside :class:`OperatorErrors`, the root command group. An
exception that an operator can fix (the database cannot be reached, opened or is at a
revision this copbot does not know, a path cannot be written, the settings are invalid)
is explained by :func:`explain` in one paragraph on standard error naming the problem
and what to do, and the command exits with status 2. The traceback is printed as well
only with ``copbot --debug``, ``COPBOT_DEBUG=1`` or ``COPBOT_LOG_LEVEL=DEBUG``. Anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InternalError, ProgrammingError
from typer.core import TyperGroup

from bot.core.errors import ConfigurationError

if TYPE_CHECKING:
    from bot.config import Settings

#: Where :func:`bot.cli.root.settings_of` leaves the settings for the boundary (``ctx.meta``).
SETTINGS_KEY = "copbot.settings"
#: Where the global ``--debug`` option is kept (``ctx.meta``).
DEBUG_KEY = "copbot.debug"
#: The exit status of a problem the operator can fix.
OPERATOR_PROBLEM = 2
#: Where commands talk to the operator; standard output carries only results.
stderr = Console(stderr=True)


#: Database errors that a statement of ours caused: bugs, which keep their traceback.
_BUGS = (IntegrityError, ProgrammingError, DataError, InternalError)


class OperatorError(Exception):
    """A problem the operator can fix; the message is the paragraph they read."""


class OperatorErrors(TyperGroup):
    """The root command group: explains operators' problems and exits with status 2."""

    def invoke(self, ctx: Any) -> Any:  # click's Context, which Typer vendors privately
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:
            settings = ctx.meta.get(SETTINGS_KEY)
            paragraph = explain(error, settings)
            if paragraph is None:
                raise
            if _debugging(ctx, settings):
                traceback.print_exception(error)
            stderr.print(paragraph, style="bold red", markup=False, highlight=False)
            raise typer.Exit(OPERATOR_PROBLEM) from None


def _is_alembic_error(error: BaseException) -> bool:
    """Whether ``error`` is Alembic's ``CommandError``, without importing Alembic (~0.3 s).

    Alembic is imported only to migrate: if it never was, nothing raised one of its errors.
    """
    alembic_errors = sys.modules.get("alembic.util.exc")
    return alembic_errors is not None and isinstance(error, alembic_errors.CommandError)


def explain(error: BaseException, settings: Settings | None = None) -> str | None:
    """One paragraph for an operator's problem, or ``None`` for a bug.

    Args:
        error: what was raised.
        settings: the settings in use, if they were read (they name the database).
    """
    if isinstance(error, (OperatorError, ConfigurationError)):
        return str(error)
    database = _database_name(settings)
    if _is_alembic_error(error) and "Can't locate revision" in str(error):
        revision = str(error).rsplit(" ", 1)[-1]
        return (
            f"copbot cannot use the database {database}: its schema is at revision {revision}, "
            "which this version of copbot does not know (a newer copbot migrated it). Run that "
            "newer version, or restore a backup made with this one."
        )
    if isinstance(error, _BUGS):
        return None
    if isinstance(error, DBAPIError):
        return _database_problem(database, _first_line(error.orig if error.orig is not None else error))
    if isinstance(error, ConnectionRefusedError):
        return _database_problem(database, "the server refused the connection")
    if isinstance(error, TimeoutError):
        return _database_problem(database, "the server did not answer in time")
    if isinstance(error, ConnectionError) or _is_driver_error(error):
        return _database_problem(database, _first_line(error))
    if isinstance(error, OSError):
        where = error.filename if error.filename is not None else "a file"
        return (
            f"copbot cannot use {where}: {error.strerror or error}. Check that the folder exists, "
            "is a folder and that this user may write there, or choose another path."
        )
    return None


def _database_problem(database: str, reason: str) -> str:
    lowered = reason.lower()
    if "does not exist" in lowered:
        advice = "Create it (for example with createdb) or correct COPBOT_DATABASE_URL."
    elif "not a database" in lowered or "malformed" in lowered:
        advice = (
            "The file is not an SQLite database or is damaged: restore it from a backup, or "
            "point COPBOT_DATABASE_URL at another file."
        )
    elif "unable to open" in lowered:
        advice = "Check that its folder exists and that this user may write there."
    elif "password" in lowered or "role" in lowered:
        advice = "Check the user name and password in COPBOT_DATABASE_URL."
    else:
        advice = (
            "Check that the database server is running and that COPBOT_DATABASE_URL names "
            "the right host, port and database."
        )
    return f"copbot cannot use the database {database}: {reason}. {advice}"


def _database_name(settings: Settings | None) -> str:
    if settings is None:
        return "(COPBOT_DATABASE_URL)"
    return make_url(settings.database_url).render_as_string(hide_password=True)


def _is_driver_error(error: BaseException) -> bool:
    """asyncpg raises some errors (while connecting) without SQLAlchemy's wrapping."""
    return type(error).__module__.startswith("asyncpg")


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0].rstrip(".")


def _debugging(ctx: Any, settings: Settings | None) -> bool:
    if ctx.meta.get(DEBUG_KEY) or os.environ.get("COPBOT_DEBUG", "").lower() in ("1", "true", "yes"):
        return True
    return settings is not None and settings.log_level == "DEBUG"
