"""Platform-neutral features. Each module owns a :class:`~bot.core.router.Router`.

The root router below is the one place that says which features the bot has, in the
order their message routes are tried. Nothing here may import a platform library.
"""

from __future__ import annotations

from bot.core.router import Router


def build_router() -> Router:
    """The bot's root router, with every feature included."""
    from handlers import (
        admin,
        application,
        basics,
        dialogue_replies,
        dialogues,
        form_controls,
        members,
        privacy,
        reachability,
        stats,
        wiki,
        wiki_add,
    )

    root = Router("root")
    root.include(basics.router)
    root.include(application.conversation_router)
    root.include(application.review_router)
    root.include(form_controls.router)
    root.include(dialogues.router)
    root.include(dialogue_replies.router)
    root.include(wiki.router)
    root.include(wiki_add.router)
    root.include(privacy.router)
    root.include(members.router)
    root.include(admin.router)
    root.include(stats.router)
    root.include(reachability.router)
    basics.install_fallbacks(root)
    return root
