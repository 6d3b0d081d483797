"""Membership: the application form in a direct chat, and its review by moderators.

* :mod:`~handlers.application.form` — the form as data (default, or a YAML file).
* :mod:`~handlers.application.conversation` — ``/apply``, the form's hooks, ``/status``, ``/terms``,
  and the join-request hook of the platforms.
* :mod:`~handlers.application.review` — notification, ``/applications``, ``/approve``, ``/reject``.
* :mod:`~handlers.application.jobs` — reminders and expiry, driven by the clock.
"""

from __future__ import annotations

from handlers.application.conversation import router as conversation_router
from handlers.application.review import router as review_router

__all__ = ["conversation_router", "review_router"]
