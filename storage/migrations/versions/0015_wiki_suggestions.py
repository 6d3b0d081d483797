"""wiki suggestions: entries members suggest with /wiki_suggest, for moderators to review

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

One ``wiki_suggestions`` row per suggestion: the entry's fields as JSON, who sent it
(deleted with the person), its status (pending, accepted, rejected), and the decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wiki_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("platform_user_id", sa.String(length=255), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_by_name", sa.String(length=255), nullable=True),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_wiki_suggestions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by"],
            ["people.id"],
            name=op.f("fk_wiki_suggestions_reviewed_by_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wiki_suggestions")),
    )
    op.create_index(op.f("ix_wiki_suggestions_person_id"), "wiki_suggestions", ["person_id"], unique=False)
    op.create_index("ix_wiki_suggestions_status_id", "wiki_suggestions", ["status", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_wiki_suggestions_status_id", table_name="wiki_suggestions")
    op.drop_index(op.f("ix_wiki_suggestions_person_id"), table_name="wiki_suggestions")
    op.drop_table("wiki_suggestions")
