"""The training needs analysis and the reports' Appraisals sheet, golden figures on both databases (framework
9.2), the workbook read back with openpyxl (cells, sheets, the bar chart's ranges), and the CLI.

The audits are tests/support/reports.py's hand-built history (no re-audit); the staff and their plans are added
here. Made on Wednesday 7 October 2026: the key areas are graded over July to September, the plans counted are
those of appraisals after 7 October 2025.

Worked out by hand. Key areas, Good or better of judged: July J1 all Good, J2 all RI, J3 all Outstanding: 2 of 3
each. August A1 Good in the first four key areas and RI in the last three, A2 all Inadequate: 1 of 2 and 0 of 2.
September S1 all Outstanding, S2 all Good, S3 RI (Planning Inadequate): 2 of 3 each. So the first four 5 of 8,
the last three 4 of 8: weakest Outcomes, Supervision, Management oversight (tied: the framework's order), then
Narrative/History, Assessment and Analysis, Planning, Relationship.

Plans. Ann (North team, North): 10 May 2026 chronologies and SMART planning (her 1 May 2025 plan, leadership, is
over twelve months old). Bob (North team): 1 Sep 2026 SMART planning and supervision skills, a note. Cat (South
team, South and North): 15 Aug 2026 SMART planning and the child's voice. Dan (South team): none. Eve (left): court
skills, not counted. Whole service 3 plans of 4 staff with a manager: SMART 3; chronologies, the child's voice,
supervision skills 1 each (the list's order). North 3 plans (Ann, Bob, Cat); South 1 (Cat). North team 2, South
team 1.
"""
from __future__ import annotations

import argparse
import io
from datetime import date, datetime, timezone

import openpyxl
import pytest
from sqlalchemy import select

from capabilities.context import Context
from capabilities.reports import build
from capabilities.reports.appraisal_section import APPRAISALS, HEADERS, TABLE
from capabilities.workforce import topics as topic_file
from capabilities.workforce import training_needs as tna
from qa.calendar import WorkingCalendar
from qa.reports import WHOLE_SERVICE
from storage.models import PdpPlan, Person, WorkforceRecord
from tests.support.reports import add_history, add_people

CAL = WorkingCalendar()
NOW = datetime(2026, 10, 7, 9, tzinfo=timezone.utc)
DAY = date(2026, 10, 7)
ON_RECORD = datetime(2025, 1, 6, 9, tzinfo=timezone.utc)
STAFF = {  # name -> (team, areas, manager, plans: (appraisal day, topics, note))
    "Ann": ("North team", "North", "aud", [(date(2026, 5, 10), ["chronologies", "smart_planning"], None),
                                          (date(2025, 5, 1), ["leadership"], None)]),
    "Bob": ("North team", "North", "aud", [(date(2026, 9, 1), ["smart_planning", "supervision_skills"],
                                            "=Court report writing")]),
    "Cat": ("South team", "South;North", "ben", [(date(2026, 8, 15), ["smart_planning", "childs_voice"], None)]),
    "Dan": ("South team", "South", "ben", []),
    "Eve": ("South team", "South", "ben", [(date(2026, 6, 1), ["court_skills"], None)]),
}


async def add_staff(db) -> dict[str, int]:
    async with db.sessions.begin() as session:
        people = {name: Person(email=f"{name.lower()}@council.gov.uk", display_name=f"{name} Example",
                               role="practitioner", team=team, service_area=areas,
                               supervisor_email=f"{boss}@council.gov.uk", created_at=ON_RECORD, updated_at=ON_RECORD,
                               left_at=NOW if name == "Eve" else None)
                  for name, (team, areas, boss, _plans) in STAFF.items()}
        session.add_all(people.values())
        await session.flush()
        for name, (_t, _a, _b, plans) in STAFF.items():
            for on, topics, note in plans:
                session.add(PdpPlan(person_id=people[name].id, appraisal_on=on, topics=topics, note=note,
                                    recorded_at=NOW))
        # Ann's appraisal held 10 May 2026: in date to May 2027; the others due a year on record (January 2026).
        session.add(WorkforceRecord(person_id=people["Ann"].id, kind="appraisal", period="2026-01-06",
                                    held_on=date(2026, 5, 10), recorded_at=NOW))
        return {n: p.id for n, p in people.items()}


