"""one open application per person, enforced by a partial unique index

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29

Duplicates that a race may have left are closed first: the newest open application of a
person stays open, older ones become ``cancelled``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "status IN ('draft', 'submitted')"


def upgrade() -> None:
    op.execute(
        f"UPDATE applications SET status = 'cancelled' WHERE {OPEN} AND id NOT IN "
        f"(SELECT MAX(id) FROM applications WHERE {OPEN} GROUP BY person_id)"
    )
    op.create_index(
        "uq_applications_open_person",
        "applications",
        ["person_id"],
        unique=True,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("uq_applications_open_person", table_name="applications")
