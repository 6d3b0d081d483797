"""linked identities: the platform where announcements and prompts reach a person

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

A person with accounts on several platforms (``/link``) gets each announcement and
prompt once; ``people.delivery_platform`` is where they chose to get it (``/deliver``).
``NULL`` means the account they used most recently.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases (SQLite has had DROP COLUMN since 3.35): a batch
# copy of ``people`` would rebuild the table every other table refers to.
def upgrade() -> None:
    op.add_column("people", sa.Column("delivery_platform", sa.String(length=16), nullable=True))


def downgrade() -> None:
    op.drop_column("people", "delivery_platform")
