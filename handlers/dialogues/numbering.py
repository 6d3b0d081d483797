"""How people read and type a dialogue prompt: ``D.P``, one scheme everywhere.

``2.1`` is dialogue 2, prompt 1. The same number is shown in thread titles, ``/dialogue``
listings, the moderators' confirmations, the acknowledgements and exports, and typed in
``/reply``, ``/prompt_edit`` and ``/prompt_delete``. A prompt's position is given when it
is added and never changes (:meth:`DialogueRepository.add_prompt`), so a number seen in a
thread keeps naming the same prompt.

A bare number is refused, never guessed: thread titles used to say "prompt 1" while
commands took a database id, and a guess is how replies landed under another dialogue.
The refusal shows the ``D.P`` form, and the prompt meant when only one dialogue is open.
"""

from __future__ import annotations

import re

from bot.core.errors import UserFacingError
from bot.core.i18n import N_
from bot.services import Ctx
from storage.dialogues.repository import DialogueRepository
from storage.models import Dialogue, Prompt

_NUMBER = re.compile(r"(\d+)\.(\d+)")

#: How many words of a prompt an acknowledgement quotes.
QUOTED_WORDS = 5


def first_words(text: str, count: int = QUOTED_WORDS) -> str:
    """The first ``count`` words of ``text``, with an ellipsis when there is more."""
    words = text.split()
    return " ".join(words[:count]) + ("…" if len(words) > count else "")


async def prompt_numbered(ctx: Ctx, text: str) -> tuple[Prompt, Dialogue]:
    """The prompt a person typed as ``D.P``, with its dialogue, or a localized refusal.

    Raises:
        UserFacingError: ``text`` is not ``D.P`` (a bare number gets the form shown) or
            names no prompt.
    """
    repo = ctx.services.repo(DialogueRepository)
    match = _NUMBER.fullmatch(text.strip())
    if match is None:
        raise await _not_a_number(ctx, text)
    dialogue_id, position = int(match[1]), int(match[2])
    prompt = await repo.prompt_at(dialogue_id, position)
    dialogue = await repo.get(dialogue_id) if prompt is not None else None
    if prompt is None or dialogue is None:
        raise UserFacingError(N_("There is no prompt {id}."), id=text)
    return prompt, dialogue


async def _not_a_number(ctx: Ctx, text: str) -> UserFacingError:
    """The refusal of a prompt typed otherwise than ``D.P``, suggesting the one meant."""
    if not text.isdigit():
        return UserFacingError(
            N_("{text} is not a prompt number: prompts are written dialogue.prompt, like 2.1."), text=text
        )
    repo = ctx.services.repo(DialogueRepository)
    live = await repo.listed(("open",))
    if len(live) == 1 and await repo.prompt_at(live[0].id, int(text)) is not None:
        return UserFacingError(
            N_("Prompts are written dialogue.prompt: did you mean {number}?"),
            number=f"{live[0].id}.{int(text)}",
        )
    return UserFacingError(
        N_(
            "Prompts are written dialogue.prompt, like 2.1 (dialogue 2, prompt 1). {command} lists the dialogues."
        ),
        command=ctx.cmd("dialogues"),
    )
