"""Membership: the application form in a direct chat, and its review by moderators.

* :mod:`~handlers.application.form` — the form as data (default, or a YAML file).
* :mod:`~handlers.application.conversation` — ``/apply``, the form's hooks, ``/status``, ``/terms``,
  and the join-request hook of the platforms.
* :mod:`~handlers.application.review` — notification, ``/applications``, ``/approve``, ``/reject``.
* :mod:`~handlers.application.jobs` — reminders and expiry, driven by the clock.
"""

from __future__ import annotations

from bot.features import Feature, PeriodicJob
from handlers.application import conversation, jobs, review
from storage.application.repository import ApplicationRepository

FEATURE = Feature(
    name="application",
    routers=(conversation.router, review.router),
    forms=(conversation.APPLICATION_FORM_FLOW,),
    repositories=(ApplicationRepository,),
    jobs=(
        PeriodicJob("application-forms", jobs.FORM_CHECK_INTERVAL, jobs.remind_and_expire_forms),
        PeriodicJob("application-reviews", jobs.REVIEW_CHECK_INTERVAL, jobs.remind_reviewers),
        PeriodicJob("application-retention", jobs.REVIEW_CHECK_INTERVAL, jobs.delete_old_rejections),
    ),
)
