"""member thread activity: a message count, the last activity and closing

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

``member_threads`` gains ``message_count`` (messages members wrote in any copy, the
opening not counted; no text and no author is stored, so forgetting a person leaves
nothing of theirs here), ``last_activity_at`` (set to ``created_at`` for the threads
already open) and ``closed_at`` (``/thread_close``).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("member_threads") as batch:
        batch.add_column(sa.Column("message_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("last_activity_at", storage.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("closed_at", storage.types.UtcDateTime(timezone=True), nullable=True))
    op.execute("UPDATE member_threads SET last_activity_at = created_at")
    with op.batch_alter_table("member_threads") as batch:
        batch.alter_column("last_activity_at", nullable=False)
    op.create_index("ix_member_threads_open_activity", "member_threads", ["closed_at", "last_activity_at"])


def downgrade() -> None:
    op.drop_index("ix_member_threads_open_activity", table_name="member_threads")
    with op.batch_alter_table("member_threads") as batch:
        batch.drop_column("closed_at")
        batch.drop_column("last_activity_at")
        batch.drop_column("message_count")
