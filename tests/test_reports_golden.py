"""Numbers you can trust (issue 14 item 6): the hand-built history of tests/support/reports.py,
every figure of the September 2026 monthly analysis and of the 2026-Q3 quarterly report checked
against values worked out by hand below, on both databases; then the workbooks read back with
openpyxl: cells, tables, and the ranges each chart reads.

Worked out by hand (see the table in tests/support/reports.py):
September, whole service: allocated 5 (S1-S4, R2 the re-audit of A2); completed 4 (S1, S2, S3,
R2); on time 3 (S1 1 Sep, S3 15 Sep, R2 22 Sep); late 1 (S2 29 Sep, deadline 28 Sep); declined 1
(S4); outstanding 1 (S4); grades Outstanding 1, Good 1, RI 2, Inadequate 0; disputes 1 (S2), open
1, resolved 0; safeguarding 1 (S3); family views 1 (S1); discussions 1 (S1).
July: 3 allocated, 3 completed, 2 on time (J1, J3), 1 late (J2 30 Jul); O1 G1 RI1 I0; no dispute;
safeguarding 1 (J3); family views 1 (J1). August: 3 allocated, 2 completed, both on time (A1 27
Aug, A2 28 Aug = deadline day), declined 1 (A2), outstanding 1 (A3); G1 I1; dispute 1 (A1)
resolved 1; safeguarding 1 (A2); family views 1 (A2). June: nothing.
Arrows: September against the mean of July and August (June had no allocations).
Quarter (Jul-Sep): allocated 11, completed 9, on time 7, late 2, declined 2, outstanding 2,
O2 G3 RI3 I1, disputes 2 (1 open, 1 resolved and confirmed), safeguarding 3, family views 3,
discussions 2. April to June had nothing: no arrows.
"""
from __future__ import annotations

import io
from datetime import date, datetime, time, timezone

import openpyxl
import pytest

from capabilities.context import Context
from capabilities.reports import build, workbook
from capabilities.reports.workbook import CHART_DATA, FIGURE_HEADERS
from qa.calendar import WorkingCalendar
from qa.framework import GRADES, KEY_AREAS
from qa.reports import DOWN, NONE, SAME, UP, WHOLE_SERVICE, analyse, moderation_lines, reaudits
from storage import reports as stored
from tests.support.reports import add_escalations, add_history, add_observations, add_people

CAL = WorkingCalendar()
NOW = datetime(2026, 10, 7, 9, tzinfo=timezone.utc)
OUT, G, RI, INAD = GRADES


def counts(f) -> dict:
    return {"allocated": f.allocated, "completed": f.completed, "on_time": f.on_time, "late": f.late,
            "declined": f.declined, "outstanding": f.outstanding, "grades": dict(f.grades),
            "disputes": (f.disputes, f.disputes_open, f.disputes_resolved, f.disputes_resolved_confirmed),
            "safeguarding": f.safeguarding, "family_views": f.family_views, "discussions": f.discussions}


def expect(allocated, completed, on_time, late, declined, outstanding, grades, disputes, safeguarding,
           family_views, discussions) -> dict:
    return {"allocated": allocated, "completed": completed, "on_time": on_time, "late": late, "declined": declined,
            "outstanding": outstanding, "grades": dict(zip(GRADES, grades, strict=True)), "disputes": disputes,
            "safeguarding": safeguarding, "family_views": family_views, "discussions": discussions}


