"""The context handed to every handler.

A :class:`Context` carries one event through the bot: who sent it (the resolved
:class:`Actor`), where, the platforms to answer on, a translator for the actor's language
and the feature services (repositories, settings, clock) as ``services``.

Handlers decide and do no network I/O of their own: :meth:`Context.reply` and
:meth:`Context.send` only queue messages, and :meth:`Context.after_commit` queues other
effects. The bot delivers them after the event's database transaction has committed,
so a user is never told about a change that was not saved, and a handler that fails
sends nothing but the apology.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import datetime as DateTime
from datetime import tzinfo
from decimal import Decimal
from typing import Any, Generic, Protocol, TypeVar

from bot.core.commands import Command
from bot.core.formats import Formats
from bot.core.i18n import N_, Translator
from bot.core.platform import Platform
from bot.core.text import Fragment, Text, code, fill
from bot.core.types import (
    Attachment,
    Button,
    Event,
    IncomingMessage,
    OutgoingMessage,
    Recipient,
    Role,
    UserRef,
)

S = TypeVar("S")

Buttons = Sequence[Sequence[Button]]


class ChosenRoute(Protocol):
    """The route the router chose for an event, as far as a handler needs to know it.

    :class:`bot.core.router.Route` is one; the router depends on the context, not the
    other way round, so the context names only what it carries.
    """

    @property
    def name(self) -> str:
        """The command name, button namespace or handler name."""
        ...

    @property
    def role(self) -> Role:
        """The lowest role allowed to use the route."""
        ...

    @property
    def usage(self) -> str | None:
        """The msgid of the arguments' shape, if any."""
        ...


@dataclass(frozen=True, slots=True)
class Actor:
    """The person behind an event, as the bot knows them.

    Attributes:
        person_id: the stored person's id (``None`` only before resolution).
        user: the platform identity the event came from.
        role: the person's effective role.
        locale: the language the bot speaks to them.
        name: the person's name as the community knows it.
    """

    person_id: int | None
    user: UserRef
    role: Role
    locale: str
    name: str = ""

    @property
    def display_name(self) -> str:
        """The community's name for the person, else the platform's."""
        return self.name or self.user.name

    def has(self, role: Role) -> bool:
        return self.role >= role


