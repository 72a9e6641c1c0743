"""Audit history: the QA unit's register of past audits imported as completed audits flagged imported
(qa/history.py, storage/history.py, capabilities/history.py): the file's checks by row and column,
identifying columns refused by name, the same file twice changing nothing, the register's Imported
column, and a quarterly comparison whose previous quarters are imported. Storage on both databases."""
from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from capabilities.reports import build
from capabilities.reports.register import HEADERS
from qa.calendar import WorkingCalendar
from qa.framework import KEY_AREAS
from qa.history import HistoryProblems, parse_history
from qa.reports import WHOLE_SERVICE
from storage.history import HistoryRejected, import_history
from storage.models import Allocation, AuditMonth, ImportedAudit, Person, TrailEvent
from tests.support.cli import run_cli

CAL = WorkingCalendar()
NOW = datetime(2026, 10, 7, 9, tzinfo=UTC)
TODAY = date(2026, 10, 7)
HEADER = ["Month", "Case ref", "Service area", "Team", "Auditor email", "Grade", "Planning", "Narrative/History",
          "Submitted_on"]
ROWS = [
    ["2026-04", "CR-1001", "North", "North 1", "gone@example.gov.uk", "Good", "Good", "", "2026-04-20"],
    ["2026-05", "CR-1002", "North", "North 1", "", "Requires improvement", "", "Inadequate", ""],
    ["2026-06", "CR-1003", "South", "South 1", "qa@example.gov.uk", "Outstanding", "Good", "Good", "2026-07-30"],
    ["2026-06", "CR-1004", "South", "South 1", "", "Good", "", "", "2026-06-10"],
]


def rows_of(header, rows):
    return [dict(zip(header, r, strict=True)) for r in rows]


def write(path: Path, header=HEADER, rows=ROWS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header, *rows])
    return path


# ---------------------------------------------------------------- the file's rules (pure)


@pytest.mark.fast
def test_a_good_file_reads():
    entries = parse_history(HEADER, rows_of(HEADER, ROWS), "2026-10", TODAY)
    assert [e.case_ref for e in entries] == ["CR-1001", "CR-1002", "CR-1003", "CR-1004"]
    first, second = entries[0], entries[1]
    assert first.key_areas == {"Planning": "Good"} and first.submitted_on == date(2026, 4, 20)
    assert first.auditor_email == "gone@example.gov.uk"
    assert second.grade == "Requires Improvement" and second.key_areas == {"Narrative/History": "Inadequate"}
    assert second.auditor_email is None and second.submitted_on is None


@pytest.mark.fast
def test_identifying_columns_are_refused_by_name():
    header = [*HEADER, "Child's name", "DOB"]
    with pytest.raises(HistoryProblems) as caught:
        parse_history(header, rows_of(header, [[*ROWS[0], "x", "y"]]), "2026-10", TODAY)
    text = str(caught.value)
    assert "column J \"Child's name\" would hold a name about a child" in text
    assert "'DOB' would hold a date of birth" in text and "case references only" in text


@pytest.mark.fast
def test_rows_that_cannot_be_read_are_named_by_row_and_column():
    bad = [
        ["2026-13", "CR-2001", "North", "North 1", "", "Good", "", "", ""],
        ["2026-10", "CR-2002", "North", "North 1", "", "Good", "", "", ""],
        ["2026-05", "Jo Bloggs", "North", "North 1", "not-an-email", "Fine", "Meh", "", "05/06/2026"],
        ["2026-05", "CR-2004", "SW1A 1AA", "North 1", "", "Good", "", "", ""],
        ["2026-05", "CR-2005", "North", "North 1", "", "Good", "", "", ""],
        ["2026-05", "cr-2005", "North", "North 1", "", "Good", "", "", ""],
    ]
    with pytest.raises(HistoryProblems) as caught:
        parse_history(HEADER, rows_of(HEADER, bad), "2026-10", TODAY)
    said = [str(p) for p in caught.value.problems]
    assert any(s.startswith("row 2, column month:") and "YYYY-MM" in s for s in said)
    assert any(s.startswith("row 3, column month:") and "not before 2026-10" in s for s in said)
    assert any(s.startswith("row 4, column case_ref:") and "spaces" in s for s in said)
    assert "Jo Bloggs" not in "\n".join(s for s in said if "case_ref" in s)  # the value may be a name
    assert any(s.startswith("row 4, column auditor_email:") for s in said)
    assert any(s.startswith("row 4, column grade:") for s in said)
    assert any(s.startswith("row 4, column planning:") for s in said)
    assert any(s.startswith("row 4, column submitted_on:") and "YYYY-MM-DD" in s for s in said)
    assert any(s.startswith("row 5, column service_area:") and "postcode" in s for s in said)
    assert any(s.startswith("row 6, column case_ref:") and "more than once" in s for s in said)


@pytest.mark.fast
def test_unknown_and_missing_columns():
    with pytest.raises(HistoryProblems) as caught:
        parse_history(["Month", "Case ref", "Team", "Grade", "Colour"], [], "2026-10", TODAY)
    text = str(caught.value)
    assert "'Colour' is not a past audits column" in text and "missing column: service_area" in text


