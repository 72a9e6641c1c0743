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


async def test_outbox_rows_written_before_one_spelling_are_renamed(database_url):
    """Migration 0004: the five kinds once spelt with underscores take the registry's spelling."""
    from alembic import command
    from sqlalchemy import text

    from capabilities.audit_cycle.kinds import FORMER_SPELLINGS
    from storage.db import Database
    from storage.migrate import alembic_config, upgrade

    db = Database(database_url)
    try:
        def to(revision: str, up: bool):
            def run(connection):
                cfg = alembic_config(str(db.engine.url))
                cfg.attributes["connection"] = connection
                (command.upgrade if up else command.downgrade)(cfg, revision)
            return run

        async with db.engine.connect() as conn:
            await conn.run_sync(to("0003", up=False))
            await conn.commit()
        async with db.engine.begin() as conn:
            for n, old in enumerate([*FORMER_SPELLINGS, "allocation-notice"]):
                await conn.execute(text(
                    "INSERT INTO outbox (idempotency_key, kind, payload, due_at, next_attempt_at, state, attempts, "
                    "created_at) VALUES (:key, :kind, '{}', '2026-12-03 09:00:00', '2026-12-03 09:00:00', 'sent', 0, "
                    "'2026-12-03 09:00:00')"), {"key": f"k{n}", "kind": old})
        await upgrade(db.engine)
        async with db.engine.connect() as conn:
            kinds = sorted((await conn.execute(text("SELECT kind FROM outbox"))).scalars())
        assert kinds == sorted([*FORMER_SPELLINGS.values(), "allocation-notice"])
    finally:
        await db.dispose()


async def test_allocations_made_before_how_chosen_was_kept_read_uploaded(database_url):
    """Migration 0031: every allocation already there came from an allocation list."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert, text

    from storage.db import Database
    from storage.migrate import alembic_config, upgrade
    from storage.models import Person

    db = Database(database_url)
    try:
        def down(connection):
            cfg = alembic_config(str(db.engine.url))
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0027")

        async with db.engine.connect() as conn:
            await conn.run_sync(down)
            await conn.commit()
        async with db.engine.begin() as conn:
            await conn.execute(insert(Person).values(  # the people table is as 0027 left it
                id=1, email="pm@council.gov.uk", display_name="PM", role="practice_manager", team="T",
                service_area="North", created_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
                updated_at=datetime(2026, 12, 1, 9, tzinfo=UTC)))
            await conn.execute(text("INSERT INTO audit_months (month, imported_at) VALUES ('2026-12', "
                                    "'2026-12-01 09:00:00')"))
            await conn.execute(text(
                "INSERT INTO allocations (month, case_ref, annex_a_list, service_area, team, theme, auditor_id, state, "
                "created_at, updated_at) VALUES ('2026-12', 'CR-1', 'List 8', 'North', 'T', '', 1, 'allocated', "
                "'2026-12-01 09:00:00', '2026-12-01 09:00:00')"))
        await upgrade(db.engine)
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT how_chosen FROM allocations"))).scalars().all() == ["uploaded"]
    finally:
        await db.dispose()
