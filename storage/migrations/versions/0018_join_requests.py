"""join requests: pending requests to join a community chat outlive a restart

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

One ``join_requests`` row per person waiting for an answer to a request to join a
platform's community chat (Telegram's ``chat_join_request``): an admission after a
restart approves it, and the bot still knows the chat through which it may write to them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "join_requests",
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("user_chat_id", sa.String(length=255), nullable=False),
        sa.Column("requested_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("platform", "user_id", name=op.f("pk_join_requests")),
    )


def downgrade() -> None:
    op.drop_table("join_requests")
