"""prompt copies go through the outbox: a copy links a prompt to its outbox row

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Copies recorded before this revision (sent directly, with their message ids) are
dropped: answering such an old copy no longer counts as a reply, ``/reply <prompt>``
still does.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM prompt_copies")
    with op.batch_alter_table("prompt_copies", schema=None) as batch_op:
        batch_op.drop_index("ix_prompt_copies_message")
        batch_op.drop_column("chat_id")
        batch_op.drop_column("message_id")
        batch_op.drop_column("sent_at")
        batch_op.drop_column("platform")
        batch_op.add_column(sa.Column("outbox_id", sa.Integer(), nullable=False))
        batch_op.create_unique_constraint(batch_op.f("uq_prompt_copies_outbox_id"), ["outbox_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_prompt_copies_outbox_id_outbox"),
            "outbox",
            ["outbox_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_delivered", ["platform", "recipient_id", "message_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_delivered")
    op.execute("DELETE FROM prompt_copies")
    with op.batch_alter_table("prompt_copies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_prompt_copies_outbox_id_outbox"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_prompt_copies_outbox_id"), type_="unique")
        batch_op.drop_column("outbox_id")
        batch_op.add_column(sa.Column("platform", sa.String(length=16), nullable=False))
        batch_op.add_column(sa.Column("chat_id", sa.String(length=255), nullable=False))
        batch_op.add_column(sa.Column("message_id", sa.String(length=255), nullable=False))
        batch_op.add_column(sa.Column("sent_at", storage.types.UtcDateTime(timezone=True), nullable=False))
        batch_op.create_index("ix_prompt_copies_message", ["platform", "chat_id", "message_id"], unique=False)
