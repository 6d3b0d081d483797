"""What a new member reads when their application is approved: welcome, and what now.

One message, in the new member's language: the welcome, their way into the community
chat (the platform lets them in after the commit: a join request approved, an invitation
or an invite link), the open dialogues with the prompt to answer now and how to answer
it, and where to go next (``/wiki``, ``/directory``, ``/help``). Commands are written
with the prefix of the platform the application came from.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.i18n import N_
from bot.core.text import Text, bold, code
from bot.services import Ctx
from handlers.application.common import command, speaker
from handlers.application.form import NAME_FIELD
from handlers.dialogues.posting import prompt_number, title_of
from storage.dialogues.repository import DialogueRepository
from storage.models import Application


def form_name(found: Application) -> str | None:
    """The full name written in the application, if any: the new member's name from now on."""
    name = found.answers.get(NAME_FIELD)
    return name.strip() or None if isinstance(name, str) else None


async def welcome_text(ctx: Ctx, found: Application, locale: str) -> Text:
    """The approval message for the applicant of ``found``, in ``locale``."""
    say = speaker(ctx, locale)

    def typed(name: str) -> str:
        return command(ctx, found.platform, name)

    parts = [
        Text.of(
            bold(
                str(
                    say(
                        N_(
                            "Welcome to the community of practice, {name}! Your application #{id} has been approved."
                        ),
                        name=form_name(found) or found.platform_user_id,
                        id=found.id,
                    )
                )
            )
        ),
        say(
            N_(
                "The community chat: I am letting you in now. If an invitation or an invite link "
                "reaches you, accept it to join."
            )
        ),
        *await _dialogues(ctx, locale, typed),
        say(
            N_(
                "Find resources with {wiki}, fellow members with {directory}, and all your commands with {help}."
            ),
            wiki=code(typed("wiki")),
            directory=code(typed("directory")),
            help=code(typed("help")),
        ),
    ]
    return Text.join("\n\n", parts)


async def _dialogues(ctx: Ctx, locale: str, typed: Callable[[str], str]) -> list[Text]:
    """The open dialogues with the prompt to answer now, and how to answer; or where to look."""
    say = speaker(ctx, locale)
    repository = ctx.services.repo(DialogueRepository)
    now = ctx.services.now()
    lines: list[Text] = []
    current: list[str] = []
    for dialogue in await repository.listed(("open",)):
        posted = [prompt for prompt in await repository.prompts(dialogue.id) if prompt.post_at <= now]
        title = bold(title_of(dialogue, locale))
        if posted:
            number = prompt_number(posted[-1])
            current.append(number)
            lines.append(
                say(N_("Open dialogue: {title}, prompt {number} now."), title=title, number=bold(number))
            )
        else:
            lines.append(say(N_("Open dialogue: {title}; its first prompt is coming."), title=title))
    if not lines:
        return [
            say(
                N_("No dialogue is open right now: {command} shows the coming ones."),
                command=code(typed("dialogues")),
            )
        ]
    if current:
        lines.append(
            say(
                N_("Reply in the prompt's thread in the community chat, or privately with {command}."),
                command=code(typed("reply") + f" {current[0]} <text>"),
            )
        )
    return [Text.join("\n", lines)]
