"""Posting dialogues on their dates: opening, each prompt in its own thread, closing.

Everything here is computed from the database and ``ctx.services.now()``, so any run of
:class:`PromptPoster` (at start-up, from a timer, from the periodic tick, or two at once)
does what is due and nothing twice:

* a dialogue opens or closes through a conditional UPDATE (only one run wins);
* a prompt is posted to a chat only by the run that inserted its ``prompt_posts`` claim,
  committed before the platform is called; the thread and message ids are recorded in a
  second unit of work once the platform answered, and a failed post gives its claim back
  so a later run tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.catalogs import Catalogs
from bot.core.errors import UnsupportedCapability, UserFacingError
from bot.core.i18n import N_
from bot.core.platform import Platform
from bot.core.text import Text, bold, fill
from bot.core.types import ChatRef, OutgoingMessage, UserRef
from bot.features import RunSystem
from bot.services import Ctx
from storage.dialogues.calendar import closes_at, opens_at
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.subscriptions import Subscriptions
from storage.dialogues.texts import localized
from storage.models import Dialogue, Prompt

log = logging.getLogger(__name__)


def usage_error(ctx: Ctx) -> UserFacingError:
    """The refusal that shows how the current command is used, in the user's language."""
    route = ctx.route
    name = route.name if route is not None else ""
    shape = ctx.gettext(route.usage) if route is not None and route.usage else ""
    return UserFacingError(N_("Usage: {usage}"), usage=f"{ctx.cmd(name)} {shape}".strip())


def prompt_number(prompt: Prompt) -> str:
    """The prompt's number as people read and type it: ``2.1`` is dialogue 2, prompt 1."""
    return f"{prompt.dialogue_id}.{prompt.position}"


def title_of(dialogue: Dialogue, locale: str) -> str:
    return localized(dialogue.title, locale)


def prompt_body(prompt: Prompt, locales: tuple[str, ...]) -> str:
    """A prompt in every language it has, the first locale first (community posts)."""
    order = [code for code in locales if code in prompt.text] + [
        code for code in prompt.text if code not in locales
    ]
    return "\n\n".join(prompt.text[code] for code in order)


def opening(catalogs: Catalogs, dialogue: Dialogue, prompt: Prompt) -> tuple[str, Text]:
    """A prompt's thread title and opening message, in the community's language first."""
    translator = catalogs.translator(catalogs.default)
    title = translator.gettext(N_("{dialogue} — prompt {number}")).format(
        dialogue=title_of(dialogue, translator.locale), number=prompt_number(prompt)
    )
    return title, Text.of(bold(title), "\n\n", prompt_body(prompt, catalogs.locales))


