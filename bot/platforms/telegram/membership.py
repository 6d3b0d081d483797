"""The community supergroup's door: join requests, invitations, removals and bans.

Someone who asks to join is remembered with the ``user_chat_id`` of their request: the
bot may write to them through it for a while even before they have written to the bot.
Admitting approves the pending request; without one, the new member gets a single-use
invite link in private (an earlier ban is lifted first, or the link would not let them
in). Removing is ban then unban: out of the group, free to be invited again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

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
INVITE = N_("Welcome to the community! Your personal invitation (for you alone, valid for two days): {link}")


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

    def requested(self, request: ChatJoinRequest) -> None:
        """Remember the chat through which the bot may write to someone who asked to join."""
        self.requesters[str(request.from_user.id)] = request.user_chat_id

    def private_chat(self, user_id: str) -> str:
        """The chat to write to a user in: their join request's, else their own private chat."""
        return str(self.requesters.get(user_id, user_id))

    async def admit(self, user: UserRef) -> None:
        """Approve the user's join request; without one, send a single-use invite link."""
        community = self._community()
        try:
            async with converted():
                await self.bot.approve_chat_join_request(community, int(user.id))
            return
        except (RecipientUnreachable, RateLimited):
            raise
        except PlatformError as error:  # no pending request ("HIDE_REQUESTER_MISSING")
            log.info(
                "telegram: no join request of %s to approve (%s); sending an invite link", user.id, error
            )
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
