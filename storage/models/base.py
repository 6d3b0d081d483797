"""What every model shares: the declarative base, constraint names, and Alembic's filter.

Migrations refer to constraints by name, so :data:`NAMING_CONVENTION` makes names that are
the same on SQLite and PostgreSQL. :func:`made_by_models` tells Alembic's autogenerate which
schema objects the models describe and which the migrations made with raw SQL.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, MetaData
from sqlalchemy.orm import DeclarativeBase

from storage.types import UtcDateTime

#: Constraint names that are stable across databases, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The declarative base of every table: one metadata, UTC datetimes, JSON dicts."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON()}


#: Schema objects made with raw SQL by migrations (full-text indexes): not models, so
#: Alembic's autogenerate must leave them alone (see :func:`made_by_models`).
RAW_TABLE_PREFIXES = ("wiki_fts", "wiki_title_fts")
RAW_COLUMNS = frozenset({"wiki_search.document", "wiki_search.facet_words"})
RAW_INDEXES = frozenset({"ix_wiki_search_document", "ix_wiki_search_facet_words"})


def made_by_models(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's ``include_object``: compare only what the models describe."""
    if not reflected or compare_to is not None or name is None:
        return True
    if type_ == "table":
        return not name.startswith(RAW_TABLE_PREFIXES)
    if type_ == "column":
        return f"{obj.table.name}.{name}" not in RAW_COLUMNS
    if type_ == "index":
        return name not in RAW_INDEXES
    return True
