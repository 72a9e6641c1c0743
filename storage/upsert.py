"""INSERT ... ON CONFLICT DO NOTHING on either database."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def insert_if_absent(session: AsyncSession, model: type, values: dict[str, Any], conflict: list[str]) -> bool:
    """Insert one row unless a row with the same `conflict` columns exists; True if inserted."""
    dialect = session.bind.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    result = await session.execute(stmt)
    return result.rowcount == 1
