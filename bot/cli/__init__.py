"""The ``copbot`` command line.

``copbot run`` starts the bot; ``copbot chat`` talks to it in a terminal or through a
pipe; ``copbot db`` manages the schema; ``copbot dialogue`` imports and lists virtual
dialogues, ``copbot export dialogue`` writes one to a file and ``copbot wiki`` imports and
exports the wiki; ``copbot site build`` writes the public web site. Every command reads the same settings
(``COPBOT_*`` variables, ``copbot.toml`` or ``--config``).

The commands live by concern: :mod:`bot.cli.root` (global options and what every command
shares), :mod:`bot.cli.session` (``run``, ``chat``), :mod:`bot.cli.database` (``db``) and
:mod:`bot.cli.content` (``dialogue``, ``export``, ``wiki``) and :mod:`bot.cli.site` (``site``);
they are registered here.
"""

from __future__ import annotations

import typer

from bot.cli.content import dialogue_app, export_app, wiki_app
from bot.cli.database import db_app
from bot.cli.errors import OperatorErrors
from bot.cli.root import main_options
from bot.cli.session import chat, run
from bot.cli.site import site_app
from bot.heap import defer_collection

app = typer.Typer(
    name="copbot",
    help="The chat bot of a community of practice: application form, virtual dialogues, wiki and moderation.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    cls=OperatorErrors,
)
app.callback()(main_options)
app.command()(run)
app.command()(chat)
app.add_typer(db_app, name="db")
app.add_typer(dialogue_app, name="dialogue")
app.add_typer(export_app, name="export")
app.add_typer(wiki_app, name="wiki")
app.add_typer(site_app, name="site")


def main() -> None:
    """The ``copbot`` console script."""
    defer_collection()  # the rest of start-up imports much more (see bot.heap)
    app()
