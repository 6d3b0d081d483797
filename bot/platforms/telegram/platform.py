"""The Telegram adapter, on python-telegram-bot used as transport only.

PTB's :class:`~telegram.ext.Application` builds the bot and its HTTP pools; nothing else
of it runs: no ``ConversationHandler``, persistence, ``JobQueue`` or ``Updater``. The
copbot router, form engine and scheduler hold all state. Updates arrive by long polling
(:meth:`TelegramPlatform._poll`, which confirms an update only once it is handled, see
:class:`~bot.platforms.telegram.updates.UpdateLedger`) or by webhook
(:mod:`bot.platforms.telegram.webhook`, which answers Telegram only once it is handled).

Mapping:

* users are numeric Telegram ids as strings; a direct message to a user goes to the
  private chat whose id is the user id;
* the community is a forum supergroup: a thread is a forum topic, its id the
  ``message_thread_id`` (the Bot API cannot list topics; the dialogue tables keep them);
* text is sent as HTML, rendered from :class:`~bot.core.text.Text` with every span
  escaped, split under 4,096 characters between words (never inside an entity);
* button payloads are callback data (the core keeps them under 64 bytes); every press
  is answered, stale ones too;
* ``RetryAfter`` becomes :class:`~bot.core.errors.RateLimited`, ``Forbidden`` and "chat
  not found" :class:`~bot.core.errors.RecipientUnreachable`, other Bot API errors
  :class:`~bot.core.errors.PlatformError`. No ``AIORateLimiter``: one 429 would pause
  every request, while the outbox and the interactive path pace per chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Coroutine
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import BotCommandLimit, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder
from telegram.request import BaseRequest

from bot.catalogs import Catalogs
from bot.config import Settings, TelegramSettings
from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable
from bot.core.i18n import N_
from bot.core.pacing import TELEGRAM_LIMITS
from bot.core.platform import Capability, EventSink, Handled, Platform
from bot.core.text import fill, link, split, to_html
from bot.core.types import (
    Button,
    ChatRef,
    CommandMenu,
    MenuScope,
    MessageRef,
    OutgoingMessage,
    Recipient,
    UserRef,
)
from bot.platforms.telegram.updates import (
    ALLOWED_UPDATES,
    NAME,
    UpdateLedger,
    event_of,
)

if TYPE_CHECKING:
    from bot.platforms.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)
# Time periods as timedelta, the behaviour PTB 23 will have; PTB 22 warns on every
# RetryAfter otherwise. copbot is the only user of PTB in its process.
os.environ.setdefault("PTB_TIMEDELTA", "true")

#: Seconds a ``getUpdates`` long poll waits for an update.
POLL_TIMEOUT = 25
#: How long an invite link made for an approved member stays valid.
INVITE_VALIDITY = timedelta(days=2)
#: Telegram's limit on a forum topic's name.
TOPIC_NAME_LIMIT = 128
INVITE = N_("Welcome to the community! Your personal invitation (for you alone, valid for two days): {link}")
#: Bad requests that mean "nobody there".
_GONE = ("chat not found", "user not found", "peer_id_invalid", "bot was blocked", "user is deactivated")


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
    message_limit = 4096
    rate_limits = TELEGRAM_LIMITS
    #: The Bot API has no idempotency key: a send repeated after a crash would arrive twice.
    capabilities = frozenset(Capability) - {Capability.IDEMPOTENT_SEND}

    def __init__(
        self, settings: TelegramSettings, app_settings: Settings, *, request: BaseRequest | None = None
    ) -> None:
        self.settings = settings
        self.catalogs = Catalogs(default=app_settings.default_locale)
        if settings.community_chat_id is not None:
            self.community_chat = ChatRef(NAME, str(settings.community_chat_id))
        if settings.moderator_chat_id is not None:
            self.moderator_chat = ChatRef(NAME, str(settings.moderator_chat_id))
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.token.get_secret_value())
            .base_url(settings.api_url)
            .base_file_url(settings.api_url.replace("/bot", "/file/bot", 1))
            .updater(None)
        )
        if request is not None:
            builder = builder.request(request).get_updates_request(request)
        self.application = builder.build()
        self.bot: Bot = self.application.bot
        self.poll_timeout = POLL_TIMEOUT
        self.ledger = UpdateLedger()
        self._sink: EventSink | None = None
        self._poller: asyncio.Task[None] | None = None
        self._webhook: WebhookServer | None = None
        self._progress = asyncio.Event()
        self._side_tasks: set[asyncio.Task[Any]] = set()
        #: Users who asked to join, with the ``user_chat_id`` of their request.
        self._requesters: dict[str, int] = {}

    # -- life cycle -------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Connect (``getMe``), then poll, or serve the webhook when one is configured."""
        self._sink = sink
        await self.application.initialize()
        self.bot_username = self.bot.username
        if self.settings.webhook_url:
            from bot.platforms.telegram.webhook import WebhookServer

            secret = self.settings.webhook_secret
            assert secret is not None  # the settings refuse a webhook without one
            self._webhook = WebhookServer(self, secret.get_secret_value(), self.settings.webhook_listen)
            await self._webhook.start()
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=secret.get_secret_value(),
                allowed_updates=list(ALLOWED_UPDATES),
            )
        else:
            await self.bot.delete_webhook()
            self._poller = asyncio.create_task(self._poll(), name="telegram-poll")
        log.info("telegram: @%s connected (%s)", self.bot_username, "webhook" if self._webhook else "polling")

    async def stop(self) -> None:
        self._sink = None  # the poll loop ends even if a cancellation were swallowed
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        if self._webhook is not None:
            await self._webhook.stop()
            self._webhook = None
        for task in list(self._side_tasks):
            task.cancel()
        await asyncio.gather(*self._side_tasks, return_exceptions=True)
        await self.application.shutdown()

    # -- receiving --------------------------------------------------------------------

    def stopping(self) -> bool:
        """Whether the platform is stopped or stopping (no sink to hand events to)."""
        return self._sink is None

    async def _poll(self) -> None:
        """Long-poll ``getUpdates``, confirming only updates that were handled."""
        while not self.stopping():
            try:
                updates = await self._get_updates()
            except asyncio.CancelledError:
                raise
            except RetryAfter as error:
                await asyncio.sleep(_seconds(error))
                continue
            except Exception as error:
                log.warning("telegram: getUpdates failed (%s); retrying in 1 s", error)
                await asyncio.sleep(1.0)
                continue
            self._progress.clear()
            fresh = 0
            for update in updates:
                if self.stopping():  # the rest comes again at the next start
                    break
                try:
                    if await self.receive(update) is not None:
                        fresh += 1
                except Exception:  # the bot refused it (stopping): it comes again
                    log.exception("telegram: update %d was not accepted", update.update_id)
                    self.ledger.forget(update.update_id)
            if not fresh and self.ledger.in_flight:
                # Only updates still in flight came back: wait for one to finish rather
                # than asking again at once (the offset cannot move before that).
                with contextlib.suppress(TimeoutError):  # not wait_for: it can swallow a cancel
                    async with asyncio.timeout(1.0):
                        await self._progress.wait()

    async def _get_updates(self) -> list[Update]:
        arguments: dict[str, Any] = {
            "offset": self.ledger.offset,
            "timeout": self.poll_timeout,
            "allowed_updates": list(ALLOWED_UPDATES),
        }
        try:
            return list(await self.bot.get_updates(**arguments))
        except TelegramError:
            raise
        except Exception:  # PTB could not read the batch: read it update by update
            raw: list[dict[str, Any]] = await self.bot.do_api_request(
                "getUpdates", arguments, read_timeout=self.poll_timeout + 10
            )
            return [self._parse(data) for data in raw]

    def _parse(self, data: dict[str, Any]) -> Update:
        """One update; one PTB cannot read is logged and skipped, never retried forever."""
        try:
            return Update.de_json(data, self.bot)
        except Exception:
            log.exception("telegram: skipping an update that cannot be read: %.500r", data)
            return Update(int(data["update_id"]))

    async def receive(self, update: Update) -> Handled | None:
        """Hand one polled update to the bot, unless it is already in flight or handled.

        Returns:
            An awaitable resolving once the update is handled, or ``None`` for a repeat.
        """
        if not self.ledger.accept(update.update_id):
            return None
        handled = asyncio.ensure_future(await self.handle_update(update))
        handled.add_done_callback(lambda future: self._done(update.update_id, future))
        return handled

    async def handle_update(self, update: Update) -> Handled:
        """Hand one update to the bot; the result resolves once it is handled."""
        request = update.chat_join_request
        if request is not None:  # the chat through which the bot may write to the requester
            self._requesters[str(request.from_user.id)] = request.user_chat_id
        if update.callback_query is not None:
            self._spawn(self._answer(update.callback_query.id))
        return await self._dispatch(update)

    async def _dispatch(self, update: Update) -> Handled:
        try:
            event = event_of(update, self.settings.community_chat_id)
        except Exception:  # an update shaped as no one expected: skip it, keep receiving
            log.exception("telegram: skipping update %d, which cannot be mapped", update.update_id)
            event = None
        if self._sink is None:  # stopping: the update must come again, not be confirmed
            raise PlatformError("the Telegram platform is stopping")
        if event is None:
            return _done_already()
        return await self._sink(event)

    def _done(self, update_id: int, handled: asyncio.Future[None]) -> None:
        if handled.cancelled():  # the bot stopped first: not handled, never confirmed
            self.ledger.forget(update_id)
        else:
            self.ledger.done(update_id)
        self._progress.set()

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
            if chat.id in self._requesters:
                log.warning(
                    "telegram: cannot write to %s, who asked to join; they can apply through %s",
                    chat.id,
                    self.deep_link(),
                )
            raise

    async def _send(self, chat: ChatRef, message: OutgoingMessage) -> MessageRef:
        target: dict[str, Any] = {"chat_id": int(chat.id)}
        if chat.thread_id is not None:
            target["message_thread_id"] = int(chat.thread_id)
        pieces = split(message.text, self.message_limit)
        sent: Message | None = None
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            reply = (
                ReplyParameters(int(message.reply_to), allow_sending_without_reply=True)
                if index == 0 and message.reply_to and message.reply_to.isdigit()
                else None
            )
            async with _converted():
                sent = await self.bot.send_message(
                    text=to_html(piece),
                    parse_mode=ParseMode.HTML,
                    reply_markup=_keyboard(message.buttons) if last else None,
                    reply_parameters=reply,
                    **target,
                )
        for attachment in message.attachments:
            upload = InputFile(attachment.data, filename=attachment.filename)
            async with _converted():
                if attachment.is_image:
                    document = await self.bot.send_photo(photo=upload, **target)
                else:
                    document = await self.bot.send_document(document=upload, **target)
            sent = sent or document
        if sent is None:
            raise PlatformError("an empty message was not sent")
        return MessageRef(chat, str(sent.message_id))

    async def edit(self, ref: MessageRef, message: OutgoingMessage) -> None:
        pieces = split(message.text, self.message_limit)
        if not pieces:
            return
        try:
            async with _converted():
                await self.bot.edit_message_text(
                    to_html(pieces[0]),
                    chat_id=int(ref.chat.id),
                    message_id=int(ref.id),
                    parse_mode=ParseMode.HTML,
                    reply_markup=_keyboard(message.buttons),
                )
        except PlatformError as error:
            if "not modified" not in str(error):
                raise

    async def create_thread(self, chat: ChatRef, title: str, opening: OutgoingMessage) -> MessageRef:
        async with _converted():
            topic = await self.bot.create_forum_topic(int(chat.id), _topic_name(title))
        thread = chat.thread(str(topic.message_thread_id))
        return await self.send(
            OutgoingMessage(thread, opening.text, opening.buttons, attachments=opening.attachments)
        )

    async def close_thread(self, chat: ChatRef) -> None:
        if chat.thread_id is None:
            return
        async with _converted():
            await self.bot.close_forum_topic(int(chat.id), int(chat.thread_id))

    async def delete_message(self, ref: MessageRef) -> None:
        async with _converted():
            await self.bot.delete_message(int(ref.chat.id), int(ref.id))

    async def set_command_menu(self, menu: CommandMenu) -> None:
        """``setMyCommands`` for all private chats, or for the moderators' group if there is one."""
        if menu.scope is MenuScope.DIRECT_CHATS:
            scope: BotCommandScope = BotCommandScopeAllPrivateChats()
        elif self.moderator_chat is not None:
            scope = BotCommandScopeChat(int(self.moderator_chat.id))
        else:
            return
        commands = [BotCommand(name, _menu_description(text)) for name, text in menu.commands]
        async with _converted():
            await self.bot.set_my_commands(commands[: BotCommandLimit.MAX_COMMAND_NUMBER], scope, menu.locale)

    async def admit_user(self, user: UserRef) -> None:
        """Approve the user's join request; without one, send a single-use invite link."""
        community = self._community()
        try:
            async with _converted():
                await self.bot.approve_chat_join_request(community, int(user.id))
            return
        except (RecipientUnreachable, RateLimited):
            raise
        except PlatformError as error:  # no pending request ("HIDE_REQUESTER_MISSING")
            log.info(
                "telegram: no join request of %s to approve (%s); sending an invite link", user.id, error
            )
        async with _converted():
            # an invite link does not let a banned user in: lift an earlier /ban first
            await self.bot.unban_chat_member(community, int(user.id), only_if_banned=True)
            invite = await self.bot.create_chat_invite_link(
                community,
                expire_date=datetime.now(UTC) + INVITE_VALIDITY,
                member_limit=1,
                name=f"copbot {user.id}"[:32],
            )
        translator = self.catalogs.translator(self.catalogs.choose(None, user.language))
        text = fill(translator.gettext(INVITE), {"link": link(invite.invite_link, invite.invite_link)})
        await self.send(OutgoingMessage(user, text))

    async def remove_user(self, user: UserRef, reason: str | None = None) -> None:
        """Ban then unban: the member is out of the community and may be invited again."""
        community = self._community()
        async with _converted():
            await self.bot.ban_chat_member(community, int(user.id))
            await self.bot.unban_chat_member(community, int(user.id), only_if_banned=True)

    async def ban_user(self, user: UserRef, reason: str | None = None) -> None:
        """Ban: out of the community, and kept out until admitted again."""
        async with _converted():
            await self.bot.ban_chat_member(self._community(), int(user.id))

    def deep_link(self, start: str = "apply") -> str:
        """A ``t.me`` link that opens a private chat with the bot and sends ``/start <start>``."""
        return f"https://t.me/{self.bot_username}?start={start}"

    def _chat_of(self, recipient: Recipient) -> ChatRef:
        """A chat as is; a user's private chat (a join requester's ``user_chat_id``)."""
        if isinstance(recipient, UserRef):
            return ChatRef(NAME, str(self._requesters.get(recipient.id, recipient.id)))
        return recipient

    def _community(self) -> int:
        if self.settings.community_chat_id is None:
            raise PlatformError("COPBOT_TELEGRAM__COMMUNITY_CHAT_ID is not set")
        return self.settings.community_chat_id


# -- helpers --------------------------------------------------------------------------


def _keyboard(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.payload) for button in row] for row in rows]
    )


def _menu_description(text: str) -> str:
    limit = BotCommandLimit.MAX_DESCRIPTION
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _topic_name(title: str) -> str:
    name = " ".join(title.split()) or "…"
    return name if len(name) <= TOPIC_NAME_LIMIT else name[: TOPIC_NAME_LIMIT - 1].rstrip() + "…"


def _seconds(error: RetryAfter) -> float:
    value: Any = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def _done_already() -> None:
    return None


@contextlib.asynccontextmanager
async def _converted() -> AsyncIterator[None]:
    """Turn python-telegram-bot's errors into the core's :class:`PlatformError` tree."""
    try:
        yield
    except RetryAfter as error:
        raise RateLimited(_seconds(error)) from error
    except Forbidden as error:
        raise RecipientUnreachable(error.message) from error
    except BadRequest as error:
        if any(gone in error.message.lower() for gone in _GONE):
            raise RecipientUnreachable(error.message) from error
        raise PlatformError(f"Bot API: {error.message}") from error
    except TelegramError as error:
        raise PlatformError(f"Bot API: {error.message}") from error


__all__ = ["TelegramPlatform"]
