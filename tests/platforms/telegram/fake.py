"""A fake Telegram Bot API: one state model, reached in process or over loopback HTTP.

:class:`FakeTelegram` answers Bot API methods the way Telegram does, as far as copbot
uses them: users, private chats, a forum supergroup with topics, a moderators' group,
messages, an update queue served by ``getUpdates`` (offset, limit, long polling), join
requests, invite links, documents, photos and the files members send (``getFile`` and
the file download, :mod:`~tests.platforms.telegram.fake_files`). It refuses what Telegram refuses: HTML that does
not parse (400 "can't parse entities"), text over 4,096 characters, callback data over
64 bytes, a user who blocked the bot (403). Given ``limits=TelegramLimits()`` it also
refuses what Telegram's rate limits refuse (429 with ``retry_after``,
:mod:`~tests.platforms.telegram.fake_limits`); ``throttle(chat, seconds)`` makes the next
send to a chat answer 429 either way, and every 429 is recorded in
:attr:`FakeTelegram.too_many`. An unknown method answers 404 and is recorded in
:attr:`FakeTelegram.unknown`, which tests assert empty.

Two transports share it: :class:`FakeRequest`, a ``telegram.request.BaseRequest`` for
python-telegram-bot in process (PTB's own tests use the same seam), and
:class:`FakeBotApiServer`, an aiohttp server for a real ``copbot run`` process.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any

from telegram.request import BaseRequest, RequestData

from tests.platforms.telegram.fake_files import FileApiError, FileStore, StoredFile
from tests.platforms.telegram.fake_limits import SendLimits, TelegramLimits, TooMany

if TYPE_CHECKING:  # imported by the loopback server only: the in-process fake runs without aiohttp
    from aiohttp import web

BOT_ID = 999
BOT_USERNAME = "copbot_test_bot"
TOKEN = "999:TEST-token"
Json = dict[str, Any]

_ALLOWED_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre", "a", "tg-spoiler"}


class _Entities(HTMLParser):
    """Checks HTML the way Telegram's parser does (only its tags, balanced, ``&`` escaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.text: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.error = self.error or f'unsupported start tag "{tag}"'
        if tag == "a" and not dict(attrs).get("href"):
            self.error = self.error or "a tag without href"
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'unexpected end tag "{tag}"'
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            self.error = self.error or "unescaped angle bracket"
        if re.search(r"&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);)", data):
            self.error = self.error or "unescaped ampersand"
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in ("lt", "gt", "amp", "quot"):
            self.error = self.error or f"unsupported entity &{name};"
        self.text.append(html.unescape(f"&{name};"))

    def handle_charref(self, name: str) -> None:
        self.text.append(html.unescape(f"&#{name};"))


def parse_html(source: str) -> tuple[str, str | None]:
    """The plain text of Telegram HTML, and why it does not parse (``None`` if it does)."""
    checker = _Entities()
    checker.feed(source)
    checker.close()
    if checker.rawdata:  # an unfinished tag such as "<b" at the end
        checker.error = checker.error or "unfinished tag"
    if checker.stack and checker.error is None:
        checker.error = f'unclosed start tag "{checker.stack[-1]}"'
    return "".join(checker.text), checker.error


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: Json | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass
class Sent:
    """A message the bot sent (or edited)."""

    message_id: int
    chat_id: int
    text: str
    html: str
    thread_id: int | None = None
    buttons: list[list[Json]] = field(default_factory=list)
    kind: str = "text"
    filename: str | None = None
    data: bytes = b""
    reply_to: int | None = None
    #: The caption a photo or document was sent with (its text, as a member reads it).
    caption: str | None = None
    edits: int = 0

    @property
    def payloads(self) -> list[str]:
        return [button["callback_data"] for row in self.buttons for button in row]


