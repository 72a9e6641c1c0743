"""The analysis workbook's Supervision sheet (issue 14 item 3): the 2026-Q3 quarterly report of the
hand-built history of tests/support/report_supervision.py, on both databases, its figures checked
against values worked out by hand below and the workbook read back with openpyxl (cells, table, the
chart's ranges).

Worked out by hand (report made 7 Oct 2026; each figure as of the month's last day: 31 Jul Fri, 31 Aug
Mon (a bank holiday: the day still counts as the month's end), 30 Sep Wed; a 1:1 is due 28 days after
the last, moved back to a working day; an agreement 6 months after the last review, or 28 days after
joining; a case 56 days after its last case supervision (or after first seen)):

1:1. Ann: 10 Jul -> due 7 Aug, in date at Jul; 5 Aug -> 2 Sep, in date at Aug; 20 Sep -> 18 Oct
(Sun) = 16 Oct, in date at Sep. Bob (ASYE from 5 Jan, four-weekly from 5 Jul): 20 Jul -> 17 Aug, in
date at Jul, overdue at Aug; 25 Sep -> 23 Oct, in date at Sep. Cat: 30 Jun -> 28 Jul, overdue at Jul;
20 Aug -> 17 Sep, in date at Aug, overdue at Sep. Dan (joined 10 Sep, counted from Sep): 14 Sep -> 12
Oct, in date. So North 2/2, 1/2, 2/2; South 0/1, 1/1, 1/2; whole 2/3, 2/3, 3/4.
ASYE (Bob only): 1/1, 0/1, 1/1.
Case supervision. Ann's N-1 last 20 Jun -> due 15 Aug (Sat) = 14 Aug: in date at Jul, overdue at Aug
and Sep. Cat's S-1 last 10 Aug: at Jul that is after the month's end, so from first seen 1 Jun -> 27
Jul, overdue; at Aug and Sep -> 5 Oct, in date. Bob and Dan have no cases (not counted). Whole 1/2 each
month; North 1/1, 0/1, 0/1; South 0/1, 1/1, 1/1.
Agreements. Ann 15 Jun -> 15 Dec, in date. Bob none -> 30 Jan, overdue. Cat 20 Jan -> 20 Jul, overdue
at Jul; 3 Aug -> 3 Feb, in date at Aug and Sep. Dan none, joined 10 Sep -> 8 Oct, not yet due: not
counted (nothing on record is never in date). Whole 1/3, 2/3, 2/3.
Group: North 1 held in Jul and Sep, South 1 in Aug: 1 of 2 teams each month.
"""
from __future__ import annotations

import io
from datetime import date, datetime, timezone

import openpyxl
import pytest

from capabilities.context import Context
from capabilities.reports import build, workbook
from capabilities.reports.supervision_section import HEADERS, SUPERVISION, TABLE
from qa.calendar import WorkingCalendar
from qa.reports import WHOLE_SERVICE
from tests.support.report_supervision import add_supervision_history

CAL = WorkingCalendar()
NOW = datetime(2026, 10, 7, 9, tzinfo=timezone.utc)
MONTHS = ("2026-07", "2026-08", "2026-09")


def pairs(t) -> tuple:
    return (t.supervisees, t.one_to_one, t.asye, t.case, t.agreement, t.group_held)


WHOLE = [(3, (2, 3), (1, 1), (1, 2), (1, 3), (1, 2)),
         (3, (2, 3), (0, 1), (1, 2), (2, 3), (1, 2)),
         (4, (3, 4), (1, 1), (1, 2), (2, 3), (1, 2))]
NORTH = [(2, (2, 2), (1, 1), (1, 1), (1, 2), (1, 1)),
         (2, (1, 2), (0, 1), (0, 1), (1, 2), (0, 1)),
         (2, (2, 2), (1, 1), (0, 1), (1, 2), (1, 1))]
SOUTH = [(1, (0, 1), (0, 0), (0, 1), (0, 1), (0, 1)),
         (1, (1, 1), (0, 0), (1, 1), (1, 1), (1, 1)),
         (2, (1, 2), (0, 0), (1, 1), (1, 1), (0, 1))]


@pytest.fixture
async def history(db):
    await add_supervision_history(db)
    return Context(db=db, calendar=CAL, clock=lambda: NOW)


async def load(ctx, kind, period, areas=()):
    async with ctx.db.sessions() as session:
        return await build.load(session, build.Request.parse(kind, period), CAL, NOW.date(), areas)


async def test_quarterly_figures(history):
    data = await load(history, "quarterly", "2026-Q3")
    figures = data.extra[SUPERVISION]
    assert [m.month for m in figures.months] == list(MONTHS) and figures.not_over == ()
    assert [pairs(m.whole) for m in figures.months] == WHOLE
    assert [[a.team for a in m.areas] for m in figures.months] == [["North", "South"]] * 3
    assert [pairs(m.areas[0]) for m in figures.months] == NORTH
    assert [pairs(m.areas[1]) for m in figures.months] == SOUTH
    # A team is a yes/no for group supervision, as on the compliance card.
    assert [(t.team, t.group_held) for t in figures.months[1].teams] == [("North 1", False), ("South 1", True)]
    rows = workbook.headline_rows(data)
    assert [r for r in rows if "supervision" in r[0]] == [("1:1 supervision in date, end of September 2026",
                                                          "75% (3 of 4)")]
    assert rows[-1][0].startswith("1:1 supervision")  # the Supervision section comes last


