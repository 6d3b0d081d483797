"""member threads: a /thread opened on every platform's community chat

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

One ``member_threads`` row per thread a member opened, one ``member_thread_copies`` row
per platform it was opened on (thread and opening ids set once the platform answered).
Messages in the copies are relayed through ``relayed_messages`` like a prompt's replies.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_member_threads_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_threads")),
    )
    op.create_index(op.f("ix_member_threads_person_id"), "member_threads", ["person_id"], unique=False)
    op.create_table(
        "member_thread_copies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_thread_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=255), nullable=False),
        sa.Column("thread_id", sa.String(length=255), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.Column("opened_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_thread_id"],
            ["member_threads.id"],
            name=op.f("fk_member_thread_copies_member_thread_id_member_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_thread_copies")),
        sa.UniqueConstraint(
            "member_thread_id", "platform", "chat_id", name=op.f("uq_member_thread_copies_member_thread_id")
        ),
    )
    op.create_index(
        "ix_member_thread_copies_thread",
        "member_thread_copies",
        ["platform", "chat_id", "thread_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_member_thread_copies_thread", table_name="member_thread_copies")
    op.drop_table("member_thread_copies")
    op.drop_index(op.f("ix_member_threads_person_id"), table_name="member_threads")
    op.drop_table("member_threads")
