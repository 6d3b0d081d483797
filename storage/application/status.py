"""The statuses an application goes through."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    #: Sent back to the applicant with the moderators' question.
    NEEDS_CHANGES = "needs_changes"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


#: Statuses of an application that still counts as the person's open one.
OPEN = (Status.DRAFT, Status.SUBMITTED, Status.NEEDS_CHANGES)
