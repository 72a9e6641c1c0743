"""Alembic migrations build exactly the schema the models describe, on both databases."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from storage.models import Base


async def test_migrated_schema_matches_the_models(db):
    def diff(connection):
        return compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)

    async with db.engine.connect() as conn:
        differences = await conn.run_sync(diff)
    assert differences == []


async def test_downgrade_to_base_and_up_again(database_url, tmp_path):
    from alembic import command
    from sqlalchemy import inspect

    from storage.db import Database
    from storage.migrate import alembic_config, upgrade

    db = Database(database_url)
    try:
        def down(connection):
            cfg = alembic_config(str(db.engine.url))
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "base")

        async with db.engine.connect() as conn:
            await conn.run_sync(down)
            await conn.commit()
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert set(tables) <= {"alembic_version"}
        await upgrade(db.engine)
        async with db.engine.connect() as conn:
            tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert {"people", "outbox", "allocations", "audit_events"} <= set(tables)
    finally:
        await db.dispose()
