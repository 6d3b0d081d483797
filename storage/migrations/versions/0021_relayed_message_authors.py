"""relayed_messages: who wrote the message a copy was made of

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04

A member thread's messages are relayed without being stored as replies, so the copies
waiting in (or sent through) the outbox could not be found again when their author asks
``/forget``. ``relayed_messages.person_id`` names the author; copies made before this
revision keep no author (a dialogue reply's copies are still found through its reply).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("relayed_messages") as batch:
        batch.add_column(sa.Column("person_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_relayed_messages_person_id_people"),
            "people",
            ["person_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(batch.f("ix_relayed_messages_person_id"), ["person_id"])


def downgrade() -> None:
    with op.batch_alter_table("relayed_messages") as batch:
        batch.drop_index(batch.f("ix_relayed_messages_person_id"))
        batch.drop_constraint(batch.f("fk_relayed_messages_person_id_people"), type_="foreignkey")
        batch.drop_column("person_id")
