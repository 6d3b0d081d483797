"""copbot's messages and menus as Bot API arguments.

Text is sent as HTML rendered from :class:`~bot.core.text.Text` with every span escaped,
split under the message limit between words (each piece rendered on its own, so never
inside an entity). Buttons become inline keyboards whose callback data is the button
payload (the core keeps payloads under 64 bytes); a right-to-left label is marked so
(:func:`~bot.core.text.bidi_label`). Names the Bot API caps (topic names,
command descriptions) are cut with an ellipsis rather than refused.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
)
from telegram.constants import BotCommandLimit

from bot.core.text import Text, bidi_label, split, to_html
from bot.core.types import Button, ChatRef, CommandMenu, MenuScope
from bot.platforms.telegram.limits import TOPIC_NAME_LIMIT


def html_pieces(text: Text, limit: int) -> list[str]:
    """``text`` as HTML messages of at most ``limit`` characters of text each."""
    return [to_html(piece) for piece in split(text, limit)]


def keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """An inline keyboard, one callback button per :class:`Button` (none without rows)."""
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(bidi_label(button.label), callback_data=button.payload) for button in row]
            for row in rows
        ]
    )


def keyboard_json(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any] | None:
    """:func:`keyboard` as the Bot API's JSON, for ``Bot._post``.

    Building PTB's objects only to have them turned back into dictionaries cost a
    tenth of the adapter's time per reply with buttons.
    """
    if not rows:
        return None
    return {
        "inline_keyboard": [
            [{"text": bidi_label(button.label), "callback_data": button.payload} for button in row]
            for row in rows
        ]
    }


def topic_name(title: str) -> str:
    """A forum topic's name for ``title``: one line, cut to Telegram's limit."""
    name = " ".join(title.split()) or "…"
    return name if len(name) <= TOPIC_NAME_LIMIT else name[: TOPIC_NAME_LIMIT - 1].rstrip() + "…"


def menu_scope(menu: CommandMenu, moderator_chat: ChatRef | None) -> BotCommandScope | None:
    """Where ``menu`` is offered: every private chat, or the moderators' group (``None``: nowhere)."""
    if menu.scope is MenuScope.DIRECT_CHATS:
        return BotCommandScopeAllPrivateChats()
    if moderator_chat is not None:
        return BotCommandScopeChat(int(moderator_chat.id))
    return None


def menu_commands(menu: CommandMenu) -> list[BotCommand]:
    """The menu's commands, as many as a menu may hold, each description cut to the limit."""
    commands = [BotCommand(name, _menu_description(text)) for name, text in menu.commands]
    return commands[: BotCommandLimit.MAX_COMMAND_NUMBER]


def _menu_description(text: str) -> str:
    limit = BotCommandLimit.MAX_DESCRIPTION
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
