"""`python -m bot supervision import FILE` and `caseload import FILE`: whole-file refusal, row and
column messages, idempotency, and the caseload's full replace, on both databases."""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from sqlalchemy import func, select

from qa.calendar import WorkingCalendar
from storage.models import CaseloadCase, SupervisionSession
from storage.roster import import_roster
from storage.supervision import SupervisionRejected, import_caseload, import_sessions
from tests.support.cli import run_cli
from tests.support.supervision import ANA, BEN, CASELOAD_COLUMNS, PM, SESSION_COLUMNS, at, write_csv, write_roster

NOW = at("2026-12-01T10:00")
TZ = WorkingCalendar().tz


@pytest.fixture
async def roster(db, tmp_path):
    await import_roster(db, write_roster(tmp_path / "roster.csv"), at("2026-01-05T09:00"))


async def _sessions(db) -> list[SupervisionSession]:
    async with db.sessions() as s:
        return list((await s.execute(select(SupervisionSession).order_by(SupervisionSession.held_on))).scalars())


HISTORY = [
    [ANA, PM, "1:1", "2026-10-01", "90", ""],
    [ANA, PM, "One to one", "2026-10-29", "80", ""],
    [ANA, PM, "case supervision", "2026-10-29", "45", "CR-1001; CR-1002"],
    [BEN, PM, "group", "2026-11-20", "60", ""],
    [BEN, PM, "agreement_review", "2026-11-03", "30", ""],
]


async def test_history_import_adds_sessions_once(db, roster, tmp_path):
    path = write_csv(tmp_path / "history.csv", SESSION_COLUMNS, HISTORY)
    report = await import_sessions(db, path, NOW, TZ)
    assert (report.added, report.unchanged) == (5, 0)
    sessions = await _sessions(db)
    assert [s.kind for s in sessions] == ["one_to_one", "one_to_one", "case", "agreement_review", "group"]
    group = sessions[-1]
    assert group.supervisee_id is None and group.team == "North 1" and group.subject == "t:North 1"
    case = next(s for s in sessions if s.kind == "case")
    assert case.case_refs == ["CR-1001", "CR-1002"]
    again = await import_sessions(db, path, NOW, TZ)
    assert (again.added, again.unchanged) == (0, 5)
    assert len(await _sessions(db)) == 5


