"""Persistence: SQLAlchemy 2 models, one repository per aggregate, Alembic migrations.

SQLite (a file in WAL mode) is the embedded default; PostgreSQL is the scale-out
database. Every repository works on both and the test suite proves it.
"""
