"""Two audit forms in one month, through the register and the analysis (framework 9.3, 23), on both
databases, worked out by hand:

October 2026, all in North, auditor Aud, submitted 20 October (on time):
    F1  fostering v1  overall Good         chronology Good, planning Not applicable, visits 4
    F2  fostering v1  overall Inadequate   chronology Inadequate, planning Requires Improvement
    D1  adoption v1   overall Outstanding  chronology Outstanding, "match" Good (Planning), tools Genogram; Ecomap
    D2  adoption v1   (started, not submitted: no answers shown or counted)
    K1  default v1    overall Good         all seven key areas Good (the default form's own columns)

Narrative/History: Outstanding 1 (D1), Good 2 (F1, K1), Inadequate 1 (F2); not applicable 0.
Planning: Good 2 (D1's match, K1), Requires Improvement 1 (F2), Not applicable 1 (F1).
Grades: Outstanding 1, Good 2, Inadequate 1 (four submitted), outstanding 1 (D2).
"""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import openpyxl
import pytest

from capabilities.context import Context
from capabilities.reports import build
from qa.calendar import WorkingCalendar
from qa.forms import NOT_APPLICABLE, form_from_data
from qa.framework import GRADES, KEY_AREAS
from qa.reports import WHOLE_SERVICE, analyse
from storage import reports as stored
from storage.audit_forms import record_version
from storage.models import Allocation, Audit, AuditMonth
from tests.support.reports import add_people

CAL = WorkingCalendar()
NOW = datetime(2026, 11, 9, 9, tzinfo=timezone.utc)
SCALE = {"ofsted": list(GRADES)}
OVERALL = {"id": "overall_grade", "type": "grade", "scale": "ofsted", "label": "Overall grade", "required": True,
           "key_area": None}
CHRONOLOGY = {"id": "chronology", "type": "grade", "scale": "ofsted", "label": "The chronology",
              "key_area": "Narrative/History"}
FOSTERING = {"name": "fostering", "title": "Fostering audit", "version": 1, "kind": "case", "scales": SCALE,
             "sections": [{"id": "main", "title": "The case", "questions": [
                 OVERALL, CHRONOLOGY,
                 {"id": "plan", "type": "grade", "scale": "ofsted", "label": "The care plan", "not_applicable": True,
                  "key_area": "Planning"},
                 {"id": "visits", "type": "number", "label": "Visits in date", "key_area": None}]}]}
ADOPTION = {"name": "adoption", "title": "Adoption audit", "version": 1, "kind": "case", "scales": SCALE,
            "sections": [{"id": "main", "title": "The case", "questions": [
                OVERALL, CHRONOLOGY,
                {"id": "match", "type": "grade", "scale": "ofsted", "label": "The match", "key_area": "Planning"},
                {"id": "tools", "type": "several_of", "label": "Tools used", "options": ["Genogram", "Ecomap", "Life story"],
                 "key_area": None}]}]}
OUT, GOOD, RI, INAD = GRADES
SUBMITTED = datetime(2026, 10, 20, 10, tzinfo=timezone.utc)

# ref -> (form, answers or None for a draft)
CASES = {
    "F1": ("fostering", {"overall_grade": GOOD, "chronology": GOOD, "plan": NOT_APPLICABLE, "visits": 4}),
    "F2": ("fostering", {"overall_grade": INAD, "chronology": INAD, "plan": RI}),
    "D1": ("adoption", {"overall_grade": OUT, "chronology": OUT, "match": GOOD, "tools": ["Genogram", "Ecomap"]}),
    "D2": ("adoption", None),
    "K1": ("default", None),
}


