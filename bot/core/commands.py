"""Recognising commands in message text.

``/apply``, ``!apply`` (Matrix users type ``!``), ``/apply@copbot`` (Telegram groups) and
``/wiki "gender budgeting" kind:training`` all parse here. Arguments are split like a
shell does, with typographic quotes accepted; a stray quote never makes a command fail.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from enum import StrEnum

from bot.core.i18n import N_

PREFIXES = ("/", "!")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'"})


@dataclass(frozen=True, slots=True)
class Command:
    """A parsed command.

    Attributes:
        name: the command's name, lower case, without prefix or ``@bot`` suffix.
        args: the arguments, split shell-like.
        raw_args: everything after the command name, as typed (stripped).
        prefix: the prefix the user typed (``/`` or ``!``).
        addressed_to: the ``@bot`` suffix, if any, without the ``@``.
    """

    name: str
    args: tuple[str, ...] = ()
    raw_args: str = ""
    prefix: str = "/"
    addressed_to: str | None = None

    def is_for(self, bot_username: str | None) -> bool:
        """Whether this command is meant for a bot called ``bot_username``."""
        if self.addressed_to is None or bot_username is None:
            return True
        return self.addressed_to.lower() == bot_username.lower()


class Where(StrEnum):
    """Where a command makes sense: what ``/help`` lists in a group, and the menus offer."""

    #: in direct chats and in groups (``/wiki``, ``/help``, the moderators' commands).
    ANYWHERE = "anywhere"
    #: in a direct chat with the bot only: forms, personal settings, one's own data.
    DIRECT = "direct chats"


class Topic(StrEnum):
    """What a command is about: the headings of a moderator's ``/help``, in this order.

    A value is the heading's msgid. Commands are grouped by what they are about, not by
    the feature package that holds them.
    """

    APPLICATIONS = N_("Applications")
    MEMBERS = N_("Members")
    DIALOGUES = N_("Dialogues")
    WIKI = N_("Wiki")
    COMMUNITY = N_("Community")


def split_args(raw: str) -> tuple[str, ...]:
    """Split arguments like a shell, tolerating unbalanced or typographic quotes."""
    normalized = raw.translate(_SMART_QUOTES)
    try:
        return tuple(shlex.split(normalized))
    except ValueError:  # an unbalanced quote: fall back to plain words
        return tuple(normalized.split())


def parse_command(text: str) -> Command | None:
    """Parse ``text`` as a command, or return ``None`` if it is not one.

    Examples:
        >>> parse_command("/wiki@copbot 'gender budgeting' kind:training").args
        ('gender budgeting', 'kind:training')
        >>> parse_command("!!!") is None
        True
    """
    stripped = text.strip()
    if not stripped or stripped[0] not in PREFIXES:
        return None
    head, _, rest = stripped[1:].partition(" ")
    head, newline, tail = head.partition("\n")
    if newline:
        rest = f"{tail}\n{rest}" if rest else tail
    name, _, addressed = head.partition("@")
    if not _NAME.fullmatch(name):
        return None
    raw_args = rest.strip()
    return Command(
        name=name.lower(),
        args=split_args(raw_args) if raw_args else (),
        raw_args=raw_args,
        prefix=stripped[0],
        addressed_to=addressed or None,
    )