class PromptPoster:
    """The system job that posts what is due.

    Args:
        run_system: runs a further unit of work (``CopBot.run_system``); used to record
            what the platform answered after the post.
    """

    def __init__(self, run_system: RunSystem) -> None:
        self.run_system = run_system

    async def __call__(self, ctx: Ctx) -> None:
        now = ctx.services.now()
        repo = ctx.services.repo(DialogueRepository)
        for dialogue in await repo.listed(("scheduled", "open")):
            ends = closes_at(dialogue)
            if dialogue.status == "scheduled" and opens_at(dialogue) <= now < ends:
                if await repo.transition(dialogue.id, "scheduled", "open"):
                    self._announce(ctx, dialogue)
            elif dialogue.status == "scheduled" and ends <= now:
                await repo.transition(dialogue.id, "scheduled", "closed")  # missed entirely
        for prompt in await repo.due_prompts(now):
            parent = await repo.get(prompt.dialogue_id)
            if parent is not None and now < closes_at(parent):
                await self._post(ctx, parent, prompt)
        for dialogue in await repo.listed(("open",)):
            if closes_at(dialogue) <= now and await repo.transition(dialogue.id, "open", "closed"):
                await self._close(ctx, dialogue)

    def _announce(self, ctx: Ctx, dialogue: Dialogue) -> None:
        for platform in ctx.platforms.values():
            chat = platform.community_chat
            if chat is not None:
                ctx.send(
                    chat,
                    ctx._(
                        N_(
                            "The virtual dialogue {title} opens today and runs until {end}. "
                            "Each prompt gets its own thread: reply there."
                        ),
                        title=bold(title_of(dialogue, ctx.actor.locale)),
                        end=dialogue.end_date,
                    ),
                )

    async def _post(self, ctx: Ctx, dialogue: Dialogue, prompt: Prompt) -> None:
        repo = ctx.services.repo(DialogueRepository)
        subscriptions = ctx.services.repo(Subscriptions)
        now = ctx.services.now()
        title, body = opening(ctx.services.catalogs, dialogue, prompt)
        for name, platform in ctx.platforms.items():
            chat = platform.community_chat
            if chat is None or not await repo.claim_post(prompt.id, name, chat.id, now):
                continue
            ctx.after_commit(self._poster(platform, chat, title, body, prompt.id))
            copies = [
                self._copy(ctx, dialogue, prompt, platform, identity.ref, locale or identity.language)
                for identity, locale in await subscriptions.subscribers(name, ctx.platforms.keys())
            ]
            if copies:  # through the outbox, at the platform's pace, surviving a crash
                _, rows = await ctx.services.outbox.broadcast("prompt", copies, now)
                await subscriptions.record_copies(prompt.id, rows)

    @staticmethod
    def _copy(
        ctx: Ctx, dialogue: Dialogue, prompt: Prompt, platform: Platform, to: UserRef, locale: str | None
    ) -> OutgoingMessage:
        """A prompt by direct message, in the subscriber's language."""
        catalogs = ctx.services.catalogs
        translator = catalogs.translator(catalogs.choose(locale, to.language))
        text = Text.join(
            "\n\n",
            [
                fill(
                    translator.gettext(N_("New prompt {number} of {title}:")),
                    {"number": prompt_number(prompt), "title": bold(title_of(dialogue, translator.locale))},
                ),
                localized(prompt.text, translator.locale),
                fill(
                    translator.gettext(
                        N_("Reply in the community thread, by answering this message, or with {command}.")
                    ),
                    {"command": f"{platform.command_prefix}reply {prompt_number(prompt)} …"},
                ),
            ],
        )
        return OutgoingMessage(to, text)

    def _poster(
        self, platform: Platform, chat: ChatRef, title: str, body: Text, prompt_id: int
    ) -> Callable[[], Awaitable[None]]:
        async def post() -> None:
            try:
                ref = await platform.create_thread(chat, title, OutgoingMessage(chat, body))
            except Exception:
                log.exception("could not post prompt %d to %s", prompt_id, chat)

                async def release(ctx: Ctx) -> None:
                    await ctx.services.repo(DialogueRepository).release_post(
                        prompt_id, platform.name, chat.id
                    )

                await self.run_system("dialogue-release", release)
                return

            async def record(ctx: Ctx) -> None:
                await ctx.services.repo(DialogueRepository).record_post(
                    prompt_id, platform.name, chat.id, ref.chat.thread_id, ref.id, ctx.services.now()
                )

            await self.run_system("dialogue-record", record)

        return post

    async def _close(self, ctx: Ctx, dialogue: Dialogue) -> None:
        repo = ctx.services.repo(DialogueRepository)
        replies, people, countries = await repo.digest(dialogue.id)
        summary = ctx._(
            N_(
                "The virtual dialogue {title} is closed. Thank you! {replies} replies from "
                "{people} participants in {countries} countries ({list})."
            ),
            title=bold(title_of(dialogue, ctx.actor.locale)),
            replies=replies,
            people=people,
            countries=len(countries),
            list=", ".join(countries) or "—",
        )
        for platform in ctx.platforms.values():
            chat = platform.community_chat
            if chat is not None:
                ctx.send(chat, summary)
        await close_threads(ctx, dialogue.id)


async def close_threads(ctx: Ctx, dialogue_id: int, *, notice: Text | None = None) -> None:
    """Queue closing every thread a dialogue's prompts were posted in (after the commit).

    Args:
        ctx: the unit of work's context.
        dialogue_id: the dialogue.
        notice: posted in each thread before it is closed (queued messages are delivered
            before queued effects), so the members there learn why.
    """
    repo = ctx.services.repo(DialogueRepository)
    for post in await repo.posts([prompt.id for prompt in await repo.prompts(dialogue_id)]):
        platform = ctx.platforms.get(post.platform)
        if platform is not None and post.thread_id is not None:
            thread = ChatRef(post.platform, post.chat_id, post.thread_id)
            if notice is not None:
                ctx.send(thread, notice)
            ctx.after_commit(_closer(platform, thread))


def _closer(platform: Platform, thread: ChatRef) -> Callable[[], Awaitable[None]]:
    async def close() -> None:
        try:
            await platform.close_thread(thread)
        except UnsupportedCapability:
            log.info("%s cannot close threads; %s stays open", platform.name, thread)

    return close
