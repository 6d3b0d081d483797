"""outbox attachments: a relayed photo or document travels with its outbox row

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

One ``outbox_attachments`` row per outbox row that carries a file: where to fetch it,
its bytes once fetched, and the notes sent instead when it cannot be copied.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_attachments",
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("source_platform", sa.String(length=16), nullable=False),
        sa.Column("source_ref", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("note", sa.JSON(), nullable=False),
        sa.Column("too_large", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["outbox_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_attachments_outbox_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("outbox_id", name=op.f("pk_outbox_attachments")),
    )


def downgrade() -> None:
    op.drop_table("outbox_attachments")