# ---------------------------------------------------------------- stored, both databases


async def test_import_twice_changes_nothing(db, tmp_path):
    async with db.sessions.begin() as session:
        session.add(Person(email="qa@example.gov.uk", display_name="Quinn Avery", role="qa_unit", team="QA",
                           created_at=NOW, updated_at=NOW))
    path = write(tmp_path / "past.csv")
    first = await import_history(db, path, NOW, CAL.tz, actor_id=None, via="test")
    assert (first.added, first.updated, first.unchanged) == (4, 0, 0)
    assert "2026-04 to 2026-06" in first.describe()
    again = await import_history(db, path, NOW, CAL.tz, actor_id=None, via="test")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    async with db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(ImportedAudit))).scalar_one() == 4
        trail = (await session.execute(select(TrailEvent).where(TrailEvent.action == "history_imported"))).scalars().all()
        assert len(trail) == 1 and trail[0].detail["added"] == 4
        linked = (await session.execute(select(ImportedAudit).where(ImportedAudit.case_ref == "CR-1003"))).scalar_one()
        assert linked.auditor_id is not None and linked.key_areas == {"Planning": "Good", "Narrative/History": "Good"}
    # A corrected grade updates that audit only.
    fixed = [list(r) for r in ROWS]
    fixed[3][5] = "Inadequate"
    third = await import_history(db, write(tmp_path / "fixed.csv", rows=fixed), NOW, CAL.tz, actor_id=None, via="test")
    assert (third.added, third.updated, third.unchanged) == (0, 1, 3)


async def test_a_bad_file_writes_nothing_and_a_live_case_is_refused(db, tmp_path):
    async with db.sessions.begin() as session:
        auditor = Person(email="a@example.gov.uk", display_name="Ann", role="practice_manager", team="North 1",
                         service_area="North", created_at=NOW, updated_at=NOW)
        session.add_all([auditor, AuditMonth(month="2026-06", imported_at=NOW)])
        await session.flush()
        session.add(Allocation(month="2026-06", case_ref="CR-1004", annex_a_list="", service_area="South",
                               team="South 1", auditor_id=auditor.id, created_at=NOW, updated_at=NOW))
    with pytest.raises(HistoryRejected) as caught:
        await import_history(db, write(tmp_path / "p.csv"), NOW, CAL.tz, actor_id=None, via="test")
    assert "row 5, column case_ref: is already allocated for 2026-06 in the bot" in str(caught.value)
    assert "nothing was changed" in str(caught.value)
    async with db.sessions() as session:
        assert (await session.execute(select(func.count()).select_from(ImportedAudit))).scalar_one() == 0


async def test_the_quarterly_comparison_includes_imported_quarters_and_the_register_marks_them(db, tmp_path):
    await import_history(db, write(tmp_path / "past.csv"), NOW, CAL.tz, actor_id=None, via="test")
    request = build.Request.parse("quarterly", "2026-Q3")
    async with db.sessions() as session:
        data = await build.load(session, request, CAL, TODAY)
    analysis = data.analysis
    q2 = analysis.total(WHOLE_SERVICE, ("2026-04", "2026-05", "2026-06"))
    assert q2.allocated == 4 and q2.completed == 4 and q2.outstanding == 0
    assert (q2.on_time, q2.late) == (2, 1)  # CR-1002 has no submitted date: neither
    assert q2.on_time_rate == pytest.approx(2 / 3)
    assert q2.grades["Good"] == 2 and q2.grades["Requires Improvement"] == 1 and q2.grades["Outstanding"] == 1
    assert q2.key_areas["Narrative/History"]["Inadequate"] == 1
    assert set(KEY_AREAS) >= {"Planning", "Narrative/History"}
    assert analysis.total(WHOLE_SERVICE, request.months).allocated == 0  # nothing live yet
    async with db.sessions() as session:
        made = await build.register_made(session, CAL, TODAY, "2026-04", "2026-09")
    ws = openpyxl.load_workbook(io.BytesIO(made.data)).active
    header = [c.value for c in ws[1]]
    assert header == list(HEADERS) and "Imported" in header
    cells = {r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(cells) == {"CR-1001", "CR-1002", "CR-1003", "CR-1004"}
    assert all(c["Imported"] == "Yes" for c in cells.values())
    assert cells["CR-1001"]["Auditor"] == "gone@example.gov.uk"
    assert cells["CR-1002"]["On time or late"] is None  # not "Overdue": it was done, date not known


async def test_the_cli_imports(db, tmp_path):
    code, out, err = await run_cli(db, "history", "import", str(write(tmp_path / "past.csv")))
    assert code == 0, err
    assert "past audits imported from past.csv (2026-04 to 2026-06): 4 added, 0 updated, 0 unchanged" in out
    header = [*HEADER, "Address"]
    code, out, err = await run_cli(db, "history", "import",
                                   str(write(tmp_path / "bad.csv", header, [[*ROWS[0], "x"]])))
    assert code != 0 and "would hold an address about a child" in err
