"""leases and rate_budget: several instances on one PostgreSQL database

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-05

``leases`` names the instance that holds each singleton job (Telegram polling, the
scheduler's jobs) until ``expires_at``; ``token`` grows at every change of holder.
``rate_budget`` keeps the next free send moment per platform and per recipient, shared
by every instance's outbox sender. A single process on SQLite leaves both empty.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("token", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_table(
        "rate_budget",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("next_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "scope", name=op.f("pk_rate_budget")),
    )


def downgrade() -> None:
    op.drop_table("rate_budget")
    op.drop_table("leases")
