from __future__ import annotations

from typing import Any

import pytest

from bot.core.context import Actor, Context
from bot.core.platform import Platform
from bot.core.router import Router
from bot.core.types import ChatRef, Event, IncomingMessage, JoinRequest, Role, UserRef

ALICE = UserRef("console", "alice")


class Quiet(Platform):
    name = "console"
    bot_username = "copbot"

    async def start(self, sink: Any) -> None: ...
    async def stop(self) -> None: ...
    async def send(self, message: Any) -> Any: ...
    async def edit(self, ref: Any, message: Any) -> None: ...
    async def create_thread(self, chat: Any, title: str, opening: Any) -> Any: ...


class Translator:
    locale = "en"

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def context(event: Event, role: Role = Role.GUEST) -> Context[None]:
    return Context(event, Actor(1, event.sender, role, "en"), {"console": Quiet()}, Translator(), None)


def message(text: str | None = None, *, direct: bool = True, **fields: Any) -> IncomingMessage:
    chat = ChatRef("console", "alice" if direct else "community")
    return IncomingMessage(event_id="e", sender=ALICE, chat=chat, is_direct=direct, text=text, **fields)


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def router(calls: list[str]) -> Router:
    root = Router("root")
    feature = Router("feature")

    @root.command("help", aliases=("h",))
    async def help_(ctx: Context[Any]) -> None:
        calls.append(f"help{ctx.args}")

    @feature.command("approve", role=Role.MODERATOR)
    async def approve(ctx: Context[Any]) -> None:
        calls.append("approve")

    @feature.button("lang")
    async def lang(ctx: Context[Any]) -> None:
        calls.append(f"button {ctx.message.button if ctx.message else None}")

    @feature.message(filter=lambda ctx: bool(ctx.message and ctx.message.text == "form answer"))
    async def form(ctx: Context[Any]) -> None:
        calls.append("form")

    @feature.message(edits=True, filter=lambda ctx: not ctx.event.is_direct)
    async def thread_reply(ctx: Context[Any]) -> None:
        calls.append("reply edited" if ctx.message and ctx.message.edited else "reply")

    @feature.event(JoinRequest)
    async def join(ctx: Context[Any]) -> None:
        calls.append("join")

    async def unknown(ctx: Context[Any]) -> None:
        calls.append("unknown")

    async def unmatched(ctx: Context[Any]) -> None:
        calls.append("unmatched")

    async def denied(ctx: Context[Any]) -> None:
        calls.append(f"denied {ctx.route.name if ctx.route else None}")

    root.include(feature)
    root.on_unknown_command, root.on_unmatched, root.on_denied = unknown, unmatched, denied
    return root


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (message("/help a 'b c'"), ["help('a', 'b c')"]),
        (message("!H"), ["help()"]),
        (message("/help@copbot", direct=False), ["help()"]),
        (message("/help@otherbot", direct=False), []),
        (message("/nope"), ["unknown"]),
        (message("/nope", direct=False), []),  # maybe another bot's command
        (message("/nope@copbot", direct=False), ["unknown"]),
        (message(button="lang:fr"), ["button lang:fr"]),
        (message(button="gone:1"), ["unmatched"]),
        (message("form answer"), ["form"]),
        (message("anything else"), ["unmatched"]),
        (message(None), ["unmatched"]),
        (message("in a thread", direct=False), ["reply"]),
        (message("/help", edited=True), []),  # an edit never re-runs a command
        (message("edited in a thread", direct=False, edited=True), ["reply edited"]),
        (JoinRequest(event_id="j", sender=ALICE, chat=ChatRef("console", "community")), ["join"]),
    ],
)
async def test_routes(router: Router, calls: list[str], event: Event, expected: list[str]) -> None:
    await router.dispatch(context(event))
    assert calls == expected


async def test_role_is_checked_before_the_handler(router: Router, calls: list[str]) -> None:
    await router.dispatch(context(message("/approve 3"), Role.MEMBER))
    await router.dispatch(context(message("/approve 3"), Role.MODERATOR))
    await router.dispatch(context(message("/approve 3"), Role.ADMIN))
    assert calls == ["denied approve", "approve", "approve"]


def test_commands_are_listed_once_in_registration_order(router: Router) -> None:
    assert [route.name for route in router.commands()] == ["help", "approve"]


def test_a_command_cannot_be_registered_twice(router: Router) -> None:
    other = Router("other")

    @other.command("approve")
    async def again(ctx: Context[Any]) -> None: ...

    with pytest.raises(ValueError, match="approve"):
        router.include(other)
    with pytest.raises(ValueError, match="help"):
        router.command("help")(again)


class WithModerators(Quiet):
    moderator_chat = ChatRef("console", "moderators")


@pytest.mark.parametrize(
    ("chat", "direct", "private"),
    [("community", False, True), ("alice", True, False), ("moderators", False, False)],
)
async def test_a_moderators_route_answers_privately_where_members_read(
    chat: str, direct: bool, private: bool
) -> None:
    root = Router("root")

    @root.command("card", role=Role.MODERATOR)
    async def card(ctx: Context[Any]) -> None:
        ctx.reply("Carlos, banned for spam")
        ctx.reply("second page")

    event = IncomingMessage(
        event_id="e", sender=ALICE, chat=ChatRef("console", chat), is_direct=direct, text="/card"
    )
    ctx = context(event, Role.MODERATOR)
    ctx.platforms = {"console": WithModerators()}
    await root.dispatch(ctx)
    assert ctx.private is private
    sent = [(message.to, str(message.text)) for message in ctx.outbox]
    if not private:
        assert sent == [(event.chat, "Carlos, banned for spam"), (event.chat, "second page")]
        return
    note = "I answered you privately. If nothing arrived, open a private chat with me and send /start."
    assert sent == [
        (ALICE, "Carlos, banned for spam"),
        (event.chat, note),  # once, however many answers went privately
        (ALICE, "second page"),
    ]
    ctx.discard_effects()  # a failure's apology is private too, with its note again
    ctx.reply("Sorry")
    assert [(message.to, str(message.text)) for message in ctx.outbox] == [
        (ALICE, "Sorry"),
        (event.chat, note),
    ]


async def test_a_members_route_answers_in_the_chat() -> None:
    root = Router("root")

    @root.command("wiki")
    async def wiki(ctx: Context[Any]) -> None:
        ctx.reply("results")

    ctx = context(message("/wiki", direct=False), Role.MODERATOR)
    await root.dispatch(ctx)
    assert [message.to for message in ctx.outbox] == [ChatRef("console", "community")]
