"""people: the name from the approved application, and announcements turned off

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04

``people.name_source`` says where a person's name comes from: ``platform`` (the
nickname they first came with) or ``form`` (the full name of their approved application,
which no nickname replaces, also when accounts are joined with ``/link``). ``people.announcements`` is false for a
member who sent ``/announcements off``: moderators' announcements skip them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ALTER TABLE on both databases, as in 0011: no batch copy of ``people``.
def upgrade() -> None:
    op.add_column(
        "people", sa.Column("name_source", sa.String(length=16), nullable=False, server_default="platform")
    )
    op.add_column(
        "people", sa.Column("announcements", sa.Boolean(), nullable=False, server_default=sa.true())
    )
    # members approved before keep their nickname: their names are not guessed from old forms


def downgrade() -> None:
    op.drop_column("people", "announcements")
    op.drop_column("people", "name_source")
