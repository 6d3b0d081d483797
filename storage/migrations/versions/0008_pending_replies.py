"""replies in flight: interactive replies kept until the platform confirmed them

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

Only for platforms whose sends are idempotent (Matrix): see ``bot/reply_journal.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pending_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("recipient_kind", sa.String(length=4), nullable=False),
        sa.Column("recipient_id", sa.String(length=255), nullable=False),
        sa.Column("thread_id", sa.String(length=255), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_replies")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_pending_replies_idempotency_key")),
    )


def downgrade() -> None:
    op.drop_table("pending_replies")
