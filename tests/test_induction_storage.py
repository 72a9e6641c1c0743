"""Induction's use cases and morning duty on both databases, called directly: who gets a plan from which start
(framework 9.2: "All new staff and managers must receive an induction"), made once, and the plan card sent once.

The roster comes in on Tuesday 1 December 2026: Ben joined on Monday 14 December 2026 (a new starter), Ana on
1 March 2020 (established; she becomes a manager and Pia marks her)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from capabilities.context import Context
from capabilities.duties import Occurrence
from capabilities.kit import Status
from capabilities.workforce import config
from capabilities.workforce.induction import mark
from capabilities.workforce.induction_duties import InductionMorningDuty
from qa.calendar import WorkingCalendar
from storage import induction as store
from storage.models import OutboxMessage, Person
from storage.roster import import_roster
from tests.support.supervision import ANA, BEN, PM, ROSTER_COLUMNS, at, roster_rows, write_csv

CAL = WorkingCalendar()
STARTS = {BEN: "2026-12-14", ANA: "2020-03-01"}


async def _setup(db, tmp_path) -> dict[str, int]:
    rows = [{**r, "start_date": STARTS.get(r["email"], ""), "asye_start_date": ""} for r in roster_rows()]
    await import_roster(db, write_csv(tmp_path / "r.csv", [*ROSTER_COLUMNS, "start_date"], rows), at("2026-12-01T09:00"))
    async with db.sessions() as session:
        return {p.email: p.id for p in (await session.execute(select(Person))).scalars()}


async def _plan_messages(db) -> int:
    async with db.sessions() as session:
        return (await session.execute(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.kind == "induction-plan"))).scalar_one()


async def test_plans_come_from_the_right_start_once(db, tmp_path):
    ids = await _setup(db, tmp_path)
    plan = config.induction_plan({})
    duty = InductionMorningDuty(CAL, plan, months=3, manager_after=5)
    async with db.sessions.begin() as session:
        await duty.run(session, Occurrence("2026-12-14", at("2026-12-14T09:00")), at("2026-12-14T09:00"))
    async with db.sessions.begin() as session:
        await duty.run(session, Occurrence("2026-12-15", at("2026-12-15T09:00")), at("2026-12-15T09:00"))
    async with db.sessions() as session:
        plans = await store.plans(session, CAL.tz)
    assert set(plans) == {ids[BEN]}  # Ana joined in 2020: not a new starter by the roster
    assert plans[ids[BEN]].started_on == date(2026, 12, 14)
    assert {e.element_id: e.target for e in plans[ids[BEN]].elements}["organisation"] == date(2026, 12, 18)
    assert await _plan_messages(db) == 1  # sent when made, not each morning

    # Ana becomes a manager: Pia marks her; her plan counts from the day marked, not from 2020.
    ctx = Context(db, CAL, lambda: at("2027-01-05T10:00"))
    outcome = await mark(ctx, ids[PM], ANA.upper(), now=at("2027-01-05T10:00"), via="test", plan=plan, months=3)
    assert outcome.status == Status.DONE, outcome.message
    # Ben's own supervisor marking him again changes nothing: his plan from his start is made.
    again = await mark(ctx, ids[PM], BEN, now=at("2027-01-05T10:01"), via="test", plan=plan, months=3)
    assert again.status == Status.ALREADY and "already has an induction plan from Monday 14 December 2026" in \
        again.message
    refused = await mark(ctx, ids[BEN], ANA, now=at("2027-01-05T10:02"), via="test", plan=plan, months=3)
    assert refused.status == Status.REFUSED
    bad = await mark(ctx, ids[PM], "not an address", now=at("2027-01-05T10:03"), via="test", plan=plan, months=3)
    assert bad.status == Status.INVALID
    async with db.sessions() as session:
        plans = await store.plans(session, CAL.tz)
    assert plans[ids[ANA]].started_on == date(2027, 1, 5)
    assert await _plan_messages(db) == 2
