"""mirrored threads: each member's message relayed into the other platforms' copies

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08

One row per source message and target chat; the copy itself is an outbox row.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "relayed_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_platform", sa.String(length=16), nullable=False),
        sa.Column("source_chat", sa.String(length=255), nullable=False),
        sa.Column("source_message", sa.String(length=255), nullable=False),
        sa.Column("target_platform", sa.String(length=16), nullable=False),
        sa.Column("target_chat", sa.String(length=255), nullable=False),
        sa.Column("target_thread", sa.String(length=255), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_relayed_messages_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_relayed_messages")),
        sa.UniqueConstraint(
            "source_platform",
            "source_chat",
            "source_message",
            "target_platform",
            "target_chat",
            name=op.f("uq_relayed_messages_source_platform"),
        ),
        sa.UniqueConstraint("outbox_id", name=op.f("uq_relayed_messages_outbox_id")),
    )


def downgrade() -> None:
    op.drop_table("relayed_messages")