JULY = expect(3, 3, 2, 1, 0, 0, (1, 1, 1, 0), (0, 0, 0, 0), 1, 1, 1)
AUGUST = expect(3, 2, 2, 0, 1, 1, (0, 1, 0, 1), (1, 0, 1, 1), 1, 1, 0)
SEPTEMBER = expect(5, 4, 3, 1, 1, 1, (1, 1, 2, 0), (1, 1, 0, 0), 1, 1, 1)
SEPTEMBER_NORTH = expect(2, 2, 1, 1, 0, 0, (1, 1, 0, 0), (1, 1, 0, 0), 0, 1, 1)
SEPTEMBER_SOUTH = expect(3, 2, 2, 0, 1, 1, (0, 0, 2, 0), (0, 0, 0, 0), 1, 0, 0)
QUARTER = expect(11, 9, 7, 2, 2, 2, (2, 3, 3, 1), (2, 1, 1, 1), 3, 3, 2)
QUARTER_NORTH = expect(5, 5, 3, 2, 0, 0, (1, 3, 1, 0), (2, 1, 1, 1), 0, 2, 2)
QUARTER_SOUTH = expect(6, 4, 4, 0, 2, 2, (1, 0, 2, 1), (0, 0, 0, 0), 3, 1, 0)


@pytest.fixture
async def history(db):
    people = await add_people(db)
    await add_escalations(db, people, await add_history(db, people))
    await add_observations(db, people)
    return Context(db=db, calendar=CAL, clock=lambda: NOW)


async def rows_of(ctx, first, last):
    async with ctx.db.sessions() as session:
        return await stored.register_rows(session, first, last)


async def test_monthly_figures(history):
    rows = await rows_of(history, "2026-06", "2026-09")
    a = analyse(rows, "monthly", ["2026-09"], CAL)
    assert a.before == ("2026-06", "2026-07", "2026-08")
    assert a.scopes == (WHOLE_SERVICE, "North", "South")
    assert counts(a.of(WHOLE_SERVICE, "2026-07")) == JULY
    assert counts(a.of(WHOLE_SERVICE, "2026-08")) == AUGUST
    assert counts(a.of(WHOLE_SERVICE, "2026-09")) == SEPTEMBER
    assert counts(a.of("North", "2026-09")) == SEPTEMBER_NORTH
    assert counts(a.of("South", "2026-09")) == SEPTEMBER_SOUTH
    assert a.of(WHOLE_SERVICE, "2026-06").allocated == 0
    # Key areas in September: S1 all Outstanding, S2 all Good, S3 RI except Planning Inadequate, R2 all RI.
    sept = a.of(WHOLE_SERVICE, "2026-09")
    for area in KEY_AREAS:
        expected = {OUT: 1, G: 1, RI: 1 if area == "Planning" else 2, INAD: 1 if area == "Planning" else 0}
        assert sept.key_areas[area] == expected, area
        assert sept.good_or_better(area) == (2, 4)
    # August: A1 Good in the first four key areas, RI in the last three; A2 Inadequate in all.
    aug = a.of(WHOLE_SERVICE, "2026-08")
    assert aug.key_areas["Narrative/History"] == {OUT: 0, G: 1, RI: 0, INAD: 1}
    assert aug.key_areas["Management oversight"] == {OUT: 0, G: 0, RI: 1, INAD: 1}
    assert sept.themes == {"Domestic abuse": 2} and aug.themes == {"Neglect": 1}
    # Cases per Annex A list: September's sample (seed 42) drew S1, S2 from List 8 and S3, S4 from List 6;
    # R2 (List 8) is a re-audit; July and August came in allocation lists, all List 8.
    assert sept.lists == {"List 8": 3, "List 6": 2} and sept.lists_sampled == {"List 8": 2, "List 6": 2}
    assert aug.lists == {"List 8": 3} and aug.lists_sampled == {}
    assert a.of("South", "2026-09").lists == {"List 6": 2, "List 8": 1}
    assert sept.on_time_rate == pytest.approx(3 / 4)
    # Each headline figure against the three months before: (value, (Jun, Jul, Aug), arrow).
    trends = {t.label: (t.value, t.previous, t.arrow) for t in a.trends(WHOLE_SERVICE)}
    assert trends == {
        "Allocated": (5, (None, 3, 3), UP), "Completed": (4, (None, 3, 2), UP), "On time": (3, (None, 2, 2), UP),
        "Late": (1, (None, 1, 0), UP), "Declined": (1, (None, 0, 1), UP), "Not yet submitted": (1, (None, 0, 1), UP),
        OUT: (1, (None, 1, 0), UP), G: (1, (None, 1, 1), SAME), RI: (2, (None, 1, 0), UP),
        INAD: (0, (None, 0, 1), DOWN), "Disputes": (1, (None, 0, 1), UP), "Disputes resolved": (0, (None, 0, 1), DOWN),
        "Safeguarding concerns": (1, (None, 1, 1), SAME), "Family views asked": (1, (None, 1, 1), SAME)}
    # Each arrow read by whether up is good for the figure: more Late, RI or disputes resolved down is worse.
    readings = {t.label: t.words for t in a.trends(WHOLE_SERVICE)}
    assert readings == {
        "Allocated": UP, "Completed": f"{UP} better", "On time": f"{UP} better", "Late": f"{UP} worse",
        "Declined": f"{UP} worse", "Not yet submitted": f"{UP} worse", OUT: f"{UP} better", G: f"{SAME} no change",
        RI: f"{UP} worse", INAD: f"{DOWN} better", "Disputes": UP, "Disputes resolved": f"{DOWN} worse",
        "Safeguarding concerns": f"{SAME} no change", "Family views asked": f"{SAME} no change"}
    north = {t.label: (t.value, t.previous, t.arrow) for t in a.trends("North")}
    # North: July J1, J2 (2 allocated); August A1 (1): September's 2 against a mean of 1.5.
    assert north["Allocated"] == (2, (None, 2, 1), UP) and north["Late"] == (1, (None, 1, 0), UP)
    # Direction of travel: Good or better 2/4 in September against Jul+Aug (Narrative: J1, J3, A1 of 5).
    assert a.direction(WHOLE_SERVICE, "Narrative/History") == (pytest.approx(2 / 4), pytest.approx(3 / 5), DOWN)
    assert a.direction(WHOLE_SERVICE, "Planning") == (pytest.approx(2 / 4), pytest.approx(3 / 5), DOWN)
    # Management oversight before: J1 Good, J2 RI, J3 Outstanding, A1 RI, A2 Inadequate: 2/5.
    assert a.direction(WHOLE_SERVICE, "Management oversight")[1] == pytest.approx(2 / 5)


