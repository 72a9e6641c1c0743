"""An audit keeps the form it was started on (issue: the council's own audit forms, item 1; framework
9.3): the name and version recorded when it starts never change when the form is edited (a new
version), and every audit from before forms were data is the default form's version 1 (migration
0023: nothing lost, down and up again)."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone

from alembic import command
from sqlalchemy import text

from capabilities.audit_cycle import flow
from capabilities.audit_forms import config
from capabilities.kit import Status
from qa.forms import FormRef
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import Allocation
from tests.test_audit_flow import NOW, audit_of, ctx, form, kw, world  # noqa: F401 (world: a fixture)

AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
BEFORE = "0022"  # the revision before the forms' columns


async def test_a_started_audit_keeps_its_version_when_the_form_is_edited(db, world, tmp_path, monkeypatch):  # noqa: F811
    # The default form in use, version 1, from a folder the deployment names.
    shutil.copy(config.DEFAULT_DIR / "default.json", tmp_path / "default.json")
    monkeypatch.setenv("QA_FORMS_DIR", str(tmp_path))
    config.forms_in_use.cache_clear()
    try:
        v1 = config.default_form().ref
        assert v1 == FormRef("default", 1)
        started = await flow.start_audit(ctx(db), world["ann"], world["case"], form=v1, **kw())
        assert started.status == Status.DONE

        # The QA unit edits the form: version 2. The bot reads it (here: a restart).
        data = json.loads((tmp_path / "default.json").read_text(encoding="utf-8"))
        data["version"] = 2
        data["sections"][1]["help"] = "Judge each area on what it means for the child, in the child's words."
        (tmp_path / "default.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
        config.forms_in_use.cache_clear()
        v2 = config.default_form().ref
        assert v2 == FormRef("default", 2)

        # Continuing, saving and submitting the started audit on the new version leaves it on version 1.
        await flow.start_audit(ctx(db), world["ann"], world["case"], form=v2, **kw())
        await flow.save_draft(ctx(db), world["ann"], world["case"], form(), form=v2, **kw())
        done = await flow.submit_audit(ctx(db), world["ann"], world["case"], form(), form=v2, **kw())
        assert done.status == Status.DONE
        audit = await audit_of(db, world["case"])
        assert (audit.form_name, audit.form_version) == ("default", 1)

        # An audit started now is on version 2.
        async with db.sessions.begin() as session:
            other = Allocation(month="2026-12", case_ref="CR-1002", annex_a_list="List 6", service_area="Children in Need",
                               team="Team Alpha", theme="", auditor_id=world["ann"], case_holder_id=world["pat"],
                               state="allocated", created_at=NOW, updated_at=NOW)
            session.add(other)
        await flow.start_audit(ctx(db), world["ann"], other.id, form=v2, **kw())
        audit = await audit_of(db, other.id)
        assert (audit.form_name, audit.form_version) == ("default", 2)
    finally:
        monkeypatch.delenv("QA_FORMS_DIR")
        config.forms_in_use.cache_clear()


async def test_an_audit_started_without_a_form_named_is_on_the_default_version_1(db, world):  # noqa: F811
    await flow.save_draft(ctx(db), world["ann"], world["case"], form(), **kw())  # saved before any start
    audit = await audit_of(db, world["case"])
    assert (audit.form_name, audit.form_version) == ("default", 1)


def to(db: Database, revision: str, up: bool):
    def run(connection):
        cfg = alembic_config(str(db.engine.url))
        cfg.attributes["connection"] = connection
        (command.upgrade if up else command.downgrade)(cfg, revision)
    return run


async def test_audits_from_before_forms_are_the_default_form_version_1(database_url):
    # The session's database may hold other tests' rows: this test's rows take ids after theirs and
    # are the only ones it reads, and the schema goes back to head whatever happens.
    db = Database(database_url)
    try:
        async with db.engine.connect() as conn:
            await conn.run_sync(to(db, BEFORE, up=False))
            await conn.commit()
        async with db.engine.begin() as conn:
            person = (await conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM people"))).scalar_one()
            allocation = (await conn.execute(text("SELECT COALESCE(MAX(id), 0) + 1 FROM allocations"))).scalar_one()
            await conn.execute(text(
                "INSERT INTO people (id, email, display_name, role, team, service_area, registered, created_at, "
                "updated_at) VALUES (:id, :email, 'Ann Example', 'practice_manager', 'Team North', "
                "'North', :no, :at, :at)"), {"id": person, "email": f"ann{person}@council.gov.uk", "no": False, "at": AT})
            month = "2019-01"
            if not (await conn.execute(text("SELECT 1 FROM audit_months WHERE month = :m"), {"m": month})).first():
                await conn.execute(text("INSERT INTO audit_months (month, imported_at) VALUES (:m, :at)"),
                                   {"m": month, "at": AT})
            await conn.execute(text(
                "INSERT INTO allocations (id, month, case_ref, annex_a_list, service_area, team, theme, auditor_id, "
                "state, created_at, updated_at) VALUES (:id, :m, 'CR-9001', 'List 1', 'North', 'Team North', '', "
                ":p, 'submitted', :at, :at)"), {"id": allocation, "m": month, "p": person, "at": AT})
            await conn.execute(text(
                "INSERT INTO audits (allocation_id, overall_grade, key_areas, strengths, improvements, discussion_held, "
                "seek_family_views, safeguarding_concern, safeguarding_description, updated_at) VALUES "
                "(:a, 'Good', '{}', 'Clear plan', '', :no, :no, :no, '', :at)"),
                {"a": allocation, "no": False, "at": AT})
        mine = f"FROM audits WHERE allocation_id = {int(allocation)}"
        await upgrade(db.engine)
        async with db.engine.connect() as conn:
            row = (await conn.execute(text(f"SELECT overall_grade, strengths, form_name, form_version {mine}"))).one()
        assert tuple(row) == ("Good", "Clear plan", "default", 1)
        async with db.engine.connect() as conn:  # down again: the audit as it was
            await conn.run_sync(to(db, BEFORE, up=False))
            await conn.commit()
            row = (await conn.execute(text(f"SELECT overall_grade, strengths {mine}"))).one()
        assert tuple(row) == ("Good", "Clear plan")
    finally:
        await upgrade(db.engine)
        await db.dispose()