@pytest.fixture
async def october(db):
    people = await add_people(db)
    async with db.sessions.begin() as session:
        for data in (FOSTERING, ADOPTION):
            await record_version(session, form_from_data(data), json.dumps(data), NOW)
        session.add(AuditMonth(month="2026-10", imported_at=NOW))
        await session.flush()
        for ref, (form, answers) in CASES.items():
            allocated = datetime(2026, 10, 5, 9, tzinfo=timezone.utc)
            draft = form != "default" and answers is None
            row = Allocation(month="2026-10", case_ref=f"CR-{ref}", annex_a_list="List 8", service_area="North",
                             team="North Team 1", auditor_id=people["Aud"], case_holder_id=people["Pat"],
                             state="started" if draft else "submitted", form_name=form, started_at=SUBMITTED,
                             submitted_at=None if draft else SUBMITTED, created_at=allocated, updated_at=allocated)
            session.add(row)
            await session.flush()
            if form == "default":
                session.add(Audit(allocation_id=row.id, overall_grade=GOOD, key_areas=dict.fromkeys(KEY_AREAS, GOOD),
                                  submitted_at=SUBMITTED, submitted_by_id=people["Aud"], updated_at=SUBMITTED))
            else:
                session.add(Audit(allocation_id=row.id, form_name=form, form_version=1, key_areas={},
                                  overall_grade=None if draft else answers["overall_grade"],
                                  answers={"chronology": GOOD} if draft else answers,
                                  submitted_at=None if draft else SUBMITTED,
                                  submitted_by_id=None if draft else people["Aud"], updated_at=SUBMITTED))
    return Context(db=db, calendar=CAL, clock=lambda: NOW)


async def test_the_analysis_counts_each_key_area_across_forms_with_not_applicable_apart(october):
    async with october.db.sessions() as session:
        rows = await stored.register_rows(session, "2026-07", "2026-10")
    by = {r.case_ref: r for r in rows}
    assert by["CR-F1"].form == "fostering v1" and by["CR-K1"].form == "default v1"
    assert by["CR-D2"].answers is None and by["CR-D2"].area_answers == ()  # a draft's answers stay the auditor's
    assert by["CR-F1"].area_answers == (("Narrative/History", GOOD), ("Planning", NOT_APPLICABLE))
    f = analyse(rows, "monthly", ("2026-10",), CAL).of(WHOLE_SERVICE, "2026-10")
    assert f.completed == 4 and f.outstanding == 1
    assert f.grades == {OUT: 1, GOOD: 2, RI: 0, INAD: 1}
    assert f.key_areas["Narrative/History"] == {OUT: 1, GOOD: 2, RI: 0, INAD: 1}
    assert f.key_areas["Planning"] == {OUT: 0, GOOD: 2, RI: 1, INAD: 0}
    assert f.key_areas_na == {**dict.fromkeys(KEY_AREAS, 0), "Planning": 1}
    assert f.key_areas["Relationship"] == {OUT: 0, GOOD: 1, RI: 0, INAD: 0}  # the default form's only
    assert f.good_or_better("Planning") == (2, 3)  # not applicable is neither good nor judged


async def test_the_register_has_a_sheet_of_answers_per_form(october):
    async with october.db.sessions() as session:
        made = await build.register_made(session, CAL, NOW.date(), "2026-10", "2026-10")
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    assert wb.sheetnames == ["Register", "Form adoption v1", "Form fostering v1"]
    register = list(wb["Register"].values)
    form_col = register[0].index("Form")
    assert {r[1]: r[form_col] for r in register[1:]} == {
        "CR-D1": "adoption v1", "CR-D2": "adoption v1", "CR-F1": "fostering v1", "CR-F2": "fostering v1",
        "CR-K1": "default v1"}
    adoption = list(wb["Form adoption v1"].values)
    assert adoption[0] == ("Month", "Case ref", "Service area", "Team", "Auditor", "Submitted", "Overall grade",
                           "The chronology", "The match", "Tools used")
    assert adoption[1:] == [("2026-10", "CR-D1", "North", "North Team 1", "Aud Example", "2026-10-20", OUT, OUT,
                             GOOD, "Genogram; Ecomap")]  # D2, a draft, is not there
    fostering = list(wb["Form fostering v1"].values)
    assert fostering[1][6:] == (GOOD, GOOD, NOT_APPLICABLE, 4)
    assert fostering[2][6:] == (INAD, INAD, RI, None)


async def test_the_analysis_workbook_counts_not_applicable_beside_the_grades(october):
    made = await build.analysis_file(october, build.Request.parse("monthly", "2026-10"), None)
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    ws = wb["Key areas"]
    cells = list(ws[ws.tables["KeyAreas"].ref])
    header = [c.value for c in cells[0]]
    assert header[-1] == NOT_APPLICABLE
    rows = {(r[0].value, r[1].value, r[2].value): [c.value for c in r] for r in cells[1:]}
    planning = rows[(WHOLE_SERVICE, "2026-10", "Planning")]
    assert planning[3:7] == [0, 2, 1, 0] and planning[-1] == 1
    assert planning[header.index("Good or better")] == pytest.approx(2 / 3)