@pytest.fixture
async def ctx(db) -> Context:
    await add_history(db, await add_people(db, with_chats=False))
    await add_staff(db)
    return Context(db=db, calendar=CAL, clock=lambda: NOW)


async def analysis(ctx) -> tna.Analysis:
    async with ctx.db.sessions() as session:
        return await tna.analysis(session, DAY, tna.last_quarter(DAY), CAL, topic_file.load({}))


def values(ws) -> list[list]:
    return [[c.value for c in row] for row in ws.iter_rows()]


async def test_the_figures(ctx):
    a = await analysis(ctx)
    assert a.months == ("2026-07", "2026-08", "2026-09") and a.period == "July 2026 to September 2026"
    assert (a.staff, len(a.plans)) == (4, 3)
    assert [(g.area, g.good_or_better, g.judged) for g in a.grades] == [
        ("Narrative/History", 5, 8), ("Assessment and Analysis", 5, 8), ("Planning", 5, 8), ("Relationship", 5, 8),
        ("Outcomes", 4, 8), ("Supervision", 4, 8), ("Management oversight", 4, 8)]
    assert [(s.level, s.name, s.plans) for s in a.scopes] == [
        ("Whole service", "Whole service", 3), ("Service area", "North", 3), ("Service area", "South", 1),
        ("Team", "North team", 2), ("Team", "South team", 1)]
    assert a.whole.ranked(a.topics) == [("smart_planning", 3), ("chronologies", 1), ("childs_voice", 1),
                                        ("supervision_skills", 1)]
    view = a.view()
    assert [(w.area, w.good_or_better, w.judged) for w in view.weakest[:3]] == [
        ("Outcomes", 4, 8), ("Supervision", 4, 8), ("Management oversight", 4, 8)]
    assert view.asked[0] == tna.pc.NeedLine("SMART planning and reviewing plans", 3)


async def test_the_workbook_read_back(ctx, tmp_path):
    a = await analysis(ctx)
    wb = openpyxl.load_workbook(io.BytesIO(tna.workbook(a)))
    assert wb.sheetnames == ["Summary", "Whole service", "Service areas", "Teams", "Key areas beside needs",
                             "Other learning needs"]
    summary = values(wb["Summary"])
    assert summary[0] == ["Training needs analysis, 2026-10-07", None]
    assert summary[1:4] == [["Current personal development plans (appraisals in the last twelve months)", 3],
                            ["Staff with a manager on the roster", 4],
                            ["Audit key areas graded over", "July 2026 to September 2026"]]
    whole = values(wb["Whole service"])
    assert whole[0] == ["Learning topic", "Group", "Plans asking", "Share of plans"]
    assert whole[1:5] == [["SMART planning and reviewing plans", "Priority areas", 3, 1],
                          ["Chronologies and case summaries", "Priority areas", 1, pytest.approx(0.3333)],
                          ["The child's voice and lived experience in records", "Priority areas", 1,
                           pytest.approx(0.3333)],
                          ["Supervision skills", "Priority areas", 1, pytest.approx(0.3333)]]
    assert len(whole) == 15 and whole[5][2] == 0  # every topic on the list, asked for or not
    (chart,) = wb["Whole service"]._charts
    assert chart.type == "bar"
    (series,) = chart.series
    assert series.val.numRef.f == "'Whole service'!$C$2:$C$15"
    assert (series.cat.strRef or series.cat.numRef).f == "'Whole service'!$A$2:$A$15"
    areas = values(wb["Service areas"])
    assert areas[0][:3] == ["Service area", "Plans", "Systemic practice"]
    col = areas[0].index("SMART planning and reviewing plans")
    assert [(r[0], r[1], r[col]) for r in areas[1:]] == [("North", 3, 3), ("South", 1, 1)]
    teams = values(wb["Teams"])
    chron = teams[0].index("Chronologies and case summaries")
    assert [(r[0], r[1], r[col], r[chron]) for r in teams[1:]] == [("North team", 2, 2, 1), ("South team", 1, 1, 0)]
    beside = values(wb["Key areas beside needs"])
    assert beside[1] == ["Rank", "Key area", "Audits judging it", "Good or better", "Good or better rate",
                         "Learning on the list for this key area (plans asking)", "Learning most asked for",
                         "Plans asking"]
    assert beside[2] == [1, "Outcomes", 8, 4, 0.5, "Strengthening Families (child protection conferences) (0); "
                         "SMART planning and reviewing plans (3); Stability and permanence (0)",
                         "SMART planning and reviewing plans", 3]
    assert beside[3][:2] + beside[3][5:] == [2, "Supervision", "Supervision skills (1); Leadership and management (0)",
                                             "Chronologies and case summaries", 1]
    assert [r[1] for r in beside[2:]] == ["Outcomes", "Supervision", "Management oversight", "Narrative/History",
                                          "Assessment and Analysis", "Planning", "Relationship"]
    assert beside[6][6:] == [None, None] and beside[5][4] == 0.625
    notes = values(wb["Other learning needs"])
    assert notes == [["Team", "Appraisal month", "Other learning need"], ["North team", "2026-09", "=Court report writing"]]
    cell = wb["Other learning needs"]["C2"]
    assert cell.data_type == "s"  # a note starting "=" is text, never a formula