async def test_quarterly_figures(history):
    request = build.Request.parse("quarterly", "2026-Q3")
    assert request.months == ("2026-07", "2026-08", "2026-09")
    rows = await rows_of(history, "2026-04", "2026-09")
    a = analyse(rows, "quarterly", request.months, CAL)
    assert counts(a.total(WHOLE_SERVICE)) == QUARTER
    assert a.total(WHOLE_SERVICE).lists == {"List 8": 9, "List 6": 2}
    assert a.total(WHOLE_SERVICE).lists_sampled == {"List 8": 2, "List 6": 2}
    assert counts(a.total("North")) == QUARTER_NORTH
    assert counts(a.total("South")) == QUARTER_SOUTH
    assert [a.of(WHOLE_SERVICE, m).on_time for m in request.months] == [2, 2, 3]
    assert a.periods == (("2025-10", "2025-11", "2025-12"), ("2026-01", "2026-02", "2026-03"),
                         ("2026-04", "2026-05", "2026-06"))
    assert all(t.arrow == NONE and t.previous == (None, None, None) for t in a.trends(WHOLE_SERVICE))
    # The next quarter compares with the three quarters before it, Q3 among them.
    q4 = analyse(rows, "quarterly", ("2026-10", "2026-11", "2026-12"), CAL)
    allocated, late = q4.trends(WHOLE_SERVICE)[0], q4.trends(WHOLE_SERVICE)[3]
    assert (allocated.value, allocated.previous, allocated.arrow) == (0, (None, None, 11), DOWN)
    assert (late.label, late.previous) == ("Late", (None, None, 2))
    assert a.direction(WHOLE_SERVICE, "Planning") == (pytest.approx(5 / 9), None, NONE)
    # A service lead's areas: the first scope totals those areas only.
    south = analyse(rows, "quarterly", request.months, CAL, areas=("  south ",))
    assert south.scopes == (WHOLE_SERVICE, "South") and counts(south.total(WHOLE_SERVICE)) == QUARTER_SOUTH


