"""Routing events to handlers.

Registration is explicit and readable, as in aiogram: a feature module creates a
:class:`Router`, decorates its handlers, and the application includes it::

    router = Router("wiki")

    @router.command("wiki", description=N_("Search the community wiki"))
    async def wiki(ctx: Ctx) -> None: ...

An incoming message is, in this order: a button press (routed by the payload's
namespace, ``wiki:page:2`` goes to ``@router.button("wiki")``), a command, or a plain
message offered to each ``@router.message`` route whose filter accepts it. Other events
(join requests, deletions) go to ``@router.event`` routes by type. The first match wins;
routes of included routers come after the including router's own, in include order.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.core.commands import Topic, Where, parse_command
from bot.core.context import Context
from bot.core.types import Event, IncomingMessage, Role

Handler = Callable[[Context[Any]], Awaitable[None]]
Filter = Callable[[Context[Any]], Awaitable[bool] | bool]


@dataclass(frozen=True, slots=True)
class Route:
    """A handler and what it takes to reach it.

    Attributes:
        name: the command name, button namespace or handler name.
        handler: the coroutine function to call.
        role: the lowest role allowed to use it.
        description: msgid shown by ``/help`` (commands only); ``None`` hides it.
        filter: for message routes, whether this message is theirs.
        edits: for message routes, whether edited messages are delivered too.
        usage: msgid of the arguments' shape, shown by ``/help`` and on misuse.
        where: where the command makes sense (``/help`` in a group lists only those
            that make sense there).
        topic: what the command is about: its heading in a moderator's ``/help``.
    """

    name: str
    handler: Handler
    role: Role = Role.GUEST
    description: str | None = None
    filter: Filter | None = None
    edits: bool = False
    usage: str | None = None
    where: Where = Where.ANYWHERE
    topic: Topic | None = None


class Router:
    """A named group of routes; see the module docstring."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._commands: dict[str, Route] = {}
        self._buttons: dict[str, Route] = {}
        self._messages: list[Route] = []
        self._events: list[tuple[type[Event], Route]] = []
        self._children: list[Router] = []
        self.on_unknown_command: Handler | None = None
        self.on_unmatched: Handler | None = None
        self.on_denied: Handler | None = None

    # -- registration -----------------------------------------------------------------

    def command(
        self,
        name: str,
        *,
        role: Role = Role.GUEST,
        description: str | None = None,
        usage: str | None = None,
        aliases: tuple[str, ...] = (),
        where: Where = Where.ANYWHERE,
        topic: Topic | None = None,
    ) -> Callable[[Handler], Handler]:
        """Register a command handler (``/name`` or ``!name``).

        Args:
            name: the command's name.
            role: the lowest role allowed to use it.
            description: msgid shown by ``/help`` and the command menus; ``None`` hides it.
            usage: msgid of the arguments' shape.
            aliases: other names of the same command.
            where: where it makes sense (:class:`~bot.core.commands.Where`).
            topic: what it is about (:class:`~bot.core.commands.Topic`); every listed
                command declares one.
        """

        def register(handler: Handler) -> Handler:
            route = Route(name, handler, role, description, usage=usage, where=where, topic=topic)
            for key in (name, *aliases):
                self._claim_command(key.lower(), route)
            return handler

        return register

    def button(self, namespace: str, *, role: Role = Role.GUEST) -> Callable[[Handler], Handler]:
        """Register the handler of buttons whose payload starts with ``namespace:``."""

        def register(handler: Handler) -> Handler:
            if namespace in self._buttons:
                raise ValueError(f"button namespace {namespace!r} registered twice")
            self._buttons[namespace] = Route(namespace, handler, role)
            return handler

        return register

    def message(
        self, *, filter: Filter | None = None, role: Role = Role.GUEST, edits: bool = False
    ) -> Callable[[Handler], Handler]:
        """Register a handler of plain (non-command) messages accepted by ``filter``."""

        def register(handler: Handler) -> Handler:
            self._messages.append(Route(handler.__name__, handler, role, filter=filter, edits=edits))
            return handler

        return register

    def event(self, kind: type[Event], *, role: Role = Role.GUEST) -> Callable[[Handler], Handler]:
        """Register a handler of a non-message event type, such as ``JoinRequest``."""

        def register(handler: Handler) -> Handler:
            self._events.append((kind, Route(handler.__name__, handler, role)))
            return handler

        return register

    def include(self, child: Router) -> Router:
        """Add a child router's routes after this one's. Returns ``child``."""
        for name in child._all_command_names():
            if self._find_command(name) is not None:
                raise ValueError(f"command {name!r} registered twice (router {child.name!r})")
        self._children.append(child)
        return child

    def _claim_command(self, name: str, route: Route) -> None:
        if name in self._commands:
            raise ValueError(f"command {name!r} registered twice in router {self.name!r}")
        self._commands[name] = route

    def _all_command_names(self) -> Iterator[str]:
        yield from self._commands
        for child in self._children:
            yield from child._all_command_names()

    # -- lookup -----------------------------------------------------------------------

    def commands(self) -> Iterator[Route]:
        """Every distinct command route, in registration order (aliases once)."""
        seen: set[int] = set()
        for route in self._commands.values():
            if id(route) not in seen:
                seen.add(id(route))
                yield route
        for child in self._children:
            yield from child.commands()

    def _find_command(self, name: str) -> Route | None:
        route = self._commands.get(name)
        if route is not None:
            return route
        for child in self._children:
            route = child._find_command(name)
            if route is not None:
                return route
        return None

    def _find_button(self, namespace: str) -> Route | None:
        route = self._buttons.get(namespace)
        if route is not None:
            return route
        for child in self._children:
            route = child._find_button(namespace)
            if route is not None:
                return route
        return None

    async def _find_message_route(self, ctx: Context[Any], edited: bool) -> Route | None:
        for route in self._messages:
            if edited and not route.edits:
                continue
            if route.filter is None:
                return route
            accepted = route.filter(ctx)
            if inspect.isawaitable(accepted):
                accepted = await accepted
            if accepted:
                return route
        for child in self._children:
            found = await child._find_message_route(ctx, edited)
            if found is not None:
                return found
        return None

    def _find_event_route(self, event: Event) -> Route | None:
        for kind, route in self._events:
            if isinstance(event, kind):
                return route
        for child in self._children:
            found = child._find_event_route(event)
            if found is not None:
                return found
        return None

    # -- dispatch ---------------------------------------------------------------------

    async def dispatch(self, ctx: Context[Any]) -> None:
        """Choose the route for ``ctx.event``, check the actor's role and run it."""
        event = ctx.event
        route: Route | None
        fallback: Handler | None = None
        if isinstance(event, IncomingMessage):
            route, fallback = await self._resolve_message(ctx, event)
        else:
            route = self._find_event_route(event)
        if route is None:
            if fallback is not None:
                await fallback(ctx)
            return
        ctx.route = route
        if not ctx.actor.has(route.role):
            if self.on_denied is not None:
                await self.on_denied(ctx)
            return
        ctx.private = answers_privately(ctx, route)
        await route.handler(ctx)

    async def _resolve_message(
        self, ctx: Context[Any], event: IncomingMessage
    ) -> tuple[Route | None, Handler | None]:
        if event.button is not None:
            namespace = event.button.partition(":")[0]
            return self._find_button(namespace), self.on_unmatched
        if event.text is not None and not event.edited:
            command = parse_command(event.text)
            if command is not None:
                if not command.is_for(ctx.platform.bot_username):
                    return None, None  # "/help@otherbot" in a group
                ctx.command = command
                route = self._find_command(command.name)
                addressed = event.is_direct or command.addressed_to is not None
                return route, (self.on_unknown_command if addressed else None)
        route = await self._find_message_route(ctx, event.edited)
        return route, (self.on_unmatched if event.is_direct and not event.edited else None)


def answers_privately(ctx: Context[Any], route: Route) -> bool:
    """Whether ``route``'s answers must go to the sender by direct message.

    What moderators and admins ask is about people (cards, lists, the audit log,
    rejection reasons): used in a chat members read, it is answered privately. A direct
    chat with the bot and the platform's moderators' chat are read only by the people
    allowed to see it, so they are answered where asked.
    """
    event = ctx.event
    if route.role < Role.MODERATOR or event.is_direct:
        return False
    return not ctx.platform.is_moderators_chat(event.chat)