@dataclass(eq=False, slots=True)
class Context(Generic[S]):
    """Everything a handler needs for one event.

    Attributes:
        event: the incoming event.
        actor: who sent it; set by the identity middleware.
        platforms: every running platform by name; replies go to ``event.platform``.
        translator: translates into ``actor.locale``.
        services: the feature services for this event's unit of work.
        command: the parsed command, when the event is one.
        route: the route chosen by the router.
        outbox: messages queued for delivery after commit.
        effects: side effects queued to run after commit.
        private: answers go to the sender by direct message, not to the chat the event
            came from; the router sets it for moderators' routes used where members
            read (see :meth:`reply`).
    """

    event: Event
    actor: Actor
    platforms: Mapping[str, Platform]
    translator: Translator
    services: S
    command: Command | None = None
    route: ChosenRoute | None = None
    outbox: list[OutgoingMessage] = field(default_factory=list)
    effects: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    private: bool = False
    _noted: bool = field(default=False, init=False, repr=False)

    @property
    def platform(self) -> Platform:
        """The platform the event arrived on."""
        return self.platforms[self.event.platform]

    @property
    def message(self) -> IncomingMessage | None:
        return self.event if isinstance(self.event, IncomingMessage) else None

    @property
    def args(self) -> tuple[str, ...]:
        return self.command.args if self.command else ()

    @property
    def answer_to(self) -> Recipient:
        """Where answers go: the event's chat, or the sender when answers are private."""
        return self.actor.user if self.private else self.event.chat

    # -- language ---------------------------------------------------------------------

    @property
    def formats(self) -> Formats:
        """Formats dates, numbers and lists for the reader (``actor.locale``'s translator)."""
        return Formats(self.translator.locale)

    def _(self, msgid: str, /, **values: Any) -> Text:
        """Translate ``msgid`` and fill its ``{placeholders}`` with ``values`` as spans.

        ``date`` and ``datetime`` values are written for the reader's locale
        (:meth:`Formats.value`). The sentence takes the reader's direction: for a reader of
        a right-to-left language every value is isolated, even in a sentence made of
        placeholders only (:func:`bot.core.text.fill`); for anyone else none is, so a
        right-to-left title in an English line does not turn the line around.
        """
        formats = self.formats
        filled = {k: formats.value(v) for k, v in values.items()}
        return fill(self.translator.gettext(msgid), filled, rtl=formats.rtl)

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> Text:
        """Translate a message with a plural form chosen by ``n`` (bound as ``{n}``, written
        for the reader's locale)."""
        formats = self.formats
        filled = {"n": formats.number(n), **{k: formats.value(v) for k, v in values.items()}}
        return fill(self.translator.ngettext(singular, plural, n), filled, rtl=formats.rtl)

    def date(self, day: Date) -> str:
        """``day`` as the reader writes it: ``Sep 22, 2026``, ``22 sept. 2026``."""
        return self.formats.date(day)

    def datetime(self, moment: DateTime, zone: str | tzinfo | None = None) -> str:
        """``moment`` to the minute in ``zone`` (a time zone name), as the reader writes it."""
        return self.formats.datetime(moment, zone)

    def number(self, value: int | float | Decimal) -> str:
        """A number for reading, with the reader's grouping and decimal sign."""
        return self.formats.number(value)

    def and_list(self, items: Iterable[str]) -> str:
        """``a, b and c`` in the reader's language."""
        return self.formats.and_list(items)

    def gettext(self, msgid: str) -> str:
        """Translate ``msgid`` to a plain string (for button labels and the like)."""
        return self.translator.gettext(msgid)

    def cmd(self, name: str) -> str:
        """How the user types command ``name`` on their platform (``/help``, ``!help``)."""
        prefix = self.command.prefix if self.command else self.platform.command_prefix
        return f"{prefix}{name}"

    # -- effects, delivered after commit ----------------------------------------------

    def reply(
        self,
        text: Fragment,
        *,
        buttons: Buttons = (),
        attachments: Iterable[Attachment] = (),
        quote: bool = False,
    ) -> None:
        """Queue an answer in the chat (and thread) the event came from.

        When the context is :attr:`private`, the answer goes to the sender by direct
        message instead, and the chat gets one neutral note (once per event) saying so:
        what a moderator asks about people is never posted where members read it.
        """
        if self.private:
            self.send(self.actor.user, text, buttons=buttons, attachments=attachments)
            self.note_private_answer()
            return
        reply_to = self.message.message_id if quote and self.message else None
        self.send(self.event.chat, text, buttons=buttons, attachments=attachments, reply_to=reply_to)

    def note_private_answer(self) -> None:
        """Queue, once per event, the chat's note that the sender was answered privately.

        Handlers that deliver an answer themselves (after commit, to :attr:`answer_to`)
        call it; :meth:`reply` does so by itself.
        """
        if not self.private or self._noted:
            return
        self._noted = True
        self.send(
            self.event.chat,
            self._(
                N_(
                    "I answered you privately. If nothing arrived, open a private chat with me and send {start}."
                ),
                start=code(self.cmd("start")),
            ),
        )

    def send(
        self,
        to: Recipient,
        text: Fragment,
        *,
        buttons: Buttons = (),
        attachments: Iterable[Attachment] = (),
        reply_to: str | None = None,
    ) -> None:
        """Queue a message to any chat, thread or user (by direct message)."""
        self.outbox.append(
            OutgoingMessage(
                to=to,
                text=Text.of(text),
                buttons=tuple(tuple(row) for row in buttons),
                reply_to=reply_to,
                attachments=tuple(attachments),
            )
        )

    def after_commit(self, effect: Callable[[], Awaitable[None]]) -> None:
        """Queue a side effect (a platform call) to run once the transaction committed."""
        self.effects.append(effect)

    def discard_effects(self) -> None:
        """Forget everything queued: the unit of work was rolled back."""
        self.outbox.clear()
        self.effects.clear()
        self._noted = False