def _table(ws, name):
    ref = ws.tables[name].ref
    cells = list(ws[ref])
    header = [c.value for c in cells[0]]
    return header, [[c.value for c in row] for row in cells[1:]]


def _series(chart):
    return [(s.tx.strRef.f, s.cat.strRef.f if s.cat.strRef else s.cat.numRef.f, s.val.numRef.f) for s in chart.series]


async def test_monthly_workbook_read_back(history, tmp_path):
    made = await build.analysis_file(history, build.Request.parse("monthly", "2026-09"), None)
    assert made.name == "audit-analysis-2026-09.xlsx"
    path = tmp_path / made.name
    path.write_bytes(made.data)
    wb = openpyxl.load_workbook(path)
    # Made for its day, not the wall clock: the same report twice is the same bytes.
    assert wb.properties.created == datetime.combine(NOW.date(), time())
    assert made.data == (await build.analysis_file(history, build.Request.parse("monthly", "2026-09"), None)).data
    assert wb.sheetnames == ["Summary", "Chart data", "Figures", "Key areas", "Direction of travel", "Themes",
                             "Annex A lists", "Moderation", "Re-audits", "Register"]
    summary = wb["Summary"]
    assert summary["A1"].value == "Monthly audit analysis"
    header, rows = _table(summary, "Headline")
    assert header == ["Figure", "September 2026", "Jun 2026", "Jul 2026", "Aug 2026", "Trend"]
    assert rows[0] == ["Allocated", 5, None, 3, 3, UP]
    assert rows[3] == ["Late", 1, None, 1, 0, f"{UP} worse"]
    assert rows[5] == ["Not yet submitted", 1, None, 0, 1, f"{UP} worse"]
    assert rows[9] == [INAD, 0, None, 0, 1, f"{DOWN} better"]
    # Figures: scope x month rows, four months each (Jun..Sep), no total row for one month.
    header, rows = _table(wb["Figures"], "Figures")
    assert tuple(header) == FIGURE_HEADERS
    by = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows}
    assert len(rows) == 3 * 4
    assert by[(WHOLE_SERVICE, "2026-09")]["On time"] == 3 and by[(WHOLE_SERVICE, "2026-09")]["Not yet submitted"] == 1
    assert by[("South", "2026-08")]["Declined"] == 1 and by[("North", "2026-09")]["Disputes open"] == 1
    assert by[(WHOLE_SERVICE, "2026-07")]["On-time rate"] == pytest.approx(2 / 3)
    assert by[(WHOLE_SERVICE, "2026-06")]["On-time rate"] is None
    # Charts: the data they read, and the ranges.
    data = wb[CHART_DATA]
    assert [[c.value for c in r] for r in data["A1:E3"]] == [["Service area", *GRADES], ["North", 1, 1, 0, 0],
                                                            ["South", 0, 0, 2, 0]]
    assert [c.value for c in data["A6:A9"] for c in c] == ["2026-06", "2026-07", "2026-08", "2026-09"]
    assert [c.value for c in data["B6:B9"] for c in c] == [None, pytest.approx(2 / 3), 1, pytest.approx(3 / 4)]
    assert data["A11"].value == "Month" and data["H11"].value == "Management oversight"
    assert data["B14"].value == pytest.approx(1 / 2) and data["H14"].value == 0  # August
    grades, on_time, key_areas = summary._charts
    sheet = "'Chart data'"
    assert _series(grades) == [(f"{sheet}!${c}$1", f"{sheet}!$A$2:$A$3", f"{sheet}!${c}$2:${c}$3") for c in "BCDE"]
    assert grades.grouping == "stacked"
    assert _series(on_time) == [(f"{sheet}!$B$5", f"{sheet}!$A$6:$A$9", f"{sheet}!$B$6:$B$9")]
    assert _series(key_areas) == [(f"{sheet}!${c}$11", f"{sheet}!$A$12:$A$15", f"{sheet}!${c}$12:${c}$15")
                                  for c in "BCDEFGH"]
    # The register sheet holds September's five allocations.
    header, rows = _table(wb["Register"], "Register")
    assert sorted(r[1] for r in rows) == ["CR-A2", "CR-S1", "CR-S2", "CR-S3", "CR-S4"]
    assert header[-1] == "How chosen"
    assert sorted((r[1], r[-1]) for r in rows) == [
        ("CR-A2", "re-audit"), ("CR-S1", "sampled, seed 42"), ("CR-S2", "sampled, seed 42"),
        ("CR-S3", "sampled, seed 42"), ("CR-S4", "sampled, seed 42")]
    assert isinstance(rows[0][header.index("Allocated")], datetime)
    # Written by the register's own writer (register.RegisterSheet), as a table here.
    assert wb["Register"].freeze_panes == "A2" and wb["Register"]["J2"].number_format == "yyyy-mm-dd"
    assert header[9] == "Allocated"
    assert _table(wb["Annex A lists"], "AnnexALists") == (
        ["Month", "Annex A list", "Cases", "Drawn by the sample"],
        [["2026-09", "List 6", 2, 2], ["2026-09", "List 8", 3, 2]])
    themes = _table(wb["Themes"], "Themes")[1]
    assert themes == [["2026-07", "Neglect", 1], ["2026-08", "Neglect", 1], ["2026-09", "Domestic abuse", 2]]
    # Direction of travel says whether the key area's move is better or worse, not only its arrow.
    direction = {(r[0], r[1]): r[4] for r in _table(wb["Direction of travel"], "Direction")[1]}
    assert direction[(WHOLE_SERVICE, "Narrative/History")] == f"{DOWN} worse"