async def test_service_lead_sees_their_areas_only(history):
    data = await load(history, "quarterly", "2026-Q3", (" south ",))
    figures = data.extra[SUPERVISION]
    assert [pairs(m.whole) for m in figures.months] == SOUTH
    assert {t.team for m in figures.months for t in m.teams} == {"South 1"}


async def test_a_month_not_over_is_left_out(history):
    async with history.db.sessions() as session:
        data = await build.load(session, build.Request.parse("quarterly", "2026-Q3"), CAL, date(2026, 9, 15))
    figures = data.extra[SUPERVISION]
    assert [m.month for m in figures.months] == ["2026-07", "2026-08"] and figures.not_over == ("2026-09",)


def _table(ws, name):
    cells = list(ws[ws.tables[name].ref])
    return [c.value for c in cells[0]], [[c.value for c in row] for row in cells[1:]]


async def test_quarterly_workbook_read_back(history, tmp_path):
    made = await build.analysis_file(history, build.Request.parse("quarterly", "2026-Q3"), None)
    path = tmp_path / made.name
    path.write_bytes(made.data)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[-1] == SUPERVISION
    ws = wb[SUPERVISION]
    assert ws["A1"].value == "Supervision compliance (framework 9.1)"
    header, rows = _table(ws, TABLE)
    assert tuple(header) == HEADERS and ws.tables[TABLE].ref == f"A4:V{4 + len(rows)}"
    # Whole service by month, then North, South, then the teams North 1 and South 1.
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == (
        [(m, "Whole scope", WHOLE_SERVICE, None) for m in MONTHS] + [(m, "Service area", "North", None) for m in MONTHS]
        + [(m, "Service area", "South", None) for m in MONTHS] + [(m, "Team", "North", "North 1") for m in MONTHS]
        + [(m, "Team", "South", "South 1") for m in MONTHS])
    by = {(r[1], r[2], r[3], r[0]): dict(zip(header, r, strict=True)) for r in rows}
    sep = by[("Whole scope", WHOLE_SERVICE, None, "2026-09")]
    assert (sep["Supervisees"], sep["1:1 in date"], sep["1:1 due"]) == (4, 3, 4)
    assert sep["1:1 in date rate"] == pytest.approx(0.75)
    assert (sep["Agreements in date"], sep["Agreements due"], sep["Teams that held group supervision"],
            sep["Teams"]) == (2, 3, 1, 2)
    assert ws["H5"].value == pytest.approx(2 / 3) and ws["H5"].number_format == "0%"
    south_jul = by[("Service area", "South", None, "2026-07")]
    assert south_jul["ASYE due"] == 0 and south_jul["ASYE in date rate"] is None
    assert south_jul["Case supervision in date rate"] == 0
    north_team_aug = by[("Team", "North", "North 1", "2026-08")]
    assert (north_team_aug["1:1 in date"], north_team_aug["Teams that held group supervision"],
            north_team_aug["Teams"]) == (1, 0, 1)
    # The chart: the 1:1-in-date rate by month, the whole service and each area, read from the table.
    (chart,) = ws._charts
    series = [(s.tx.strRef.f if s.tx.strRef else s.tx.v, s.cat.strRef.f if s.cat.strRef else s.cat.numRef.f,
               s.val.numRef.f) for s in chart.series]
    assert series == [(WHOLE_SERVICE, "'Supervision'!$A$5:$A$7", "'Supervision'!$H$5:$H$7"),
                      ("North", "'Supervision'!$A$8:$A$10", "'Supervision'!$H$8:$H$10"),
                      ("South", "'Supervision'!$A$11:$A$13", "'Supervision'!$H$11:$H$13")]
    assert [ws[f"A{r}"].value for r in (5, 6, 7)] == list(MONTHS)


async def test_monthly_workbook_has_the_month(history, tmp_path):
    made = await build.analysis_file(history, build.Request.parse("monthly", "2026-08"), None)
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    _header, rows = _table(wb[SUPERVISION], TABLE)
    assert rows[0][:8] == ["2026-08", "Whole scope", WHOLE_SERVICE, None, 3, 2, 3, pytest.approx(2 / 3)]


async def test_no_supervision_on_record_no_sheet(db):
    ctx = Context(db=db, calendar=CAL, clock=lambda: NOW)
    made = await build.analysis_file(ctx, build.Request.parse("quarterly", "2026-Q3"), None)
    assert SUPERVISION not in openpyxl.load_workbook(io.BytesIO(made.data)).sheetnames
