"""member profiles: whether a member's dialogue replies may be quoted on the public site

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05

``member_profiles.quote_publicly`` is false until the member sends ``/profile quoted on``
(or presses its button): only then does ``copbot site build`` publish their replies, under
their profile's name, on the dialogues' archive pages.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as in 0020: no batch copy of the table.
def upgrade() -> None:
    op.add_column(
        "member_profiles",
        sa.Column("quote_publicly", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("member_profiles", "quote_publicly")
