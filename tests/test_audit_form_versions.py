"""An audit keeps the form it was started on (issue: the council's own audit forms, item 1; framework
9.3): the name and version recorded when it starts never change when the form is edited (a new
version), and every audit from before forms were data is the default form's version 1 (migration
0024: nothing lost, down and up again)."""
from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from sqlalchemy import select, text

from capabilities.audit_cycle import flow
from capabilities.audit_forms import config
from capabilities.context import Context
from capabilities.kit import Status
from dialogs import audit_cards as ac
from qa.calendar import WorkingCalendar
from qa.forms import FormRef
from storage.db import Database
from storage.migrate import alembic_config, upgrade
from storage.models import KEY_AREAS, Allocation, Audit, AuditMonth, Person, TrailEvent

AT = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)
NOW = datetime(2026, 12, 10, 10, 0, tzinfo=timezone.utc)  # a Thursday, inside the send window
AREA = "Children in Need"
PEOPLE = {"ann": ("practice_manager", "Team Gamma"), "pat": ("practitioner", "Team Alpha"),
          "sam": ("service_lead", ""), "quinn": ("qa_unit", "QA Unit")}


@pytest.fixture
async def world(db) -> dict[str, int]:
    """The people, and one December allocation ("case") audited by Ann, held by Pat."""
    async with db.sessions.begin() as session:
        people = {name: Person(email=f"{name}@council.gov.uk", display_name=name.title() + " Example", role=role,
                               team=team, service_area="" if role == "qa_unit" else AREA, created_at=NOW,
                               updated_at=NOW)
                  for name, (role, team) in PEOPLE.items()}
        session.add_all(people.values())
        session.add(AuditMonth(month="2026-12", imported_at=NOW))
        await session.flush()
        ids = {name: p.id for name, p in people.items()}
    ids["case"] = await allocate(db, ids, "CR-1001")
    return ids


async def allocate(db, ids: dict[str, int], case_ref: str) -> int:
    async with db.sessions.begin() as session:
        allocation = Allocation(month="2026-12", case_ref=case_ref, annex_a_list="List 6", service_area=AREA,
                                team="Team Alpha", theme="", auditor_id=ids["ann"], case_holder_id=ids["pat"],
                                state="allocated", created_at=NOW, updated_at=NOW)
        session.add(allocation)
        await session.flush()
        return allocation.id


def ctx(db) -> Context:
    return Context(db, WorkingCalendar(tz=ZoneInfo("Europe/London")), lambda: NOW)


def kw() -> dict:
    return {"now": NOW, "via": "card:test"}


def form() -> dict:
    """The form's inputs as Teams sends them: every answer given."""
    return {ac.OVERALL_GRADE: "Good", **{ac.key_area_input_id(a): "Good" for a in KEY_AREAS},
            ac.STRENGTHS: "The plan was clear", ac.IMPROVEMENTS: "Visits could be timelier",
            ac.DISCUSSION_HELD: "true", ac.SEEK_FAMILY_VIEWS: "false", ac.SAFEGUARDING_CONCERN: "false",
            ac.SAFEGUARDING_DESCRIPTION: ""}


async def audit_of(db, allocation_id: int) -> Audit:
    async with db.sessions() as session:
        return (await session.execute(select(Audit).where(Audit.allocation_id == allocation_id))).scalar_one()
BEFORE = "0023"  # the revision before the forms' columns


async def test_a_started_audit_keeps_its_version_when_the_form_is_edited(db, world, tmp_path, monkeypatch):
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
        async with db.sessions() as session:  # the trail says which form it was started on
            started_rows = (await session.execute(select(TrailEvent).where(TrailEvent.action == flow.STARTED))).scalars()
            assert [(e.detail["form"], e.detail["form_version"]) for e in started_rows] == [("default", 1)]

        # An audit started now is on version 2.
        other = await allocate(db, world, "CR-1002")
        await flow.start_audit(ctx(db), world["ann"], other, form=v2, **kw())
        audit = await audit_of(db, other)
        assert (audit.form_name, audit.form_version) == ("default", 2)
    finally:
        monkeypatch.delenv("QA_FORMS_DIR")
        config.forms_in_use.cache_clear()


async def test_an_audit_started_without_a_form_named_is_on_the_default_version_1(db, world):
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