class FakeTelegram(FileStore):
    """The Bot API's state and methods.

    Args:
        community_id: the forum supergroup's id.
        moderators_id: the moderators' group id.
        limits: Telegram's rate limits, to answer 429 as Telegram does (``None``: no limits).
    """

    def __init__(
        self, community_id: int = -1001, moderators_id: int = -1002, limits: TelegramLimits | None = None
    ) -> None:
        self.community_id = community_id
        self.moderators_id = moderators_id
        self.users: dict[int, Json] = {}
        self.chats: dict[int, Json] = {
            community_id: {"id": community_id, "type": "supergroup", "title": "Community", "is_forum": True},
            moderators_id: {"id": moderators_id, "type": "group", "title": "Moderators"},
        }
        self.topics: dict[int, dict[int, Json]] = {community_id: {}}
        self.sent: list[Sent] = []
        self.updates: list[Json] = []
        self.confirmed = 0
        self.blocked: set[int] = set()
        self.join_requests: set[tuple[int, int]] = set()
        self.members: dict[int, set[int]] = {community_id: set(), moderators_id: set()}
        self.banned: set[tuple[int, int]] = set()
        self.invite_links: list[Json] = []
        self.answered: list[str] = []
        self.calls: list[tuple[str, Json]] = []
        self.unknown: list[str] = []
        self.webhook: Json | None = None
        #: ``setMyCommands`` by (scope type, scope chat id, language code): the commands.
        self.command_menus: dict[tuple[str, int | None, str], list[Json]] = {}
        #: Seconds each send takes (a slower server, for the crash test).
        self.latency = 0.0
        #: Calls being answered now, long polls aside (a killed client's calls still finish).
        self.answering = 0
        #: Set whenever the bot sent a message (tests and benchmarks wait on it).
        self.delivered = asyncio.Event()
        #: Called with each message the moment it is received (the crash test kills the bot there).
        self.on_send: Callable[[Sent], None] | None = None
        #: Set when the server stops: long polls return at once.
        self.closing = False
        #: Admits each send or refuses it with 429 (its ``clock`` may be replaced).
        self.send_limits = SendLimits(limits)
        #: Every 429 answered (throttled or over a limit): a test of pacing asserts none.
        self.too_many: list[TooMany] = self.send_limits.too_many
        self._message_ids = itertools.count(100)
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._init_files()

    # -- the world, as tests drive it -------------------------------------------------

    def user(self, user_id: int, name: str, language: str = "en", username: str | None = None) -> Json:
        self.users[user_id] = {
            "id": user_id,
            "is_bot": False,
            "first_name": name,
            "username": username or name.lower(),
            "language_code": language,
        }
        return self.users[user_id]

    def throttle(self, chat_id: int, seconds: float) -> None:
        """The next send to ``chat_id`` answers 429 with ``retry_after``."""
        self.send_limits.throttle(chat_id, seconds)

    def push(self, **body: Any) -> int:
        """Queue an update; returns its id."""
        update_id = next(self._update_ids)
        self.updates.append({"update_id": update_id, **body})
        self._arrived.set()
        return update_id

    def say(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
        reply_to: int | None = None,
    ) -> int:
        """A user sends ``text`` (in private by default, or in ``chat_id``/``thread_id``)."""
        message = self._message(user_id, text, chat_id, thread_id, reply_to)
        return self.push(message=message)

    def share(
        self,
        user_id: int,
        file: Json,
        caption: str | None = None,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A user sends a file (``{"photo": [...]}``, ``{"document": {...}}``), with a caption or none."""
        message = self._message(user_id, "", chat_id, thread_id, None)
        del message["text"]
        message |= file | ({"caption": caption} if caption is not None else {})
        return self.push(message=message)

    def edit(
        self,
        user_id: int,
        message_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        thread_id: int | None = None,
    ) -> int:
        """A user edits their message ``message_id`` (in ``thread_id`` of a forum, if given)."""
        message = self._message(user_id, text, chat_id, thread_id, None, message_id=message_id)
        message["edit_date"] = int(time.time())
        return self.push(edited_message=message)

    def press(self, user_id: int, sent: Sent, payload: str) -> int:
        """A user presses the button carrying ``payload`` under ``sent``."""
        return self.push(
            callback_query={
                "id": str(next(self._query_ids)),
                "from": self.users[user_id],
                "chat_instance": "1",
                "data": payload,
                "message": self._as_message(sent),
            }
        )

    def request_join(self, user_id: int, chat_id: int | None = None) -> int:
        chat_id = chat_id or self.community_id
        self.join_requests.add((chat_id, user_id))
        return self.push(
            chat_join_request={
                "chat": self.chats[chat_id],
                "from": self.users[user_id],
                "user_chat_id": user_id,
                "date": int(time.time()),
                "bio": "gender trainer",
            }
        )

    def block(self, user_id: int) -> int:
        """The user blocks the bot: sends to them answer 403 from now on."""
        self.blocked.add(user_id)
        return self.push(my_chat_member=self._member_update(user_id, "member", "kicked"))

    def unblock(self, user_id: int) -> int:
        self.blocked.discard(user_id)
        return self.push(my_chat_member=self._member_update(user_id, "kicked", "member"))

    def to(self, chat_id: int, thread_id: int | None = None) -> list[Sent]:
        """What the bot sent to a chat (and thread)."""
        return [
            sent
            for sent in self.sent
            if sent.chat_id == chat_id and (thread_id is None or sent.thread_id == thread_id)
        ]

    def texts(self, chat_id: int, thread_id: int | None = None) -> list[str]:
        return [sent.text for sent in self.to(chat_id, thread_id)]

    def button(self, sent: Sent, label: str) -> str:
        """The payload of the button labelled ``label`` under ``sent``."""
        for row in sent.buttons:
            for button in row:
                if button["text"] == label:
                    return str(button["callback_data"])
        raise AssertionError(f"no button {label!r} under {sent.text!r}: {sent.buttons}")

    @property
    def pending(self) -> int:
        """Updates not yet confirmed by an offset."""
        return len(self.updates)

    async def settled(self) -> None:
        """Wait (10 s at most) until the calls a killed bot made before it died are answered.

        Telegram does not know its client is gone: a ``sendMessage`` that reached it is sent.
        A test that counts what got there after a ``kill -9`` waits for those first.
        """
        await asyncio.sleep(0.05)  # requests already in the server's sockets start being answered
        try:
            async with asyncio.timeout(10):
                while self.answering:
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError("the fake never finished the calls made before the kill") from None

    # -- the Bot API --------------------------------------------------------------------

    async def call(self, method: str, params: Json, files: dict[str, tuple[str, bytes]]) -> tuple[int, Json]:
        """Answer one Bot API call: ``(HTTP status, JSON body)``."""
        self.calls.append((method, params))
        handler: Callable[..., Any] | None = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            self.unknown.append(method)
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        counted = method.lower() != "getupdates"  # a long poll waits by design
        self.answering += counted
        try:
            result = handler(_Params(params), files)
            if asyncio.iscoroutine(result):
                result = await result
        except (ApiError, FileApiError) as error:
            body: Json = {"ok": False, "error_code": error.code, "description": error.description}
            if isinstance(error, FileApiError):
                return error.code, body
            if error.parameters:
                body["parameters"] = error.parameters
            return error.code, body
        finally:
            self.answering -= counted
        return 200, {"ok": True, "result": result}

    def _api_getme(self, p: _Params, files: Any) -> Json:
        return {"id": BOT_ID, "is_bot": True, "first_name": "copbot", "username": BOT_USERNAME}

    def _api_deletewebhook(self, p: _Params, files: Any) -> bool:
        self.webhook = None
        return True

    def _api_setwebhook(self, p: _Params, files: Any) -> bool:
        self.webhook = {
            "url": p.text("url"),
            "secret_token": p.opt("secret_token"),
            "allowed_updates": p.json("allowed_updates"),
        }
        return True

    async def _api_getupdates(self, p: _Params, files: Any) -> list[Json]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset, limit, timeout = p.number("offset", 0), p.number("limit", 100), p.number("timeout", 0)
        allowed = p.json("allowed_updates")
        if offset:
            self.confirmed = max(self.confirmed, offset)
            self.updates = [update for update in self.updates if update["update_id"] >= offset]
        deadline = time.monotonic() + timeout
        while True:
            # like Telegram, the lowest ids from the offset on; in the order they were queued,
            # so a test that shuffles the queue reorders updates within one answer
            waiting = [u for u in self.updates if u["update_id"] >= offset and _allowed(u, allowed)]
            lowest = set(sorted(u["update_id"] for u in waiting)[:limit])
            ready = [u for u in waiting if u["update_id"] in lowest]
            if ready or time.monotonic() >= deadline or self.closing:
                return ready
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                async with asyncio.timeout(deadline - time.monotonic()):
                    await self._arrived.wait()

    async def _api_sendmessage(self, p: _Params, files: Any) -> Json:
        if self.latency:
            await asyncio.sleep(self.latency)
        chat_id = self._target(p)
        source = p.text("text")
        if p.opt("parse_mode") == "HTML":
            text, error = parse_html(source)
            if error:
                raise ApiError(400, f"Bad Request: can't parse entities: {error}")
        else:
            text = source
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        reply = p.json("reply_parameters") or {}
        sent = Sent(
            next(self._message_ids),
            chat_id,
            text,
            source,
            self._thread(p, chat_id),
            self._buttons(p),
            reply_to=reply.get("message_id"),
        )
        self.sent.append(sent)
        self.delivered.set()
        if self.on_send is not None:
            self.on_send(sent)
        return self._as_message(sent)

    def _api_senddocument(self, p: _Params, files: dict[str, tuple[str, bytes]]) -> Json:
        return self._send_file(p, files, "document")

    def _api_sendphoto(self, p: _Params, files: dict[str, tuple[str, bytes]]) -> Json:
        return self._send_file(p, files, "photo")

    def _send_file(self, p: _Params, files: dict[str, tuple[str, bytes]], kind: str) -> Json:
        chat_id = self._target(p)
        if kind not in files:
            raise ApiError(400, f"Bad Request: there is no {kind} in the request")
        filename, data = files[kind]
        limit = 10 * 1024 * 1024 if kind == "photo" else 50 * 1024 * 1024
        if len(data) > limit:
            raise ApiError(413, "Request Entity Too Large")
        caption_html = p.opt("caption")
        caption = parse_html(caption_html)[0] if caption_html else None
        if caption is not None and len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        reply = p.json("reply_parameters") if p.opt("reply_parameters") else {}
        sent = Sent(
            next(self._message_ids),
            chat_id,
            "",
            "",
            self._thread(p, chat_id),
            [],
            kind,
            filename,
            data,
            reply_to=reply.get("message_id"),
            caption=caption,
        )
        self.sent.append(sent)
        self.files[f"f{sent.message_id}"] = StoredFile(
            f"f{sent.message_id}", f"sent/{sent.message_id}", data, len(data)
        )
        self.delivered.set()
        return self._as_message(sent)

    def _api_editmessagetext(self, p: _Params, files: Any) -> Json:
        chat_id, message_id = p.number("chat_id"), p.number("message_id")
        found = next((s for s in self.sent if s.chat_id == chat_id and s.message_id == message_id), None)
        if found is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if found.kind != "text":
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        text, error = parse_html(p.text("text"))
        if error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}")
        buttons = self._buttons(p)
        if text == found.text and buttons == found.buttons:
            raise ApiError(400, "Bad Request: message is not modified")
        found.text, found.html, found.buttons = text, p.text("text"), buttons
        found.edits += 1
        return self._as_message(found)

    def _api_editmessagecaption(self, p: _Params, files: Any) -> Json:
        chat_id, message_id = p.number("chat_id"), p.number("message_id")
        found = next((s for s in self.sent if s.chat_id == chat_id and s.message_id == message_id), None)
        if found is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if found.kind == "text":
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, error = parse_html(p.opt("caption") or "")
        if error:
            raise ApiError(400, f"Bad Request: can't parse entities: {error}")
        if caption == found.caption:
            raise ApiError(400, "Bad Request: message is not modified")
        found.caption = caption
        found.edits += 1
        return self._as_message(found)

    def _api_answercallbackquery(self, p: _Params, files: Any) -> bool:
        query_id = p.text("callback_query_id")
        if query_id in self.answered:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self.answered.append(query_id)
        return True

    def _api_createforumtopic(self, p: _Params, files: Any) -> Json:
        chat_id = p.number("chat_id")
        if not self.chats.get(chat_id, {}).get("is_forum"):
            raise ApiError(400, "Bad Request: the chat is not a forum")
        name = p.text("name")
        if not 1 <= len(name) <= 128:
            raise ApiError(400, "Bad Request: TOPIC_NAME_INVALID")
        thread_id = next(self._message_ids)
        self.topics[chat_id][thread_id] = {"name": name, "closed": False}
        return {"message_thread_id": thread_id, "name": name, "icon_color": 7322096}

    def _api_closeforumtopic(self, p: _Params, files: Any) -> bool:
        topic = self.topics.get(p.number("chat_id"), {}).get(p.number("message_thread_id"))
        if topic is None:
            raise ApiError(400, "Bad Request: TOPIC_ID_INVALID")
        if topic["closed"]:
            raise ApiError(400, "Bad Request: TOPIC_NOT_MODIFIED")
        topic["closed"] = True
        return True

    def _api_setmycommands(self, p: _Params, files: Any) -> bool:
        commands: list[Json] = p.json("commands") or []
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope: Json = p.json("scope") or {"type": "default"}
        if scope["type"] not in ("default", "all_private_chats", "all_group_chats", "chat"):
            raise ApiError(400, "Bad Request: unsupported scope in this fake")
        chat_id = scope.get("chat_id")
        if scope["type"] == "chat" and chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        self.command_menus[(scope["type"], chat_id, p.opt("language_code") or "")] = commands
        return True

    def _api_deletemessage(self, p: _Params, files: Any) -> bool:
        chat_id, message_id = p.number("chat_id"), p.number("message_id")
        before = len(self.sent)
        self.sent = [s for s in self.sent if not (s.chat_id == chat_id and s.message_id == message_id)]
        if len(self.sent) == before:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_approvechatjoinrequest(self, p: _Params, files: Any) -> bool:
        key = (p.number("chat_id"), p.number("user_id"))
        if key not in self.join_requests:
            raise ApiError(400, "Bad Request: HIDE_REQUESTER_MISSING")
        self.join_requests.discard(key)
        self.members.setdefault(key[0], set()).add(key[1])
        return True

    def _api_createchatinvitelink(self, p: _Params, files: Any) -> Json:
        link = {
            "invite_link": f"https://t.me/+fake{len(self.invite_links) + 1}",
            "creator": self._api_getme(p, files),
            "creates_join_request": False,
            "is_primary": False,
            "is_revoked": False,
            "member_limit": p.number("member_limit", 0) or None,
            "expire_date": p.number("expire_date", 0) or None,
            "name": p.opt("name"),
            "chat_id": p.number("chat_id"),
        }
        self.invite_links.append(link)
        return {key: value for key, value in link.items() if key != "chat_id"}

    def _api_banchatmember(self, p: _Params, files: Any) -> bool:
        key = (p.number("chat_id"), p.number("user_id"))
        self.members.get(key[0], set()).discard(key[1])
        self.banned.add(key)
        return True

    def _api_unbanchatmember(self, p: _Params, files: Any) -> bool:
        self.banned.discard((p.number("chat_id"), p.number("user_id")))
        return True

    # -- helpers ------------------------------------------------------------------------

    def _target(self, p: _Params) -> int:
        chat_id = p.number("chat_id")
        if chat_id > 0:
            if chat_id not in self.users:
                raise ApiError(400, "Bad Request: chat not found")
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        elif chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        refused = self.send_limits.admit(chat_id)
        if refused is not None:
            seconds = refused.retry_after
            raise ApiError(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
        return chat_id

    def _thread(self, p: _Params, chat_id: int) -> int | None:
        thread_id = p.number("message_thread_id", 0) or None
        if thread_id is not None:
            topic = self.topics.get(chat_id, {}).get(thread_id)
            if topic is None:
                raise ApiError(400, "Bad Request: message thread not found")
            if topic["closed"]:
                raise ApiError(400, "Bad Request: TOPIC_CLOSED")
        return thread_id

    @staticmethod
    def _buttons(p: _Params) -> list[list[Json]]:
        markup = p.json("reply_markup") or {}
        rows: list[list[Json]] = markup.get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if len(button.get("callback_data", "").encode()) > 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return rows

    def _chat(self, chat_id: int) -> Json:
        if chat_id > 0:
            user = self.users[chat_id]
            return {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        return self.chats[chat_id]

    def _message(
        self,
        user_id: int,
        text: str,
        chat_id: int | None,
        thread_id: int | None,
        reply_to: int | None,
        *,
        message_id: int | None = None,
    ) -> Json:
        chat_id = chat_id or user_id
        message: Json = {
            "message_id": message_id or next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.users[user_id],
            "text": text,
        }
        if thread_id is not None:
            message |= {"message_thread_id": thread_id, "is_topic_message": True}
        replied = reply_to or thread_id
        if replied is not None:
            original = next((s for s in self.sent if s.message_id == replied), None)
            if original is not None:
                message["reply_to_message"] = self._as_message(original)
            elif replied == thread_id:  # the topic's creation message
                message["reply_to_message"] = {
                    "message_id": thread_id,
                    "date": int(time.time()),
                    "chat": self._chat(chat_id),
                    "forum_topic_created": {"name": "topic", "icon_color": 7322096},
                }
        return message

    def _as_message(self, sent: Sent) -> Json:
        message: Json = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": self._chat(sent.chat_id),
            "from": self._api_getme(None, None),  # type: ignore[arg-type]
        }
        if sent.kind == "text":
            message["text"] = sent.text
        elif sent.kind == "document":
            message["document"] = {
                "file_id": f"f{sent.message_id}",
                "file_unique_id": "u",
                "file_name": sent.filename,
            }
        else:
            message["photo"] = [
                {"file_id": f"f{sent.message_id}", "file_unique_id": "u", "width": 1, "height": 1}
            ]
        if sent.caption is not None:
            message["caption"] = sent.caption
        if sent.thread_id is not None:
            message |= {"message_thread_id": sent.thread_id, "is_topic_message": True}
        if sent.buttons:
            message["reply_markup"] = {"inline_keyboard": sent.buttons}
        return message

    def _member_update(self, user_id: int, old: str, new: str) -> Json:
        bot = self._api_getme(None, None)  # type: ignore[arg-type]
        return {
            "chat": self._chat(user_id),
            "from": self.users[user_id],
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": bot, "until_date": 0},
            "new_chat_member": {"status": new, "user": bot, "until_date": 0},
        }


def _allowed(update: Json, allowed: list[str] | None) -> bool:
    return not allowed or any(kind in update for kind in allowed)


class _Params:
    """Bot API parameters as sent: form fields are strings, JSON bodies are typed."""

    def __init__(self, raw: Json) -> None:
        self.raw = raw

    def text(self, name: str) -> str:
        if name not in self.raw:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return str(self.raw[name])

    def opt(self, name: str) -> str | None:
        value = self.raw.get(name)
        return None if value is None else str(value)

    def number(self, name: str, default: int | None = None) -> int:
        value = self.raw.get(name)
        if value is None:
            if default is None:
                raise ApiError(400, f"Bad Request: {name} is empty")
            return default
        return int(value)

    def json(self, name: str) -> Any:
        value = self.raw.get(name)
        return json.loads(value) if isinstance(value, str) else value


# -- transports -------------------------------------------------------------------------


class FakeRequest(BaseRequest):
    """python-telegram-bot's HTTP seam, answered in process by a :class:`FakeTelegram`."""

    def __init__(self, api: FakeTelegram) -> None:
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:  # a file download: GET <base_file_url>/<file_path>
            return self.api.serve_file(url.split("/file/bot", 1)[1].split("/", 1)[1])
        params = dict(request_data.json_parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data is not None:
            for name, value in request_data.multipart_data.items():
                filename, content = value[0], value[1]
                files[name] = (filename, content if isinstance(content, bytes) else content.read())
        status, body = await self.api.call(url.rsplit("/", 1)[-1], params, files)
        return status, json.dumps(body).encode()


class FakeBotApiServer:
    """The fake over loopback HTTP, at ``http://127.0.0.1:<port>/bot<token>/<method>``."""

    def __init__(self, api: FakeTelegram, port: int = 0) -> None:
        self.api = api
        self.port = port  # 0: any free port
        self._runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        """The value for ``COPBOT_TELEGRAM__API_URL``."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> None:
        from aiohttp import web

        app = web.Application(client_max_size=50 << 20)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        self.api.closing = True
        self.api._arrived.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _file(self, request: web.Request) -> web.Response:
        from aiohttp import web

        if request.match_info["token"] != TOKEN:
            return web.Response(status=401)
        status, body = self.api.serve_file(request.match_info["path"])
        return web.Response(status=status, body=body)

    async def _handle(self, request: web.Request) -> web.Response:
        from aiohttp import web

        if request.match_info["token"] != TOKEN:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        params: Json = dict(request.query)
        files: dict[str, tuple[str, bytes]] = {}
        if request.content_type == "application/json":
            params |= await request.json()
        elif request.can_read_body:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = (value.filename, value.file.read())
                else:
                    params[name] = value
        status, body = await self.api.call(request.match_info["method"], params, files)
        return web.json_response(body, status=status)


class WebhookPusher:
    """Telegram's side of webhook mode: POSTs queued updates to the URL set with ``setWebhook``.

    Up to ``connections`` updates are in flight at once (Telegram's ``max_connections``
    defaults to 40); an update leaves the queue only when the bot answered 200, otherwise
    it is sent again after ``retry`` seconds (the bot is down, stopping, or refused it).
    With ``targets``, each post goes to one of those URLs instead of the webhook's, as a
    load balancer in front of several instances sends it: the next in turn, or with
    ``sticky`` the one its sender's id picks (every update of a person to one instance).
    """

    def __init__(
        self,
        api: FakeTelegram,
        connections: int = 40,
        retry: float = 0.1,
        targets: Sequence[str] = (),
        sticky: bool = False,
    ) -> None:
        self.api = api
        self.connections = connections
        self.retry = retry
        self.targets = list(targets)
        self.sticky = sticky
        self._turns = itertools.count()
        self.posts = 0
        self.refused = 0
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def _target(self, update: Json) -> str:
        if not self.sticky:
            return self.targets[next(self._turns) % len(self.targets)]
        body = next((value for value in update.values() if isinstance(value, dict)), {})
        sender = body.get("from") or body.get("chat") or {}
        return self.targets[int(sender.get("id", 0)) % len(self.targets)]

    async def stop(self) -> None:
        for task in [self._task, *self._posts]:
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *[t for t in [self._task, *self._posts] if t is not None], return_exceptions=True
        )

    async def _run(self) -> None:
        import aiohttp

        busy: set[int] = set()
        slots = asyncio.Semaphore(self.connections)
        async with aiohttp.ClientSession() as http:

            async def deliver(update: Json) -> None:
                hook = self.api.webhook or {}
                headers = {"X-Telegram-Bot-Api-Secret-Token": hook.get("secret_token") or ""}
                try:
                    self.posts += 1
                    url = self._target(update) if self.targets else str(hook.get("url"))
                    async with http.post(url, json=update, headers=headers) as response:
                        if response.status == 200:
                            self.api.updates = [u for u in self.api.updates if u is not update]
                            return
                        self.refused += 1
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(self.retry)

            async def one(update: Json) -> None:
                try:
                    await deliver(update)
                finally:
                    busy.discard(update["update_id"])
                    slots.release()

            while True:
                waiting = [u for u in self.api.updates if u["update_id"] not in busy]
                if not waiting or self.api.webhook is None:
                    await asyncio.sleep(0.01)
                    continue
                for update in waiting:
                    await slots.acquire()
                    if not any(queued is update for queued in self.api.updates):
                        slots.release()  # delivered while this waited for a connection
                        continue
                    busy.add(update["update_id"])
                    task = asyncio.create_task(one(update))
                    self._posts.add(task)
                    task.add_done_callback(self._posts.discard)
