"""The Telegram adapter, on python-telegram-bot used as transport only.

PTB's :class:`~telegram.Bot` with its HTTP pools (:class:`~telegram.request.HTTPXRequest`)
is all that runs of it: no ``telegram.ext`` (``Application``, ``ConversationHandler``,
persistence, ``JobQueue``, ``Updater``; importing it cost ~0.1 s of every start). The
copbot router, form engine and scheduler hold all state. Updates arrive by long polling
(:mod:`~bot.platforms.telegram.polling`, which confirms an update only once it is handled)
or by webhook (:mod:`~bot.platforms.telegram.webhook`, which answers Telegram only once it
is handled); both hand updates to :meth:`TelegramPlatform.handle_update`.

Mapping:

* users are numeric Telegram ids as strings; a direct message to a user goes to the
  private chat whose id is the user id;
* the community is a forum supergroup: a thread is a forum topic, its id the
  ``message_thread_id`` (the Bot API cannot list topics; the dialogue tables keep them);
* text is sent as HTML split under 4,096 characters, buttons as inline keyboards
  (:mod:`~bot.platforms.telegram.render`); every button press is answered, stale ones too;
* joining, removing and banning are the community group's (:mod:`~bot.platforms.telegram.membership`);
* Bot API errors become the core's (:mod:`~bot.platforms.telegram.errors`). No
  ``AIORateLimiter``: one 429 would pause every request, while the outbox paces per chat
  to the published :attr:`~TelegramPlatform.rate_limits`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from telegram import Bot, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.request import BaseRequest, HTTPXRequest

from bot.catalogs import Catalogs
from bot.core.errors import PlatformError, RecipientUnreachable
from bot.core.platform import Capability, EventSink, Handled, Platform
from bot.core.text import to_plain
from bot.core.types import ChatRef, CommandMenu, Media, MessageRef, OutgoingMessage, Recipient, UserRef
from bot.platforms.telegram.errors import converted
from bot.platforms.telegram.files import caption_of, download, edit_caption, send_file
from bot.platforms.telegram.limits import BOT_API_LIMITS, CAPTION_LIMIT, FILE_LIMITS, MESSAGE_LIMIT
from bot.platforms.telegram.membership import JoinRequestBook, Membership
from bot.platforms.telegram.polling import POLL_TIMEOUT, Poller
from bot.platforms.telegram.render import (
    html_pieces,
    keyboard,
    keyboard_json,
    menu_commands,
    menu_scope,
    topic_name,
)
from bot.platforms.telegram.settings import TelegramSettings
from bot.platforms.telegram.updates import ALLOWED_UPDATES, NAME, Json, UpdateLedger, as_json, event_of

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platforms.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)
# Time periods as timedelta, the behaviour PTB 23 will have; PTB 22 warns on every
# RetryAfter otherwise. copbot is the only user of PTB in its process.
os.environ.setdefault("PTB_TIMEDELTA", "true")


class TelegramPlatform(Platform):
    """The Telegram adapter.

    Args:
        settings: ``COPBOT_TELEGRAM__*``.
        app_settings: the whole configuration (default language for the few texts the
            adapter writes itself).
        request: the HTTP layer for every Bot API call (tests pass an in-process fake);
            by default PTB's ``HTTPXRequest``.
    """

    name = NAME
    message_limit = MESSAGE_LIMIT
    rate_limits = BOT_API_LIMITS
    file_limits = FILE_LIMITS
    #: The Bot API has no idempotency key: a send repeated after a crash would arrive twice.
    capabilities = frozenset(Capability) - {Capability.IDEMPOTENT_SEND}

    def __init__(
        self, settings: TelegramSettings, app_settings: Settings, *, request: BaseRequest | None = None
    ) -> None:
        self.settings = settings
        if settings.community_chat_id is not None:
            self.community_chat = ChatRef(NAME, str(settings.community_chat_id))
        if settings.moderator_chat_id is not None:
            self.moderator_chat = ChatRef(NAME, str(settings.moderator_chat_id))
        # The pools python-telegram-bot's ApplicationBuilder would make: 256 connections
        # for calls, one for the long poll.
        self.bot = Bot(
            settings.token.get_secret_value(),
            base_url=settings.api_url,
            base_file_url=settings.api_url.replace("/bot", "/file/bot", 1),
            request=request or HTTPXRequest(connection_pool_size=256),
            get_updates_request=request or HTTPXRequest(connection_pool_size=1),
        )
        self.poll_timeout = POLL_TIMEOUT
        self.ledger = UpdateLedger()
        self.membership = Membership(
            self.bot,
            settings.community_chat_id,
            Catalogs(default=app_settings.default_locale),
            self.send,
        )
        self._sink: EventSink | None = None
        self._poller: asyncio.Task[None] | None = None
        self._polls_under_lease = False
        self._webhook: WebhookServer | None = None
        self._side_tasks: set[asyncio.Task[Any]] = set()

    # -- life cycle -------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Connect (``getMe``), then poll, or serve the webhook when one is configured."""
        self._sink = sink
        await self.bot.initialize()
        self.bot_username = self.bot.username
        await self.membership.recall()
        if self.settings.webhook_url:
            from bot.platforms.telegram.webhook import WebhookServer

            secret = self.settings.webhook_secret
            assert secret is not None  # the settings refuse a webhook without one
            self._webhook = WebhookServer(
                self.bot, self.handle_update, secret.get_secret_value(), self.settings.webhook_listen
            )
            await self._webhook.start()
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
            )
        else:
            await self.bot.delete_webhook()
            if not self._polls_under_lease:
                await self.start_receiving()
        log.info("telegram: @%s connected (%s)", self.bot_username, "webhook" if self._webhook else "polling")

    def receive_under_lease(self) -> bool:
        """Before :meth:`start`: poll only between :meth:`start_receiving` and :meth:`stop_receiving`.

        Returns:
            Whether this platform polls (a webhook is served by every instance, no lease).
        """
        self._polls_under_lease = not self.settings.webhook_url
        return self._polls_under_lease

    async def start_receiving(self) -> None:
        """Start polling (this instance took the polling lease)."""
        if self._poller is None and self._sink is not None:
            poller = Poller(self.bot, self.ledger, self.handle_update, self.stopping, self.poll_timeout)
            self._poller = asyncio.create_task(poller.run(), name="telegram-poll")

    async def stop_receiving(self) -> None:
        """Stop polling at once; updates fetched but not confirmed come again to the next poller."""
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None

    async def stop(self) -> None:
        self._sink = None  # the poll loop ends even if a cancellation were swallowed
        await self.stop_receiving()
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        for task in list(self._side_tasks):
            task.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        await self.bot.shutdown()

    # -- receiving --------------------------------------------------------------------

    def stopping(self) -> bool:
        """Whether the platform is stopped or stopping (no sink to hand events to)."""
        return self._sink is None

    async def handle_update(self, update: Json | Update) -> Handled:
        """Hand one update (the Bot API's JSON) to the bot; the result resolves once it is handled.

        Raises:
            PlatformError: the platform is stopping; the update must come again.
        """
        update = as_json(update)
        if update.get("chat_join_request") is not None:  # rare: PTB's object is worth its cost
            request = Update.de_json(update, self.bot).chat_join_request
            assert request is not None
            await self.membership.requested(request)
        if update.get("callback_query") is not None:
            self._spawn(self._answer(update["callback_query"]["id"]))
        try:
            event = event_of(update, self.settings.community_chat_id)
        except Exception:  # an update shaped as no one expected: skip it, keep receiving
            log.exception("telegram: skipping update %s, which cannot be mapped", update.get("update_id"))
            event = None
        if self._sink is None:  # stopping: the update must come again, not be confirmed
            raise PlatformError("the Telegram platform is stopping")
        if event is None:
            return _done_already()
        return await self._sink(event)

    async def _answer(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as error:  # a stale query (a redelivery after a restart)
            log.debug("telegram: could not answer callback query %s: %s", query_id, error)

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coroutine)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    # -- sending ----------------------------------------------------------------------

    async def send(self, message: OutgoingMessage) -> MessageRef:
        chat = self._chat_of(message.to)
        try:
            return await self._send(chat, message)
        except RecipientUnreachable:
            if chat.id in self.membership.requesters:
                log.warning(
                    "telegram: cannot write to %s, who asked to join; they can write to the bot first through %s",
                    chat.id,
                    self.deep_link(),
                )
            raise

    async def _send(self, chat: ChatRef, message: OutgoingMessage) -> MessageRef:
        target: dict[str, Any] = {"chat_id": int(chat.id)}
        if chat.thread_id is not None:
            target["message_thread_id"] = int(chat.thread_id)
        pieces = html_pieces(message.text, self.message_limit)
        caption = caption_of(
            pieces, len(to_plain(message.text)), message.captioned and len(message.attachments) == 1
        )
        sent: int | None = None  # the message id
        for index, piece in enumerate([] if caption else pieces):
            last = index == len(pieces) - 1
            data: dict[str, Any] = {"text": piece, "parse_mode": ParseMode.HTML, **target}
            if last and message.buttons:
                data["reply_markup"] = keyboard_json(message.buttons)
            if index == 0 and message.reply_to and message.reply_to.isdigit():
                data["reply_parameters"] = {
                    "message_id": int(message.reply_to),
                    "allow_sending_without_reply": True,
                }
            async with converted():
                # Bot._post rather than send_message: the same request layer and errors,
                # without decoding the sent Message (a fifth of the adapter's CPU) for its id.
                sent = (await self.bot._post("sendMessage", data))["message_id"]
        for attachment in message.attachments:
            answering = target
            if caption and message.reply_to and message.reply_to.isdigit():  # the file is the message
                answering = target | {
                    "reply_parameters": ReplyParameters(
                        int(message.reply_to), allow_sending_without_reply=True
                    )
                }
            document = await send_file(self.bot, answering, attachment, caption)
            sent = sent or document.message_id
        if sent is None:
            raise PlatformError("an empty message was not sent")
        return MessageRef(chat, str(sent))

    async def download(self, media: Media) -> bytes | None:
        """``getFile``, then the file's bytes (up to 20 MB)."""
        return await download(self.bot, media)

    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        pieces = html_pieces(message.text, self.message_limit)
        if not pieces:
            return
        try:
            async with converted():
                await self.bot.edit_message_text(
                    pieces[0],
                    chat_id=int(ref.chat.id),
                    message_id=int(ref.id),
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard(message.buttons),
                )
        except PlatformError as error:
            if "no text in the message" in str(error):  # a file's copy: its caption is the text
                await edit_caption(
                    self.bot, int(ref.chat.id), int(ref.id), html_pieces(message.text, CAPTION_LIMIT)[0]
                )
            elif "not modified" not in str(error):
                raise

    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        async with converted():
            topic = await self.bot.create_forum_topic(int(chat.id), topic_name(title))
        thread = chat.thread(str(topic.message_thread_id))
        return await self.send(
            OutgoingMessage(thread, opening.text, opening.buttons, attachments=opening.attachments)
        )

    def thread_link(self, thread: ChatRef, opening: str | None) -> str | None:
        """A forum topic's link; only a supergroup's (``-100…``) topics have one."""
        if thread.thread_id is None or not thread.id.startswith("-100"):
            return None
        return f"https://t.me/c/{thread.id.removeprefix('-100')}/{thread.thread_id}"

    async def close_thread(self, chat: ChatRef) -> None:
        if chat.thread_id is None:
            return
        async with converted():
            await self.bot.close_forum_topic(int(chat.id), int(chat.thread_id))

    async def delete_message(self, ref: MessageRef) -> None:
        async with converted():
            await self.bot.delete_message(int(ref.chat.id), int(ref.id))

    async def set_command_menu(self, menu: CommandMenu) -> None:
        """``setMyCommands`` for all private chats, or for the moderators' group if there is one."""
        scope = menu_scope(menu, self.moderator_chat)
        if scope is None:
            return
        async with converted():
            await self.bot.set_my_commands(menu_commands(menu), scope, menu.locale)

    # -- the community ----------------------------------------------------------------

    def keep_join_requests(self, book: JoinRequestBook) -> None:
        """Keep join requests in ``book`` too, so they outlive a restart (call before :meth:`start`)."""
        self.membership.book = book

    async def admit_user(self, user: UserRef) -> None:
        """Approve the user's join request; without one, send a single-use invite link."""
        await self.membership.admit(user)

    async def remove_user(self, user: UserRef, reason: str | None = None) -> None:
        """Ban then unban: the member is out of the community and may be invited again."""
        await self.membership.remove(user)

    async def ban_user(self, user: UserRef, reason: str | None = None) -> None:
        """Ban: out of the community, and kept out until admitted again."""
        await self.membership.ban(user)

    def deep_link(self, payload: str | None = None) -> str:
        """A ``t.me`` link that opens a private chat with the bot.

        Args:
            payload: what the chat starts with: the client sends ``/start <payload>``
                (a feature declares its own, such as the application form's). Without
                one, the client shows a Start button that sends ``/start``.
        """
        link = f"https://t.me/{self.bot_username}"
        return f"{link}?start={payload}" if payload else link

    def _chat_of(self, recipient: Recipient) -> ChatRef:
        """A chat as is; a user's private chat (a join requester's ``user_chat_id``)."""
        if isinstance(recipient, UserRef):
            return ChatRef(NAME, self.membership.private_chat(recipient.id))
        return recipient


async def _done_already() -> None:
    return None


__all__ = ["TelegramPlatform"]
