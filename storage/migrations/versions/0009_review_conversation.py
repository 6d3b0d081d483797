"""review as a conversation: the application's events, and "changes requested" stays open

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

An application sent back to its applicant with a question (status ``needs_changes``)
is still the person's one open application, so the partial unique index is rebuilt
with the new status in its condition.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_BEFORE = "status IN ('draft', 'submitted')"
OPEN_NOW = "status IN ('draft', 'submitted', 'needs_changes')"


def _open_index(condition: str) -> None:
    op.create_index(
        "uq_applications_open_person",
        "applications",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text(condition),
        postgresql_where=sa.text(condition),
    )


def upgrade() -> None:
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("actor_person_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=255), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_events_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_person_id"],
            ["people.id"],
            name=op.f("fk_application_events_actor_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
    )
    op.create_index(
        "ix_application_events_application", "application_events", ["application_id", "id"], unique=False
    )
    op.drop_index("uq_applications_open_person", table_name="applications")
    _open_index(OPEN_NOW)


def downgrade() -> None:
    # an application waiting for its applicant's changes goes back to the moderators
    op.execute("UPDATE applications SET status = 'submitted' WHERE status = 'needs_changes'")
    op.drop_index("uq_applications_open_person", table_name="applications")
    _open_index(OPEN_BEFORE)
    op.drop_index("ix_application_events_application", table_name="application_events")
    op.drop_table("application_events")