async def test_quarterly_workbook_read_back(history):
    made = await build.analysis_file(history, build.Request.parse("quarterly", "2026-Q3"), None)
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    assert made.name == "audit-report-2026-Q3.xlsx"
    header, rows = _table(wb["Summary"], "Headline")
    assert header == ["Figure", "2026 Q3 (July 2026 to September 2026)", "Oct\u2013Dec 2025", "Jan\u2013Mar 2026",
                      "Apr\u2013Jun 2026", "Trend"]
    assert rows[0] == ["Allocated", 11, None, None, None, NONE]
    assert [r[1] for r in rows][:14] == [11, 9, 7, 2, 2, 2, 2, 3, 3, 1, 2, 1, 3, 3]
    header, rows = _table(wb["Figures"], "Figures")
    totals = {r[0]: dict(zip(header, r, strict=True)) for r in rows if r[1].startswith("2026 Q3")}
    assert totals[WHOLE_SERVICE]["Completed"] == 9 and totals["North"]["Late"] == 2
    assert totals["South"]["Not yet submitted"] == 2 and totals[WHOLE_SERVICE]["Resolved and confirmed"] == 1
    data = wb[CHART_DATA]
    assert [[c.value for c in r] for r in data["A2:E3"]] == [["North", 1, 3, 1, 0], ["South", 1, 0, 2, 1]]
    grades, on_time, key_areas = wb["Summary"]._charts
    sheet = "'Chart data'"
    # By month: the three quarters before (October 2025 to June 2026) and the quarter: twelve months.
    assert _series(on_time) == [(f"{sheet}!$B$5", f"{sheet}!$A$6:$A$17", f"{sheet}!$B$6:$B$17")]
    assert _series(key_areas)[0] == (f"{sheet}!$B$19", f"{sheet}!$A$20:$A$31", f"{sheet}!$B$20:$B$31")
    assert data["A6"].value == "2025-10" and data["A17"].value == "2026-09"
    assert [c.value for c in data["B15:B17"] for c in c] == [pytest.approx(2 / 3), 1, pytest.approx(3 / 4)]
    header, rows = _table(wb["Direction of travel"], "Direction")
    planning = next(r for r in rows if r[0] == WHOLE_SERVICE and r[1] == "Planning")
    assert planning == [WHOLE_SERVICE, "Planning", pytest.approx(5 / 9), None, NONE]
    assert len(_table(wb["Register"], "Register")[1]) == 11
    # Cases per list, month by month, then the quarter's total.
    assert _table(wb["Annex A lists"], "AnnexALists")[1] == [
        ["2026-07", "List 8", 3, 0], ["2026-08", "List 8", 3, 0], ["2026-09", "List 6", 2, 2],
        ["2026-09", "List 8", 3, 2], ["2026 Q3 (July 2026 to September 2026)", "List 6", 2, 2],
        ["2026 Q3 (July 2026 to September 2026)", "List 8", 9, 2]]