async def test_an_xlsx_history_is_read_the_same(db, roster, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Supervision"
    sheet.append(SESSION_COLUMNS)
    sheet.append([ANA, PM, "one_to_one", date(2026, 10, 1), 90, None])
    book.save(tmp_path / "history.xlsx")
    report = await import_sessions(db, tmp_path / "history.xlsx", NOW, TZ)
    assert report.added == 1 and "sheet 'Supervision'" in report.describe()


@pytest.mark.parametrize(("row", "expected"), [
    ([ANA, PM, "coaching", "2026-10-01", "90", ""], "row 3, column kind: 'coaching' is not a kind"),
    ([ANA, PM, "1:1", "01/10/2026", "90", ""], "row 3, column held_on: '01/10/2026' is not a date"),
    ([ANA, PM, "1:1", "2026-12-02", "90", ""], "row 3, column held_on: 2026-12-02 is in the future"),
    ([ANA, PM, "1:1", "2026-10-01", "ninety", ""], "row 3, column duration_minutes"),
    ([ANA, "nobody@example.gov.uk", "1:1", "2026-10-01", "90", ""],
     "row 3, column supervisor_email: nobody@example.gov.uk is not on the roster"),
    ([ANA, PM, "case", "2026-10-01", "60", ""], "row 3, column case_refs: is empty"),
    ([ANA, PM, "case", "2026-10-01", "60", "Jane Smith"], "row 3, column case_refs: case reference 1 contains spaces"),
    ([ANA, PM, "1:1", "2026-10-01", "90", "CR-1"], "row 3, column case_refs: only case supervision names cases"),
    ([ANA, ANA, "1:1", "2026-10-01", "90", ""], "row 3, column supervisor_email: is the supervisee's own email"),
    ([ANA, PM, "1:1", "2026-10-01", "70", ""], "row 2, column held_on: the same supervisee, kind and day"),
])
async def test_a_bad_row_refuses_the_whole_file(db, roster, tmp_path, row, expected):
    path = write_csv(tmp_path / "history.csv", SESSION_COLUMNS, [HISTORY[0], row])
    with pytest.raises(SupervisionRejected) as refused:
        await import_sessions(db, path, NOW, TZ)
    assert expected in str(refused.value)
    assert "nothing was changed" in str(refused.value)
    assert await _sessions(db) == []


async def test_a_content_column_is_refused(db, roster, tmp_path):
    path = write_csv(tmp_path / "history.csv", [*SESSION_COLUMNS, "notes"], [[*HISTORY[0], "talked about J"]])
    with pytest.raises(SupervisionRejected, match="'notes' is not a supervision history column"):
        await import_sessions(db, path, NOW, TZ)


async def _caseload(db) -> dict[str, CaseloadCase]:
    async with db.sessions() as s:
        return {c.case_ref: c for c in (await s.execute(select(CaseloadCase))).scalars()}


async def test_caseload_import_replaces_the_caseload_and_keeps_later_supervision(db, roster, tmp_path):
    first = write_csv(tmp_path / "c1.csv", CASELOAD_COLUMNS, [
        ["CR-1001", ANA, "2026-09-01"], ["CR-1002", ANA, ""], ["CR-1003", BEN, "2026-10-15"]])
    report = await import_caseload(db, first, NOW, TZ)
    assert (report.added, report.removed) == (3, 0)
    # A case supervision recorded since moves CR-1001 forward; the next export is older and keeps it.
    await import_sessions(db, write_csv(tmp_path / "h.csv", SESSION_COLUMNS, [HISTORY[2]]), NOW, TZ)
    assert (await _caseload(db))["CR-1001"].last_case_supervision_on == date(2026, 10, 29)
    second = write_csv(tmp_path / "c2.csv", CASELOAD_COLUMNS, [["CR-1001", BEN, "2026-09-01"], ["CR-1004", ANA, ""]])
    report = await import_caseload(db, second, at("2026-12-02T10:00"), TZ)
    assert (report.added, report.updated, report.removed) == (1, 1, 2)
    cases = await _caseload(db)
    assert set(cases) == {"CR-1001", "CR-1004"}
    assert cases["CR-1001"].last_case_supervision_on == date(2026, 10, 29)
    assert cases["CR-1001"].first_seen_on == date(2026, 12, 1)
    assert cases["CR-1004"].first_seen_on == date(2026, 12, 2)
    again = await import_caseload(db, second, at("2026-12-03T10:00"), TZ)
    assert (again.added, again.updated, again.unchanged, again.removed) == (0, 0, 2, 0)


async def test_a_bad_caseload_changes_nothing(db, roster, tmp_path):
    await import_caseload(db, write_csv(tmp_path / "c1.csv", CASELOAD_COLUMNS, [["CR-1001", ANA, ""]]), NOW, TZ)
    bad = write_csv(tmp_path / "c2.csv", CASELOAD_COLUMNS, [["CR-2001", ANA, ""], ["CR-2001", BEN, ""],
                                                             ["Smith", ANA, "2026-13-01"]])
    with pytest.raises(SupervisionRejected) as refused:
        await import_caseload(db, bad, NOW, TZ)
    text = str(refused.value)
    assert "row 2, column case_ref: the same case appears more than once (rows 2, 3)" in text
    assert "row 4, column case_ref: has no digits" in text
    assert "row 4, column last_case_supervision_on: '2026-13-01' is not a date" in text
    assert set(await _caseload(db)) == {"CR-1001"}


async def test_the_cli_imports_and_refuses(db, roster, tmp_path):
    path = write_csv(tmp_path / "history.csv", SESSION_COLUMNS, HISTORY)
    code, out, err = await run_cli(db, "supervision", "import", str(path))
    assert code == 0, err
    assert "5 sessions added" in out
    bad = write_csv(tmp_path / "c.csv", CASELOAD_COLUMNS, [["CR-1", "x@example.gov.uk", ""]])
    code, out, err = await run_cli(db, "caseload", "import", str(bad))
    assert code != 0 and "row 2, column case_holder_email: x@example.gov.uk is not on the roster" in err
    async with db.sessions() as s:
        assert await s.scalar(select(func.count()).select_from(CaseloadCase)) == 0
