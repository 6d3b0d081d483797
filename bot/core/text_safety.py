"""Clean text at the platform boundary, so no input breaks an account or a query.

Platforms hand the bot whatever their users typed, and JSON lets a client send what no
database stores: a lone surrogate (``"\\ud800"``) cannot be encoded as UTF-8, so SQLite and
PostgreSQL both refuse it, and PostgreSQL refuses a NUL in any text. A display name
holding one would fail every later message of that account, since each message stores
the name again.

:func:`clean_text` is applied once, where the kernel's value types are built
(:class:`~bot.core.types.UserRef`, :class:`~bot.core.types.ChatRef`,
:class:`~bot.core.types.IncomingMessage`, :class:`~bot.core.types.JoinRequest`,
:class:`~bot.core.types.Media`): every adapter, the console and the tests go through it,
and nothing further in needs to care.
"""

from __future__ import annotations

import re

#: The replacement character, for what cannot be kept (lone surrogates, undecodable bytes).
REPLACEMENT = "\ufffd"

#: C0 controls other than tab, line feed and carriage return, and lone surrogates.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]|[\ud800-\udfff]|\r\n?")


def _replace(match: re.Match[str]) -> str:
    found = match.group(0)
    if found[0] == "\r":  # line ends become line feeds: a lone CR would hide what follows it
        return "\n"
    if "\ud800" <= found <= "\udfff":
        return REPLACEMENT
    return ""


def clean_text(text: str) -> str:
    """``text`` without what no database or terminal should get.

    Lone surrogates become U+FFFD; NUL and the other C0 control characters are removed,
    except tab and line feed; carriage returns (``\\r\\n`` or alone) become line feeds.
    Text without any of them (nearly all text) is returned as it is.

    Examples:
        >>> clean_text("a\\x00b\\ud800c\\r\\nd")
        'ab\\ufffdc\\nd'
    """
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_replace, text)


def clean_optional(text: str | None) -> str | None:
    """:func:`clean_text`, letting ``None`` through."""
    return None if text is None else clean_text(text)