async def test_a_service_leads_workbook_holds_their_area_only(history):
    made = await build.analysis_file(history, build.Request.parse("monthly", "2026-09"), ("North",))
    assert made.name == "audit-analysis-2026-09-north.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    assert "North, September 2026" in wb["Summary"]["A2"].value
    rows = _table(wb["Register"], "Register")[1]
    assert sorted(r[1] for r in rows) == ["CR-S1", "CR-S2"]
    assert {r[0] for r in _table(wb["Figures"], "Figures")[1]} == {WHOLE_SERVICE, "North"}
    assert date(2026, 9, 28) == CAL.previous_working_day(date(2026, 9, 28), include_self=True)


async def test_the_register_read_a_few_months_at_a_time_is_the_same(history):
    async with history.db.sessions() as session:
        whole = await stored.register_rows(session, "2026-06", "2026-10")
        chunked = [r async for r in stored.stream_register_rows(session, "2026-06", "2026-10", months=1)]
    assert chunked == whole and len(whole) == 11


async def test_the_register_shows_moderation_escalation_and_re_audit(history):
    """A2 (August, Inadequate): moderation agreed, escalation closed with one update on time (4 Sep)
    and one late (sent 14 Sep, due 11 Sep), re-audited in September (R2, case CR-A2) graded RI; R2
    says whose re-audit it is; the dip samples: J1 agreed, J2 would give Good, A1 agreed."""
    async with history.db.sessions() as session:
        made = await build.register_made(session, CAL, date(2026, 10, 7), "2026-07", "2026-09")
    ws = openpyxl.load_workbook(io.BytesIO(made.data))["Register"]
    header = [c.value for c in ws[1]]
    rows = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2, values_only=True)}
    cols = ("Moderation", "Escalation", "Escalation updates", "Re-audit", "Dip-sample moderation")

    def cells(month, ref):
        return tuple(rows[(month, ref)][c] for c in cols)

    assert cells("2026-08", "CR-A2") == ("Agreed", "Closed", "1 on time, 1 late", "2026-09: Requires Improvement", None)
    assert cells("2026-09", "CR-A2") == (None, None, None, "Re-audit of 2026-08 (Inadequate)", None)
    assert cells("2026-07", "CR-J1") == (None, None, None, None, "Agreed")
    assert cells("2026-07", "CR-J2") == (None, None, None, None, "Would give Good")
    assert cells("2026-08", "CR-A1") == (None, None, None, None, "Agreed")
    assert all(cells(m, r) == (None,) * 5 for m, r in rows if r in ("CR-S1", "CR-S2", "CR-S3", "CR-S4", "CR-J3"))


def issue_10_counts(f) -> dict:
    return {"moderated": (f.moderated, f.moderation_agreed, f.moderation_regraded, f.moderation_pending),
            "dip": (f.dip_sampled, f.dip_agreed, f.dip_differed),
            "escalations": (f.escalations, f.escalations_closed, f.escalations_closed_on_time),
            "updates": (f.updates_on_time, f.updates_late), "reaudits": (f.reaudits, dict(f.reaudit_grades))}


