"""Migration 0016 keeps feedback recorded before the kind was asked apart readable: a complaint
or compliment once given as "how" becomes the entry's kind (how it was given: "Not recorded"), any
other entry a comment or suggestion with its channel kept, an audit's "not possible" neither; an
observation of a "Child looked-after review" takes the framework's words. Down again, as it was."""
from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from sqlalchemy import text

from storage.db import Database
from storage.migrate import alembic_config, upgrade

AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
BEFORE = "0015"  # the revision before 0016, the feedback kind's


def to(db: Database, revision: str, up: bool):
    def run(connection):
        cfg = alembic_config(str(db.engine.url))
        cfg.attributes["connection"] = connection
        (command.upgrade if up else command.downgrade)(cfg, revision)
    return run


async def rows(db: Database, sql: str) -> list[tuple]:
    async with db.engine.connect() as conn:
        return [tuple(r) for r in (await conn.execute(text(sql))).all()]


async def test_feedback_recorded_before_the_split_keeps_its_meaning(database_url):
    # The session's database may hold other tests' rows: this test's rows take ids after theirs and
    # are the only ones it reads, and the schema goes back to head whatever happens.
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(to(db, BEFORE, up=False))
            await conn.commit()
        async with db.engine.begin() as conn:  # the people table as it was then (the model has later columns)
            author = (await conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM people"))).scalar_one()
            first = (await conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM feedback_entries"))).scalar_one()
            await conn.execute(text(
                "INSERT INTO people (id, email, display_name, role, team, service_area, registered, created_at, "
                "updated_at) VALUES (:id, :email, 'Ann Example', 'practice_manager', 'Team North', "
                "'North', :no, :at, :at)"), {"id": author, "email": f"ann{author}@council.gov.uk", "no": False, "at": AT})
            for n, (how, not_possible) in enumerate((("Complaint", False), ("Compliment", False), ("Survey", False),
                                                     ("", True))):
                await conn.execute(text(
                    "INSERT INTO feedback_entries (id, author_id, source, service_area, team, how_given, said, "
                    "not_possible, created_at) VALUES (:id, :author, 'Parent or carer', 'North', 'Team North', :how, "
                    "'Words', :np, :at)"), {"id": first + n + 1, "author": author, "how": how, "np": not_possible,
                                            "at": AT})
            await conn.execute(text(
                "INSERT INTO observations (observer_id, supervisee_id, observed_on, area, went_well, to_develop, "
                "actions, created_at) VALUES (:a, :a, '2026-11-19', 'Child looked-after review', 'w', 'd', '[]', :at)"),
                {"a": author, "at": AT})
        mine = f"FROM feedback_entries WHERE id > {int(first)} ORDER BY id"
        observed = f"SELECT area FROM observations WHERE observer_id = {int(author)}"
        await upgrade(db.engine)
        assert [(i - first, *rest) for i, *rest in await rows(db, "SELECT id, kind, how_given " + mine)] == [
            (1, "Complaint", "Not recorded"), (2, "Compliment", "Not recorded"), (3, "Comment or suggestion", "Survey"),
            (4, "", "")]
        assert await rows(db, observed) == [("Children looked after (CLA) review",)]

        async with db.engine.connect() as conn:
            await conn.run_sync(to(db, BEFORE, up=False))
            await conn.commit()
        assert [(i - first, *rest) for i, *rest in await rows(db, "SELECT id, how_given " + mine)] == [
            (1, "Complaint"), (2, "Compliment"), (3, "Survey"), (4, "")]
        assert await rows(db, observed) == [("Child looked-after review",)]
    finally:
        await upgrade(db.engine)
        await db.dispose()
