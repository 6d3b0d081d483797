"""The community supergroup's door: join requests, invitations, removals and bans.

Someone who asks to join is remembered with the ``user_chat_id`` of their request: the
bot may write to them through it for a while even before they have written to the bot.
The request is also written to a :class:`JoinRequestBook` (the shell gives the adapter one
on the database), so a restart forgets neither it nor that chat. Admitting approves the
pending request; without one, the new member gets a single-use invite link in private (an
earlier ban is lifted first, or the link would not let them in). Removing is ban then
unban: out of the group, free to be invited again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from telegram import Bot, ChatJoinRequest

from bot.catalogs import Catalogs
from bot.core.errors import PlatformError, RateLimited, RecipientUnreachable
from bot.core.i18n import N_
from bot.core.text import fill, link
from bot.core.types import MessageRef, OutgoingMessage, UserRef
from bot.platforms.telegram.errors import converted

log = logging.getLogger(__name__)

#: How long an invite link made for an approved member stays valid.
INVITE_VALIDITY = timedelta(days=2)
#: Join requests older than this are no longer kept: nobody is going to answer them.
REQUEST_KEPT = timedelta(days=30)
INVITE = N_("Welcome to the community! Your personal invitation (for you alone, valid for two days): {link}")


class JoinRequestBook(Protocol):
    """Where pending join requests are kept across restarts (``storage.join_requests``)."""

    async def remember(self, user_id: str, chat_id: str, user_chat_id: str, at: datetime) -> None: ...

    async def forget(self, user_id: str) -> None: ...

    async def waiting(self, since: datetime) -> dict[str, str]: ...


class Membership:
    """Who is let into the community group, and who is kept out.

    Args:
        bot: the Bot API.
        community_chat_id: the community's supergroup, if configured.
        catalogs: the languages the invitation is written in.
        send: how the adapter sends a message (the invitation).
    """

    def __init__(
        self,
        bot: Bot,
        community_chat_id: int | None,
        catalogs: Catalogs,
        send: Callable[[OutgoingMessage], Awaitable[MessageRef]],
    ) -> None:
        self.bot = bot
        self.community_chat_id = community_chat_id
        self.catalogs = catalogs
        self.send = send
        #: Users who asked to join, with the ``user_chat_id`` of their request.
        self.requesters: dict[str, int] = {}
        #: Where requests are kept across restarts; without one, only in memory.
        self.book: JoinRequestBook | None = None

    async def recall(self) -> None:
        """Read the requests still waiting (at start): kept before a restart, they are still pending."""
        if self.book is None:
            return
        try:
            waiting = await self.book.waiting(datetime.now(UTC) - REQUEST_KEPT)
        except Exception:
            log.exception("telegram: the pending join requests could not be read")
            return
        self.requesters |= {user: int(chat) for user, chat in waiting.items()}
        if waiting:
            log.info("telegram: %d join requests still waiting for an answer", len(waiting))

    async def requested(self, request: ChatJoinRequest) -> None:
        """Remember the chat through which the bot may write to someone who asked to join."""
        user = str(request.from_user.id)
        self.requesters[user] = request.user_chat_id
        if self.book is None:
            return
        try:
            await self.book.remember(user, str(request.chat.id), str(request.user_chat_id), request.date)
        except Exception:  # the request is still pending on Telegram: admission tries it anyway
            log.exception("telegram: the join request of %s could not be stored", user)

    async def answered(self, user_id: str) -> None:
        """The user's request was approved or is gone: it is no longer kept."""
        self.requesters.pop(user_id, None)
        if self.book is None:
            return
        try:
            await self.book.forget(user_id)
        except Exception:  # kept a while longer: an admission then finds no request and invites
            log.exception("telegram: the answered join request of %s could not be removed", user_id)

    def private_chat(self, user_id: str) -> str:
        """The chat to write to a user in: their join request's, else their own private chat."""
        return str(self.requesters.get(user_id, user_id))

    async def admit(self, user: UserRef) -> None:
        """Approve the user's join request; without one, send a single-use invite link.

        The approval is tried even for a request the bot does not know of (one made before
        requests were kept): Telegram is the judge of whether it is pending.
        """
        community = self._community()
        try:
            async with converted():
                await self.bot.approve_chat_join_request(community, int(user.id))
            await self.answered(user.id)
            return
        except (RecipientUnreachable, RateLimited):
            raise
        except PlatformError as error:  # no pending request ("HIDE_REQUESTER_MISSING")
            log.info(
                "telegram: no join request of %s to approve (%s); sending an invite link", user.id, error
            )
        if user.id in self.requesters:  # kept, but Telegram no longer has it
            await self.answered(user.id)
        async with converted():
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

    async def remove(self, user: UserRef) -> None:
        """Ban then unban: the member is out of the community and may be invited again."""
        community = self._community()
        async with converted():
            await self.bot.ban_chat_member(community, int(user.id))
            await self.bot.unban_chat_member(community, int(user.id), only_if_banned=True)

    async def ban(self, user: UserRef) -> None:
        """Ban: out of the community, and kept out until admitted again."""
        async with converted():
            await self.bot.ban_chat_member(self._community(), int(user.id))

    def _community(self) -> int:
        if self.community_chat_id is None:
            raise PlatformError("COPBOT_TELEGRAM__COMMUNITY_CHAT_ID is not set")
        return self.community_chat_id