def issue_10(moderated=(0, 0, 0, 0), dip=(0, 0, 0), escalations=(0, 0, 0), updates=(0, 0), reaudits=0,
             reaudit_grades=(0, 0, 0, 0)) -> dict:
    return {"moderated": moderated, "dip": dip, "escalations": escalations, "updates": updates,
            "reaudits": (reaudits, dict(zip(GRADES, reaudit_grades, strict=True)))}


async def test_moderation_escalation_and_re_audit_figures(history):
    """By month of the audits (see tests/support/reports.py add_escalations): July's dip sample J1
    agreed, J2 differed; August: A2 moderated and agreed, escalated and closed, not on time (update
    2 was sent late), updates 1 on time and 1 late; A1 dip-sampled, agreed. September: R2 re-audits
    A2, graded RI. The quarter sums them: dip 3 sampled, 2 agreed (67%), moderation 1 of 1 agreed."""
    rows = await rows_of(history, "2026-04", "2026-09")
    monthly = analyse(rows, "monthly", ["2026-09"], CAL)
    assert issue_10_counts(monthly.of(WHOLE_SERVICE, "2026-07")) == issue_10(dip=(2, 1, 1))
    assert issue_10_counts(monthly.of(WHOLE_SERVICE, "2026-08")) == issue_10(
        moderated=(1, 1, 0, 0), dip=(1, 1, 0), escalations=(1, 1, 0), updates=(1, 1))
    assert issue_10_counts(monthly.of(WHOLE_SERVICE, "2026-09")) == issue_10(reaudits=1, reaudit_grades=(0, 0, 1, 0))
    assert issue_10_counts(monthly.of("South", "2026-08")) == issue_10(
        moderated=(1, 1, 0, 0), escalations=(1, 1, 0), updates=(1, 1))
    assert issue_10_counts(monthly.of("North", "2026-08")) == issue_10(dip=(1, 1, 0))
    assert moderation_lines(monthly, WHOLE_SERVICE) == [
        ("Inadequate grades moderated", "0: 0 agreed, 0 regraded"),
        ("Dip-sample moderation (Aug 2026)", "1 sampled: 1 agreed, 0 differed (100% of those moderated agreed)"),
        ("Escalations", "0: 0 closed (0 on time); updates 0 on time, 0 late"),
        ("Re-audits", "1: Requires Improvement 1")]
    quarter = analyse(rows, "quarterly", ("2026-07", "2026-08", "2026-09"), CAL)
    total = quarter.total(WHOLE_SERVICE)
    assert issue_10_counts(total) == issue_10((1, 1, 0, 0), (3, 2, 1), (1, 1, 0), (1, 1), 1, (0, 0, 1, 0))
    assert total.dip_agreement_rate == pytest.approx(2 / 3) and total.moderation_agreement_rate == 1
    assert moderation_lines(quarter, WHOLE_SERVICE) == [
        ("Inadequate grades moderated", "1: 1 agreed, 0 regraded"),
        ("Dip-sample moderation (Jul\u2013Sep 2026)", "3 sampled: 2 agreed, 1 differed (67% of those moderated agreed)"),
        ("Escalations", "1: 1 closed (0 on time); updates 1 on time, 1 late"),
        ("Re-audits", "1: Requires Improvement 1")]
    assert reaudits(rows, ("2026-09",)) == [("CR-A2", "South", "2026-08", INAD, "2026-09", RI)]
    assert reaudits(rows, ("2026-09",), areas=("North",)) == []


