"""The application repository's statements on the per-event path, prebuilt.

An answer saves its draft, ``/apply`` looks for an open application and opens one, Submit,
cancel and expiry close one: each statement is compiled once and run on SQLite's
connection (see :class:`storage.statements.Prebuilt`).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, literal, select, update

from storage.application.status import OPEN
from storage.models import Application
from storage.statements import Prebuilt, insert_ignoring

_TABLE = cast(Table, Application.__table__)
# Submit, cancel, expiry.
_CLOSING = (
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("draft"))
    .values(
        status=bindparam("status"),
        updated_at=bindparam("now"),
        version=bindparam("written"),
        submitted_at=bindparam("submitted_at"),
    )
)
CLOSE = Prebuilt(_CLOSING)
CLOSE_WITH_ANSWERS = Prebuilt(_CLOSING.values(answers=bindparam("answers"), progress=bindparam("progress")))
_OPEN_OF_QUERY = (
    select(_TABLE.c.id, _TABLE.c.status, _TABLE.c.answers, _TABLE.c.progress, _TABLE.c.version)
    .where(
        _TABLE.c.person_id == bindparam("person"),
        _TABLE.c.status.in_([literal(status.value) for status in OPEN]),
    )
    .order_by(_TABLE.c.id.desc())
    .limit(1)
)
OPEN_OF = Prebuilt(_OPEN_OF_QUERY)
#: With several instances: the row stays locked until the event's transaction ends, so that
#: another instance handling the same applicant's next answer reads what this one wrote.
OPEN_OF_LOCKED = Prebuilt(_OPEN_OF_QUERY.with_for_update())
LATEST_STATUS_OF = Prebuilt(
    select(_TABLE.c.id, _TABLE.c.status)
    .where(_TABLE.c.person_id == bindparam("person"))
    .order_by(_TABLE.c.id.desc())
    .limit(1)
)
START = Prebuilt(
    insert_ignoring(
        _TABLE,
        (
            "person_id",
            "platform",
            "platform_user_id",
            "status",
            "answers",
            "progress",
            "version",
            "created_at",
            "updated_at",
        ),
        returning=(_TABLE.c.id,),
    )
)
# One statement per answer: built once, run on the connection (the ORM's bulk-update
# path costs three times as much per call, measured in bench/application.py).
SAVE = Prebuilt(
    update(_TABLE)
    .where(_TABLE.c.id == bindparam("draft"), _TABLE.c.version == bindparam("read"))
    .values(
        answers=bindparam("answers"),
        progress=bindparam("progress"),
        version=bindparam("written"),
        updated_at=bindparam("now"),
        reminded_at=None,
    )
)
