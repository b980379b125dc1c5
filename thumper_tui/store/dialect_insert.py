"""INSERT … ON CONFLICT DO NOTHING for whichever dialect a connection speaks."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


def insert_ignoring_conflicts(
    conn: AsyncConnection, model: Any, index_elements: list[str] | None
) -> Any:
    """An insert into ``model``'s table that skips rows violating a unique constraint.

    ``index_elements`` names the constraint's columns; ``None`` skips on any conflict.
    """
    module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(model).on_conflict_do_nothing(index_elements=index_elements)
