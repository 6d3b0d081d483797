"""Platform-neutral features. Each module owns a :class:`~bot.core.router.Router`.

The root router below is the one place that says which features the bot has, in the
order their message routes are tried. Nothing here may import a platform library.
"""

from __future__ import annotations

from bot.core.router import Router


def build_router() -> Router:
    """The bot's root router, with every feature included."""
    from bot.forms import controls_router
    from handlers import application
    from handlers.application.conversation import APPLICATION_FORM_FLOW
    from handlers.basics import commands as basics
    from handlers.dialogues import commands as dialogues
    from handlers.dialogues import replies as dialogue_replies
    from handlers.members import admin, privacy, reachability, stats
    from handlers.members import roster as members
    from handlers.wiki import add as wiki_add
    from handlers.wiki import commands as wiki

    root = Router("root")
    root.include(basics.router)
    root.include(application.conversation_router)
    root.include(application.review_router)
    root.include(controls_router([wiki_add.WIKI_ADD_FLOW, APPLICATION_FORM_FLOW]))
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