async def test_the_reports_appraisals_sheet(ctx):
    made = await build.analysis_file(ctx, build.Request.parse("quarterly", "2026-Q3"), None)
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    ws = wb[APPRAISALS]
    assert ws["A1"].value == "Annual appraisals in date (framework 9.2)"
    cells = list(ws[ws.tables[TABLE].ref])
    header, rows = [c.value for c in cells[0]], [[c.value for c in row] for row in cells[1:]]
    assert tuple(header) == HEADERS
    months = ("2026-07", "2026-08", "2026-09")
    # Ann in date (held May 2026); Bob, Cat, Dan due January 2026 (a year on record): overdue.
    assert rows == ([[m, "Whole scope", WHOLE_SERVICE, None, 4, 1, 0.25] for m in months]
                    + [[m, "Service area", "North", None, 2, 1, 0.5] for m in months]
                    + [[m, "Service area", "South", None, 2, 0, 0] for m in months]
                    + [[m, "Team", "North", "North team", 2, 1, 0.5] for m in months]
                    + [[m, "Team", "South", "South team", 2, 0, 0] for m in months])
    north = await build.analysis_file(ctx, build.Request.parse("quarterly", "2026-Q3"), ("North",))
    ws = openpyxl.load_workbook(io.BytesIO(north.data))[APPRAISALS]
    assert [r[0].value for r in ws.iter_rows(min_row=5)] == list(months) * 3  # North, its area, its team


async def test_the_cli_writes_the_workbook(ctx, tmp_path, capsys):
    out = tmp_path / "tna.xlsx"
    assert await tna.CLI.run(argparse.Namespace(out=str(out)), ctx) == 0
    assert "Training needs analysis, 2026-10-07: 3 current plans, key areas graded July 2026 to September 2026: " \
           f"written to {out}" in capsys.readouterr().out
    wb = openpyxl.load_workbook(out)
    assert wb["Whole service"]["C2"].value == 3
    with pytest.raises(tna.CommandError, match="must end .xlsx"):
        await tna.CLI.run(argparse.Namespace(out=str(tmp_path / "tna.csv")), ctx)


async def test_the_file_is_for_the_qa_unit_and_the_psw(ctx):
    async with ctx.db.sessions() as session:
        quinn = (await session.execute(select(Person).where(Person.email == "quinn@council.gov.uk"))).scalar_one()
        pat = (await session.execute(select(Person).where(Person.email == "pat@council.gov.uk"))).scalar_one()
    made = await tna.make_file(ctx, quinn, {"offer": tna.OFFER, "month": "2026-08"}, NOW)
    assert made.name == "training-needs-2026-10-07.xlsx"
    summary = openpyxl.load_workbook(io.BytesIO(made.data))["Summary"]
    assert summary["B4"].value == "June 2026 to August 2026"
    assert await tna.make_file(ctx, pat, {"offer": tna.OFFER}, NOW) == tna.NOT_FOR_YOU
