"""prompts: one prompt per number in a dialogue, and prompts imported after their time

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

``D.P`` names a prompt by its dialogue and position, so (dialogue, position) becomes
unique. The repository gives each new prompt the dialogue's highest position plus one;
only two prompts added at the same moment on PostgreSQL could have shared a number. If
any did, the later ones move after the dialogue's last prompt before the index is made
(``D.P`` reached only the first of them anyway).

``prompts.never_posted`` marks a prompt imported with a programme after its time had
passed: it stays part of the record and is never posted.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PROMPTS = sa.table(
    "prompts",
    sa.column("id", sa.Integer()),
    sa.column("dialogue_id", sa.Integer()),
    sa.column("position", sa.Integer()),
)


def upgrade() -> None:
    _renumber_duplicates()
    # A unique index rather than a constraint: SQLite adds it without rebuilding the table
    # (a batch copy would drop ``prompts``, which replies and posts refer to).
    op.create_index("ix_prompts_dialogue_position", "prompts", ["dialogue_id", "position"], unique=True)
    op.add_column(
        "prompts", sa.Column("never_posted", sa.Boolean(), server_default=sa.false(), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("prompts", "never_posted")
    op.drop_index("ix_prompts_dialogue_position", table_name="prompts")


def _renumber_duplicates() -> None:
    """Move every prompt that shares its number with an older one after its dialogue's last."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_PROMPTS.c.id, _PROMPTS.c.dialogue_id, _PROMPTS.c.position).order_by(_PROMPTS.c.id)
    ).all()
    seen: set[tuple[int, int]] = set()
    last: dict[int, int] = {}
    for _, dialogue_id, position in rows:
        last[dialogue_id] = max(last.get(dialogue_id, 0), position)
    for prompt_id, dialogue_id, position in rows:
        if (dialogue_id, position) not in seen:
            seen.add((dialogue_id, position))
            continue
        last[dialogue_id] += 1
        connection.execute(
            sa.update(_PROMPTS).where(_PROMPTS.c.id == prompt_id).values(position=last[dialogue_id])
        )
