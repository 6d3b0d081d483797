"""people ids never reused: AUTOINCREMENT on SQLite

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-04

SQLite gives a new row of an ``INTEGER PRIMARY KEY`` table the highest id plus one: once
the newest person was forgotten, the next newcomer got their id, and with it the audit
entries that still named it. ``AUTOINCREMENT`` (a ``sqlite_sequence`` high-water mark)
never gives an id twice; SQLite only sets it when a table is created, so ``people`` is
rebuilt. The rebuild drops the old table, which with foreign keys on would delete every
row referring to it (``ON DELETE CASCADE``): foreign keys are off for the rebuild, which
can only be switched outside a transaction, so the rebuild commits on its own, and is
checked with ``PRAGMA foreign_key_check`` before it does. PostgreSQL's sequences never
give an id twice: nothing to do there.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _rebuild_people(autoincrement=True)


def downgrade() -> None:
    _rebuild_people(autoincrement=False)


def _rebuild_people(*, autoincrement: bool) -> None:
    connection = op.get_bind()
    if connection.dialect.name != "sqlite":
        return
    # what the migrations before did is committed first: PRAGMA foreign_keys is a no-op
    # inside a transaction
    connection.exec_driver_sql("COMMIT")
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.exec_driver_sql("BEGIN IMMEDIATE")
    try:
        with op.batch_alter_table(
            "people", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rebuilding people broke foreign keys: {broken[:5]}")
        connection.exec_driver_sql("COMMIT")
    except BaseException:
        connection.exec_driver_sql("ROLLBACK")
        raise
    finally:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.exec_driver_sql("BEGIN IMMEDIATE")  # Alembic records the revision in it