async def test_moderation_sheets_read_back(history):
    made = await build.analysis_file(history, build.Request.parse("quarterly", "2026-Q3"), None)
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    assert wb.sheetnames[-5:-2] == ["Moderation", "Re-audits", "Observation coverage"]
    header, rows = _table(wb["Moderation"], "Moderation")
    by = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in rows}
    q3 = by[(WHOLE_SERVICE, "2026 Q3 (July 2026 to September 2026)")]
    assert (q3["Inadequate moderated"], q3["Agreed"], q3["Agreement rate"]) == (1, 1, 1)
    assert (q3["Dip sampled"], q3["Dip differed"], q3["Dip agreement rate"]) == (3, 1, pytest.approx(2 / 3))
    assert (q3["Escalations closed"], q3["Closed on time"], q3["Updates late"]) == (1, 0, 1)
    assert (q3["Re-audits"], q3["Re-audit Requires Improvement"]) == (1, 1)
    assert by[("South", "2026-08")]["Escalations"] == 1 and by[("North", "2026-07")]["Dip agreed"] == 1
    assert by[(WHOLE_SERVICE, "2026-06")]["Agreement rate"] is None
    assert _table(wb["Re-audits"], "Reaudits")[1] == [["CR-A2", "South", "2026-08", INAD, "2026-09", RI]]


async def test_observation_coverage_and_feedback_in_the_quarterly_report(history):
    """Q3 (as of 30 Sep 2026): North team has Pat (observed 10 Mar: covered) and Aud (1 Sep 2025,
    394 days before: not); South team Pip (observed 2 Oct, after the quarter: not) and Ben (never):
    1 of 4. Nora and Sol are supervisors only (no supervisor of their own: not counted).
    Feedback by London month: July 1 (Parent or carer, 4 of 5); August 2 (Child 5 of 5 compliment;
    Professional 2 of 5 complaint); September 1 (not possible to ask, no rating); the Staff member's
    entry at 23:30 UTC on 30 Sep is 1 October in London: not in Q3."""
    made = await build.analysis_file(history, build.Request.parse("quarterly", "2026-Q3"), None)
    wb = openpyxl.load_workbook(io.BytesIO(made.data))
    assert wb.sheetnames[-5:] == ["Moderation", "Re-audits", "Observation coverage", "Feedback", "Register"]
    ws = wb["Observation coverage"]
    assert ws["A1"].value == "Supervisees observed in the twelve months up to 2026-09-30"
    assert _table(ws, "Coverage")[1] == [["North", "North team", 1, 2, 0.5], ["South", "South team", 0, 2, 0],
                                         ["All", None, 1, 4, 0.25]]
    header, rows = _table(wb["Feedback"], "Feedback")
    assert header == ["Month", "Entries", "Child or young person", "Parent or carer", "Professional or partner agency",
                      "Staff member", "Not possible to ask", "1 of 5", "2 of 5", "3 of 5", "4 of 5", "5 of 5",
                      "No rating", "Complaints", "Compliments"]
    assert rows == [["2026-07", 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
                    ["2026-08", 2, 1, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1],
                    ["2026-09", 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0],
                    ["2026 Q3 (July 2026 to September 2026)", 4, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1]]
    async with history.db.sessions() as session:
        data = await build.load(session, build.Request.parse("quarterly", "2026-Q3"), CAL, date(2026, 10, 7))
        south = await build.load(session, build.Request.parse("quarterly", "2026-Q3"), CAL, date(2026, 10, 7),
                                 ("South",))
        monthly = await build.load(session, build.Request.parse("monthly", "2026-09"), CAL, date(2026, 10, 7))
    extra = dict(workbook.headline_rows(data))
    assert extra["Observation coverage"] == "1 of 4 supervisees observed in 12 months (25%)"
    assert extra["Feedback"] == "3 entries (1 not possible to ask): 1 complaints, 1 compliments"
    south_extra = dict(workbook.headline_rows(south))
    assert south_extra["Observation coverage"] == "0 of 2 supervisees observed in 12 months (0%)"
    assert south_extra["Feedback"] == "2 entries (1 not possible to ask): 1 complaints, 0 compliments"
    # The monthly analysis has neither (quarterly and annual reports only).
    assert "Feedback" not in dict(workbook.headline_rows(monthly))
