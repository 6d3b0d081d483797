"""Membership: the application form in a direct chat, and its review by moderators.

* :mod:`~handlers.application.form` — the form as data (default, or a YAML file).
* :mod:`~handlers.application.conversation` — ``/apply``, the form's hooks, ``/status``, ``/terms``,
  and the join-request hook of the platforms.
* :mod:`~handlers.application.review` — ``/applications``, ``/application``, ``/approve``,
  ``/reject``, ``/ask`` and the buttons of the review card.
* :mod:`~handlers.application.welcome` — what a new member reads on approval: what now.
* :mod:`~handlers.application.cards` — what moderators read: the card, what changed, the history.
* :mod:`~handlers.application.notes` — a rejection reason or a question, written deliberately.
* :mod:`~handlers.application.revision` — an application sent back for changes, and
  applying again from the previous answers.
* :mod:`~handlers.application.jobs` — reminders and expiry, driven by the clock.
"""

from __future__ import annotations

from bot.features import Feature, PeriodicJob
from handlers.application import conversation, jobs, notes, review
from storage.application.history import ApplicationHistory
from storage.application.repository import ApplicationRepository

FEATURE = Feature(
    name="application",
    routers=(conversation.router, review.router, notes.router),
    forms=(conversation.APPLICATION_FORM_FLOW,),
    repositories=(ApplicationRepository, ApplicationHistory),
    jobs=(
        PeriodicJob("application-forms", jobs.FORM_CHECK_INTERVAL, jobs.remind_and_expire_forms),
        PeriodicJob("application-reviews", jobs.REVIEW_CHECK_INTERVAL, jobs.remind_reviewers),
        PeriodicJob("application-retention", jobs.REVIEW_CHECK_INTERVAL, jobs.delete_old_rejections),
    ),
    middlewares=(notes.NoteLapsesOnCommand(),),
)
