"""The database schema, as typed SQLAlchemy 2 models, one module per part of the house.

* :mod:`~storage.models.base`: the declarative base and Alembic's filter.
* :mod:`~storage.models.people`: ``people``, ``identities``, ``role_grants``, ``join_requests``.
* :mod:`~storage.models.records`: ``audit_log``, ``processed_events``, ``bot_state``.
* :mod:`~storage.models.delivery`: ``broadcasts``, ``outbox``, ``outbox_attachments``, ``pending_replies``,
  ``unreachable_recipients``.
* :mod:`~storage.models.dialogues`: ``dialogues``, ``prompts``, ``prompt_posts``,
  ``replies``, ``dialogue_subscriptions``, ``prompt_copies``, ``relayed_messages``,
  ``member_threads``, ``member_thread_copies``.
* :mod:`~storage.models.applications`: ``applications``, ``application_events``.
* :mod:`~storage.models.wiki`: ``wiki_entries``, ``wiki_translations``, ``wiki_search``,
  ``wiki_suggestions``.
* :mod:`~storage.models.directory`: ``member_profiles``.
* :mod:`~storage.models.coordination`: ``leases``, ``rate_budget`` (several instances).

Every model is imported here, so ``from storage.models import X`` works for all of them and
``Base.metadata`` is the whole schema once this package is imported (Alembic compares
against it). A new table goes into the module of its part, is re-exported here, and gets a
migration under ``storage/migrations``.
"""

from __future__ import annotations

from storage.models.applications import OPEN_APPLICATION, Application, ApplicationEvent
from storage.models.base import NAMING_CONVENTION, Base, made_by_models
from storage.models.coordination import Lease, RateBudget
from storage.models.delivery import (
    Broadcast,
    OutboxAttachment,
    OutboxMessage,
    PendingReply,
    UnreachableRecipient,
)
from storage.models.dialogues import (
    Dialogue,
    DialogueSubscription,
    MemberThread,
    MemberThreadCopy,
    Prompt,
    PromptCopy,
    PromptPost,
    RelayedMessage,
    Reply,
)
from storage.models.directory import MemberProfile
from storage.models.people import Identity, JoinRequestRow, NameSource, Person, RoleGrant
from storage.models.records import AuditEntry, BotState, ProcessedEvent
from storage.models.wiki import WikiEntry, WikiSearchDocument, WikiSuggestion, WikiTranslation

__all__ = [
    "NAMING_CONVENTION",
    "OPEN_APPLICATION",
    "Application",
    "ApplicationEvent",
    "AuditEntry",
    "Base",
    "BotState",
    "Broadcast",
    "Dialogue",
    "DialogueSubscription",
    "Identity",
    "JoinRequestRow",
    "Lease",
    "MemberProfile",
    "MemberThread",
    "MemberThreadCopy",
    "NameSource",
    "OutboxAttachment",
    "OutboxMessage",
    "PendingReply",
    "Person",
    "ProcessedEvent",
    "Prompt",
    "PromptCopy",
    "PromptPost",
    "RateBudget",
    "RelayedMessage",
    "Reply",
    "RoleGrant",
    "UnreachableRecipient",
    "WikiEntry",
    "WikiSearchDocument",
    "WikiSuggestion",
    "WikiTranslation",
    "made_by_models",
]
