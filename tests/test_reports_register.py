"""The audit register (issue 14 item 1): `python -m bot report register` on both databases,
read back with openpyxl: one row per allocation, filters on every column (an autofilter over the
whole range: XlsxWriter's constant_memory mode has no tables), a bold frozen header, dates as
dates, widths that fit, text as text, case references only."""
from __future__ import annotations

from datetime import datetime

import openpyxl

from capabilities.reports.register import HEADERS
from tests.support.cli import run_cli
from tests.support.reports import Case, add_history, add_people

LAST_COLUMN = openpyxl.utils.get_column_letter(len(HEADERS))


def column_widths(ws) -> dict[str, float]:
    """Heading -> width; a <col> element may span several columns of the same width."""
    of = {}
    for dim in ws.column_dimensions.values():
        for col in range(dim.min, dim.max + 1):
            of[col] = dim.width
    return {h: of[i + 1] for i, h in enumerate(HEADERS)}


async def test_register_from_the_command_line(db, tmp_path):
    people = await add_people(db)
    await add_history(db, people)
    out = tmp_path / "register.xlsx"
    code, stdout, stderr = await run_cli(db, "report", "register", "--from", "2026-08", "--to", "2026-09",
                                         "--out", str(out))
    assert code == 0, stderr
    assert "7 allocation(s)" in stdout
    wb = openpyxl.load_workbook(out)
    ws = wb["Register"]
    assert wb.sheetnames == ["Register"] and wb.properties.title == "Audit register 2026-08 to 2026-09"
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{LAST_COLUMN}8" and ws.max_row == 8 and ws.max_column == len(HEADERS)
    header = [c.value for c in ws[1]]
    assert tuple(header) == HEADERS
    assert all(c.font.b for c in ws[1]) and not any(c.font.b for c in ws[2])
    rows = {r[1]: dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert sorted(rows) == ["CR-A1", "CR-A2", "CR-A3", "CR-S1", "CR-S2", "CR-S3", "CR-S4"]
    a1 = rows["CR-A1"]
    assert a1["Month"] == "2026-08" and a1["Service area"] == "North" and a1["Team"] == "North Team 1"
    assert a1["Auditor"] == "Aud Example" and a1["Case holder"] == "Pat Example" and a1["Theme"] == "Neglect"
    assert a1["State"] == "Oversight confirmed"
    assert a1["Allocated"] == datetime(2026, 8, 3) and a1["Submitted"] == datetime(2026, 8, 27)
    assert a1["Oversight confirmed"] == datetime(2026, 9, 3) and a1["Uploaded"] is None
    assert a1["On time or late"] == "on time" and a1["Grade"] == "Good"
    assert a1["Narrative/History"] == "Good" and a1["Management oversight"] == "Requires Improvement"
    assert a1["Disputed"] == "Yes, resolved" and a1["Discussion held"] == "No" and a1["Times declined"] == 0
    assert rows["CR-S2"]["On time or late"] == "late" and rows["CR-S2"]["Disputed"] == "Yes"
    assert rows["CR-A2"]["Times declined"] == 1 and rows["CR-A2"]["Safeguarding concern raised"] == "Yes"
    assert rows["CR-A2"]["Family views asked"] == "Yes"
    # Not submitted: no grade, no judgements; past its deadline (the CLI's today is later): overdue.
    a3 = rows["CR-A3"]
    assert a3["Grade"] is None and a3["Planning"] is None and a3["Submitted"] is None
    assert a3["On time or late"] == "overdue" and a3["Discussion held"] is None
    assert rows["CR-S4"]["State"] == "Declined" and rows["CR-S4"]["Times declined"] == 1
    # Dates are dates, formatted as such.
    cell = ws.cell(row=2, column=HEADERS.index("Allocated") + 1)
    assert isinstance(cell.value, datetime) and cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws.cell(row=2, column=HEADERS.index("Times declined") + 1).data_type == "n"
    # Widths fit the longest value in each column, and the heading with its filter button; 60 at most.
    widths = column_widths(ws)
    for i, h in enumerate(HEADERS):
        longest = max(len(v) if isinstance(v, str) else 10 if isinstance(v, datetime) else 0
                      for v in (r[i] for r in ws.iter_rows(min_row=2, values_only=True)))
        assert max(longest, len(h) + 3) <= widths[h] <= 60, h
    assert widths["State"] >= len("Oversight confirmed") and widths["Month"] < 15
    # Case references only: no date of birth or other identifier comes from the register's sources.
    assert all(str(v).startswith("CR-") for v in (r["Case ref"] for r in rows.values()))


async def test_register_refuses_bad_arguments(db, tmp_path):
    code, _, err = await run_cli(db, "report", "register", "--from", "2026-13", "--to", "2026-09",
                                 "--out", str(tmp_path / "r.xlsx"))
    assert code != 0 and "--from" in err and "Traceback" not in err
    code, _, err = await run_cli(db, "report", "register", "--from", "2026-09", "--to", "2026-08",
                                 "--out", str(tmp_path / "r.xlsx"))
    assert code != 0 and "before" in err
    code, _, err = await run_cli(db, "report", "register", "--from", "2026-08", "--to", "2026-09",
                                 "--out", str(tmp_path / "r.csv"))
    assert code != 0 and ".xlsx" in err


async def test_an_empty_register_still_has_its_headings_and_filters(db, tmp_path):
    out = tmp_path / "empty.xlsx"
    code, stdout, stderr = await run_cli(db, "report", "register", "--from", "2030-01", "--to", "2030-02",
                                         "--out", str(out))
    assert code == 0, stderr
    assert "0 allocation(s)" in stdout
    ws = openpyxl.load_workbook(out)["Register"]
    assert tuple(c.value for c in ws[1]) == HEADERS and ws.max_row == 1
    assert ws.auto_filter.ref == f"A1:{LAST_COLUMN}1" and ws.freeze_panes == "A2"


async def test_text_that_looks_like_a_formula_stays_text(db, tmp_path):
    people = await add_people(db)
    await add_history(db, people, (Case("F1", "2026-09", "North", state="allocated", theme="=1+2"),
                                   Case("F2", "2026-09", "North", state="allocated", theme="https://example.org")))
    out = tmp_path / "register.xlsx"
    code, _, stderr = await run_cli(db, "report", "register", "--from", "2026-09", "--to", "2026-09",
                                    "--out", str(out))
    assert code == 0, stderr
    ws = openpyxl.load_workbook(out)["Register"]
    themes = [ws.cell(row=r, column=HEADERS.index("Theme") + 1) for r in (2, 3)]
    assert sorted((c.value, c.data_type, c.hyperlink) for c in themes) == [
        ("=1+2", "s", None), ("https://example.org", "s", None)]


async def test_analysis_workbooks_from_the_command_line(db, tmp_path):
    people = await add_people(db)
    await add_history(db, people)
    out = tmp_path / "q3.xlsx"
    code, stdout, stderr = await run_cli(db, "report", "quarterly", "--quarter", "2026-Q3", "--out", str(out))
    assert code == 0, stderr
    assert "10 allocated, 8 completed, 6 on time" in stdout
    assert openpyxl.load_workbook(out)["Summary"]["A1"].value == "Quarterly audit report"
    code, stdout, stderr = await run_cli(db, "report", "annual", "--year", "2026", "--out", str(tmp_path / "a.xlsx"))
    assert code == 0, stderr
    assert "December 2025 to November 2026" in stdout and "10 allocated" in stdout
    code, stdout, stderr = await run_cli(db, "report", "monthly", "--month", "2026-09", "--out",
                                         str(tmp_path / "m.xlsx"), env={"QA_REPORT_ANNUAL_MONTH": "9"})
    assert code == 0 and "4 allocated, 3 completed, 2 on time" in stdout
    code, _, err = await run_cli(db, "report", "quarterly", "--quarter", "2026-Q5")
    assert code != 0 and "YYYY-Qn" in err and "Traceback" not in err
    code, _, err = await run_cli(db, "report", "annual", "--year", "2026", env={"QA_REPORT_ANNUAL_MONTH": "13"})
    assert code != 0 and "QA_REPORT_ANNUAL_MONTH" in err and "Traceback" not in err


def test_the_moderation_escalation_and_re_audit_cells():
    """Each state of the issue-10 columns, from plain rows (no database): pending and regraded
    moderations, an open escalation with an overdue update (due day before today) and one not
    yet due, an original whose re-audit is not submitted yet."""
    from datetime import date, timezone

    from capabilities.reports.register import dip_cell, escalation_cells, moderation_cell, reaudit_cell
    from qa.calendar import WorkingCalendar
    from qa.reports import RegisterRow

    cal = WorkingCalendar()
    base = RegisterRow("2026-11", "CR-1", "List 8", "North", "T", "", "A", "B", "submitted", None, None, None, None,
                       None, "Inadequate", {}, None, None, None, None, None, 0)
    assert moderation_cell(base) == "" and reaudit_cell(base) == "" and dip_cell(base) == ""
    assert escalation_cells(base, cal, date(2026, 12, 1)) == ("", "")
    assert moderation_cell(base._replace(moderation="pending")) == "Pending"
    assert moderation_cell(base._replace(moderation="regraded", moderated_grade="Good")) == "Regraded to Good"
    due = datetime(2026, 12, 3, 23, 59, tzinfo=timezone.utc)  # the end of 3 December (local), UTC
    open_one = base._replace(escalation="open", updates_on_time=1, update_owed_due=due)
    assert escalation_cells(open_one, cal, date(2026, 12, 3)) == ("Open", "1 on time")
    assert escalation_cells(open_one, cal, date(2026, 12, 4)) == ("Open", "1 on time, 1 overdue")
    assert escalation_cells(base._replace(escalation="open", update_owed_due=due), cal,
                            date(2026, 12, 1)) == ("Open", "none sent yet")
    assert reaudit_cell(base._replace(reaudit_month="2026-12")) == "2026-12: not submitted"
    assert reaudit_cell(base._replace(reaudit_of="2026-10", original_grade="Inadequate")) == \
        "Re-audit of 2026-10 (Inadequate)"
    assert dip_cell(base._replace(dip_sample="pending")) == "Pending"


async def test_an_owed_update_reads_back_as_an_aware_instant(db):
    """The earliest owed update's due instant comes through an aggregate (min): aware UTC on both
    databases, so the register can tell an overdue update (its due day before today)."""
    from datetime import date, timezone

    from capabilities.reports.register import escalation_cells
    from qa.calendar import WorkingCalendar
    from storage import reports as stored
    from storage.models import Audit, Escalation, EscalationUpdate, Moderation

    people = await add_people(db, with_chats=False)
    ids = await add_history(db, people)
    due = datetime(2026, 9, 3, 23, tzinfo=timezone.utc)
    async with db.sessions.begin() as session:
        audit = (await session.scalars(Audit.__table__.select().where(Audit.allocation_id == ids["A2"]))).first()
        moderation = Moderation(audit_id=audit, allocation_id=ids["A2"], state="agreed", original_grade="Inadequate",
                                decided_grade="Inadequate", created_at=due)
        session.add(moderation)
        await session.flush()
        escalation = Escalation(moderation_id=moderation.id, allocation_id=ids["A2"], opened_at=due)
        session.add(escalation)
        await session.flush()
        for number, when in ((1, due), (2, due.replace(day=10))):
            session.add(EscalationUpdate(escalation_id=escalation.id, number=number, due_on=when.date(), due_at=when,
                                         created_at=due))
    async with db.sessions() as session:
        row = next(r for r in await stored.register_rows(session, "2026-08", "2026-08") if r.case_ref == "CR-A2")
    assert row.update_owed_due == due and row.update_owed_due.tzinfo is not None
    assert (row.moderation, row.escalation, row.updates_on_time, row.updates_late) == ("agreed", "open", 0, 0)
    cal = WorkingCalendar()
    assert escalation_cells(row, cal, date(2026, 9, 3)) == ("Open", "none sent yet")
    assert escalation_cells(row, cal, date(2026, 9, 4)) == ("Open", "1 overdue")
