"""Virtual dialogues: planning, posting prompts on their dates, collecting replies, exports.

* :mod:`~handlers.dialogues.commands` — ``/dialogues``, ``/dialogue`` and the moderators' planning commands.
* :mod:`~handlers.dialogues.cancelling` — ``/dialogue_cancel``, confirmed first, with a note in each thread.
* :mod:`~handlers.dialogues.posting` — opening, each prompt in its own thread, closing.
* :mod:`~handlers.dialogues.timers` — when to post, rebuilt from the database.
* :mod:`~handlers.dialogues.replies` — replies to prompts, subscriptions.
* :mod:`~handlers.dialogues.member_threads` — ``/thread``: members' own threads, mirrored, with invitations.
* :mod:`~handlers.dialogues.forum` — ``/threads``, Join, ``/thread_close``; unknown console threads.
* :mod:`~handlers.dialogues.relay` — mirrored threads: each reply relayed to the other platforms.
* :mod:`~handlers.dialogues.attribution` — how a relayed message (or file) reads.
* :mod:`~handlers.dialogues.export` — Markdown, HTML, CSV and JSON exports.
* :mod:`~handlers.dialogues.programme` — programme files (YAML); :mod:`~handlers.dialogues.sample` the sample one.
"""

from __future__ import annotations

from bot.features import Feature, Runtime
from handlers.dialogues import cancelling, commands, forum, member_threads, relay, replies
from handlers.dialogues.sample import seed_sample_dialogue
from handlers.dialogues.timers import start_timers
from storage.dialogues.member_threads import MemberThreadRepository
from storage.dialogues.relays import RelayRepository
from storage.dialogues.repository import DialogueRepository
from storage.dialogues.subscriptions import Subscriptions


async def start_dialogues(runtime: Runtime) -> None:
    """The feature's start: what ``/thread`` opens threads with, then the timers."""
    runtime.shared.provide(member_threads.ThreadOpener(runtime.run_system))
    await start_timers(runtime)


FEATURE = Feature(
    name="dialogues",
    routers=(
        commands.router,
        cancelling.router,
        replies.router,
        member_threads.router,
        relay.router,
        forum.router,
    ),
    repositories=(DialogueRepository, Subscriptions, RelayRepository, MemberThreadRepository),
    start=start_dialogues,
    seed=seed_sample_dialogue,
)
