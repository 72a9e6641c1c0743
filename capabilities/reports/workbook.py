"""The analysis workbook (framework 9.3: monthly audit analysis, quarterly and annual reports on
trends), written with XlsxWriter so its charts are native Excel charts that stay live.

A workbook is a list of sections, each one function `(Book, ReportData) -> None` that adds its
sheet(s): `SECTIONS` below. A later capability (escalations, supervision, observations, feedback)
adds its section by appending one `Section` whose `load` reads its plain rows from storage/ and
whose `write` adds its sheet; `headline` (optional) adds rows to the card's table.

Sheets: Summary (headline figures against the three periods of the same length before: months,
quarters or years; and three charts: grade
distribution by service area, on-time rate by month, key areas judged Good or better by month),
Chart data (the ranges the charts read), Figures (every figure per scope and month), Key areas
(each key area's judgements per scope and month), Direction of travel (each key area, the
report's months against the three periods before), Themes (themed audits per month), Annex A lists
(the report's months' cases per list, and those the bot's sample drew), Moderation
(Inadequate grades moderated, dip sample, escalations and re-audits per scope and month),
Re-audits (each beside its original's grade), Observation coverage and Feedback (quarterly and
annual reports only), Register (the report's months' allocations).
"""
from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from capabilities.reports import appraisal_section, register, supervision_section
from dialogs.workbooks import xlsx_workbook
from qa.audit_calendar import parse_month_key
from qa.calendar import WorkingCalendar
from qa.forms import NOT_APPLICABLE
from qa.framework import GRADES, KEY_AREAS
from qa.observations import month_bounds
from qa.reports import (
    MONTHLY,
    NOT_POSSIBLE,
    NOT_YET_SUBMITTED,
    RATING_LABELS,
    Analysis,
    Figures,
    RegisterRow,
    feedback_counts,
    moderation_lines,
    observation_coverage,
    percent,
    period_label,
    reading,
    reaudits,
)
from storage import reports as stored

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

SUMMARY, CHART_DATA, FIGURES, KEY_AREA_SHEET, DIRECTION, THEMES, REGISTER = (
    "Summary", "Chart data", "Figures", "Key areas", "Direction of travel", "Themes", "Register")
MODERATION, REAUDITS, COVERAGE, FEEDBACK = "Moderation", "Re-audits", "Observation coverage", "Feedback"
LISTS = "Annex A lists"


@dataclass(frozen=True)
class ReportData:
    """Everything a section may write from: the request's words, the figures, the register's rows."""

    title: str
    period_label: str  # "November 2026", "2026 Q4", "December 2025 to November 2026"
    scope_label: str  # "Whole service", or the service lead's areas
    analysis: Analysis
    rows: Sequence[RegisterRow]  # the report's months only
    cal: WorkingCalendar
    today: date
    extra: dict[str, Any] = field(default_factory=dict)  # section name -> what its `load` read
    areas: tuple[str, ...] = ()  # a service lead's areas; () for the whole service


class Book:
    """An XlsxWriter workbook and the formats the sections share."""

    def __init__(self, out: io.BytesIO) -> None:
        # text stays text: "=..." is no formula, "http..." no link (dialogs/workbooks.py)
        self.wb = xlsx_workbook(out, {"in_memory": True, "default_date_format": "yyyy-mm-dd"})
        self.title = self.wb.add_format({"bold": True, "font_size": 14})
        self.bold = self.wb.add_format({"bold": True})
        self.percent = self.wb.add_format({"num_format": "0%"})
        self.date = self.wb.add_format({"num_format": "yyyy-mm-dd"})

    def table(self, sheet: Any, first_row: int, headers: Sequence[str], rows: Sequence[Sequence[Any]], name: str,
              formats: dict[int, Any] | None = None) -> tuple[int, int]:
        """An Excel table at `first_row` (0-based) with filters; returns its (first, last) row."""
        formats = formats or {}
        data = [list(r) for r in rows] or [[None] * len(headers)]
        last = first_row + len(data)
        columns = [{"header": h, **({"format": formats[i]} if i in formats else {})} for i, h in enumerate(headers)]
        sheet.add_table(first_row, 0, last, len(headers) - 1, {"name": name, "columns": columns, "data": data,
                                                               "style": "Table Style Medium 2"})
        widths = [len(str(h)) + 4 for h in headers]
        for r in data:
            for i, v in enumerate(r):
                widths[i] = max(widths[i], len(str(v)) if v is not None and not isinstance(v, float) else 6)
        for i, w in enumerate(widths):
            sheet.set_column(i, i, min(w + 1, 60))
        return first_row, last


Loader = Callable[["AsyncSession", ReportData], Awaitable[Any]]


@dataclass(frozen=True)
class Section:
    name: str
    write: Callable[[Book, ReportData], None]
    load: Loader | None = None  # reads this section's plain rows (storage/); kept in ReportData.extra[name]
    headline: Callable[[ReportData], list[tuple[str, str]]] | None = None  # (label, value) rows for the card


# -- figures as rows -----------------------------------------------------------------------

FIGURE_HEADERS = ("Scope", "Month", "Allocated", "Completed", "On time", "Late", "Declined",
                  NOT_YET_SUBMITTED, "On-time rate", *GRADES, "Disputes", "Disputes open", "Disputes resolved",
                  "Resolved and confirmed", "Safeguarding concerns", "Family views asked", "Discussions held")


def figure_row(scope: str, month: str, f: Figures) -> list[Any]:
    return [scope, month, f.allocated, f.completed, f.on_time, f.late, f.declined, f.outstanding,
            f.on_time_rate, *(f.grades[g] for g in GRADES), f.disputes, f.disputes_open, f.disputes_resolved,
            f.disputes_resolved_confirmed, f.safeguarding, f.family_views, f.discussions]


def chart_months(a: Analysis) -> tuple[str, ...]:
    return (*a.before, *a.months)


# -- sections -------------------------------------------------------------------------------

def summary(book: Book, data: ReportData) -> None:
    """Headline figures against the three months before, and the charts (their data on Chart data)."""
    a = data.analysis
    ws = book.wb.add_worksheet(SUMMARY)
    ws.write(0, 0, data.title, book.title)
    ws.write(1, 0, f"{data.scope_label}, {data.period_label}. Made {data.today.isoformat()}.")
    scope = a.scopes[0]
    headers = ("Figure", data.period_label, *(period_label(p) for p in a.periods), "Trend")
    rows = [[t.label, t.value, *t.previous, t.words] for t in a.trends(scope)]
    book.table(ws, 3, headers, rows, "Headline")
    ws.set_column(0, 0, 24)
    _chart_data_and_charts(book, data, ws)


def _chart_data_and_charts(book: Book, data: ReportData, summary_sheet: Any) -> None:
    months, grades_last, top2, top3 = _chart_data(book, data)
    _charts(book, summary_sheet, len(months), grades_last, top2, top3)


def _chart_data(book: Book, data: ReportData) -> tuple[tuple[str, ...], int, int, int]:
    """The Chart data sheet's three blocks; the months and the 0-based rows the charts read."""
    a = data.analysis
    ws = book.wb.add_worksheet(CHART_DATA)
    months = chart_months(a)
    # Block 1: grade distribution by service area, over the report's months (rows 1.., columns A..E).
    areas = a.areas or (a.scopes[0],)
    ws.write_row(0, 0, ("Service area", *GRADES), book.bold)
    for i, area in enumerate(areas, 1):
        total = a.total(area)
        ws.write_row(i, 0, (area, *(total.grades[g] for g in GRADES)))
    grades_last = len(areas)  # 0-based last row of block 1
    # Block 2: on-time rate by month (whole scope).
    top2 = grades_last + 2
    ws.write_row(top2, 0, ("Month", "On-time rate", "Completed", "On time"), book.bold)
    for i, month in enumerate(months, 1):
        f = a.of(a.scopes[0], month)
        ws.write(top2 + i, 0, month)
        if f.on_time_rate is not None:
            ws.write_number(top2 + i, 1, f.on_time_rate, book.percent)
        ws.write_row(top2 + i, 2, (f.completed, f.on_time))
    # Block 3: each key area's share judged Good or better, by month (whole scope).
    top3 = top2 + len(months) + 2
    ws.write_row(top3, 0, ("Month", *KEY_AREAS), book.bold)
    for i, month in enumerate(months, 1):
        f = a.of(a.scopes[0], month)
        ws.write(top3 + i, 0, month)
        for j, area in enumerate(KEY_AREAS, 1):
            good, judged = f.good_or_better(area)
            if judged:
                ws.write_number(top3 + i, j, good / judged, book.percent)
    ws.set_column(0, 0, 24)
    ws.set_column(1, len(KEY_AREAS), 14)
    return months, grades_last, top2, top3


def _charts(book: Book, summary_sheet: Any, n_months: int, grades_last: int, top2: int, top3: int) -> None:
    """The Summary sheet's three charts, drawn from the Chart data sheet's blocks."""
    sheet = f"'{CHART_DATA}'"

    def cells(col: int, first: int, last: int) -> str:
        letter = chr(65 + col)
        return f"={sheet}!${letter}${first + 1}:${letter}${last + 1}"

    grades_chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
    for j in range(1, len(GRADES) + 1):
        grades_chart.add_series({"name": f"={sheet}!${chr(65 + j)}$1", "categories": cells(0, 1, grades_last),
                                 "values": cells(j, 1, grades_last)})
    grades_chart.set_title({"name": "Grades by service area"})
    grades_chart.set_y_axis({"name": "Audits"})
    on_time = book.wb.add_chart({"type": "line"})
    on_time.add_series({"name": f"={sheet}!$B${top2 + 1}", "categories": cells(0, top2 + 1, top2 + n_months),
                        "values": cells(1, top2 + 1, top2 + n_months), "marker": {"type": "circle"}})
    on_time.set_title({"name": "Audits completed on time, by month"})
    on_time.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    on_time.set_legend({"none": True})
    key_areas = book.wb.add_chart({"type": "line"})
    for j, _area in enumerate(KEY_AREAS, 1):
        key_areas.add_series({"name": f"={sheet}!${chr(65 + j)}${top3 + 1}",
                              "categories": cells(0, top3 + 1, top3 + n_months),
                              "values": cells(j, top3 + 1, top3 + n_months), "marker": {"type": "circle"}})
    key_areas.set_title({"name": "Key areas judged Good or better, by month"})
    key_areas.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    size = {"x_scale": 1.4, "y_scale": 1.2}
    summary_sheet.insert_chart("I2", grades_chart, size)
    summary_sheet.insert_chart("I21", on_time, size)
    summary_sheet.insert_chart("I40", key_areas, size)


def figures(book: Book, data: ReportData) -> None:
    a = data.analysis
    ws = book.wb.add_worksheet(FIGURES)
    rows = []
    for scope in a.scopes:
        rows += [figure_row(scope, m, a.of(scope, m)) for m in chart_months(a)]
        if len(a.months) > 1:
            rows.append(figure_row(scope, data.period_label, a.total(scope)))
    book.table(ws, 0, FIGURE_HEADERS, rows, "Figures", {8: book.percent})
    ws.freeze_panes(1, 2)


def key_areas(book: Book, data: ReportData) -> None:
    a = data.analysis
    ws = book.wb.add_worksheet(KEY_AREA_SHEET)
    rows = []
    for scope in a.scopes:
        for month in chart_months(a):
            f = a.of(scope, month)
            for area in KEY_AREAS:
                good, judged = f.good_or_better(area)
                rows.append([scope, month, area, *(f.key_areas[area][g] for g in GRADES),
                             good / judged if judged else None, f.key_areas_na[area]])
    # "Not applicable" (a form's question that allows it) is counted apart: never in "Good or better".
    book.table(ws, 0, ("Scope", "Month", "Key area", *GRADES, "Good or better", NOT_APPLICABLE), rows, "KeyAreas",
               {3 + len(GRADES): book.percent})
    ws.freeze_panes(1, 3)


def direction(book: Book, data: ReportData) -> None:
    a = data.analysis
    ws = book.wb.add_worksheet(DIRECTION)
    rows = []
    for scope in a.scopes:
        for area in KEY_AREAS:
            now, before, arrow = a.direction(scope, area)
            meaning = reading(arrow, 1)  # a larger share judged Good or better is better
            rows.append([scope, area, now, before, f"{arrow} {meaning}" if meaning else arrow])
    book.table(ws, 0, ("Scope", "Key area", f"Good or better, {data.period_label}", "Good or better, the 3 periods before",
                       "Direction"), rows, "Direction", {2: book.percent, 3: book.percent})
    ws.freeze_panes(1, 0)


def themes(book: Book, data: ReportData) -> None:
    """Themed audits: the themes of each month's themed audits, completed, by month (whole scope)."""
    a = data.analysis
    ws = book.wb.add_worksheet(THEMES)
    rows = []
    for month in chart_months(a):
        for theme, n in sorted(a.of(a.scopes[0], month).themes.items(), key=lambda t: t[0].casefold()):
            rows.append([month, theme, n])
    book.table(ws, 0, ("Month", "Theme", "Completed themed audits"), rows, "Themes")
    ws.freeze_panes(1, 0)


def lists_sheet(book: Book, data: ReportData) -> None:
    """Cases drawn per Annex A list (framework 9.3 "Selection and distribution"): for each of the
    report's months (and the period's total when it has several), each list's allocations and how
    many of them the bot's sample drew (the rest came in an allocation list, or are re-audits)."""
    a = data.analysis
    ws = book.wb.add_worksheet(LISTS)
    scope = a.scopes[0]
    rows = []
    for label, f in ([(m, a.of(scope, m)) for m in a.months]
                     + ([(data.period_label, a.total(scope))] if len(a.months) > 1 else [])):
        for name, n in sorted(f.lists.items(), key=lambda kv: _list_order(kv[0])):
            rows.append([label, name, n, f.lists_sampled.get(name, 0)])
    book.table(ws, 0, ("Month", "Annex A list", "Cases", "Drawn by the sample"), rows, "AnnexALists")
    ws.freeze_panes(1, 0)


def _list_order(name: str) -> tuple[int, str]:
    """"List 2" before "List 10"; names that are not "List N" after them, alphabetically."""
    number = name[5:] if name.startswith("List ") else ""
    return (int(number), "") if number.isdigit() else (10**6, name.casefold())


def register_sheet(book: Book, data: ReportData) -> None:
    """The report's months' allocations, written as the register workbook writes them (one home:
    register.RegisterSheet), as an Excel table here: this workbook is in normal mode."""
    sheet = register.RegisterSheet(book.wb, book.wb.add_worksheet(REGISTER))
    for values in register.values(data.rows, data.cal, data.today):
        sheet.add(values)
    sheet.finish(table="Register")


MODERATION_HEADERS = ("Scope", "Month", "Inadequate moderated", "Agreed", "Regraded", "Pending",
                      "Agreement rate", "Dip sampled", "Dip agreed", "Dip differed", "Dip agreement rate",
                      "Escalations", "Escalations closed", "Closed on time", "Updates on time", "Updates late",
                      "Re-audits", *(f"Re-audit {g}" for g in GRADES))


def moderation_row(scope: str, month: str, f: Figures) -> list[Any]:
    return [scope, month, f.moderated, f.moderation_agreed, f.moderation_regraded, f.moderation_pending,
            f.moderation_agreement_rate, f.dip_sampled, f.dip_agreed, f.dip_differed, f.dip_agreement_rate,
            f.escalations, f.escalations_closed, f.escalations_closed_on_time, f.updates_on_time, f.updates_late,
            f.reaudits, *(f.reaudit_grades[g] for g in GRADES)]


def moderation(book: Book, data: ReportData) -> None:
    """Moderation of Inadequate grades, the dip sample, escalations and re-audits (framework 9.3),
    per scope and month of the audits (the months before too; the period's total when it has
    several months): qa/reports.py's definitions."""
    a = data.analysis
    ws = book.wb.add_worksheet(MODERATION)
    rows = []
    for scope in a.scopes:
        rows += [moderation_row(scope, m, a.of(scope, m)) for m in chart_months(a)]
        if len(a.months) > 1:
            rows.append(moderation_row(scope, data.period_label, a.total(scope)))
    book.table(ws, 0, MODERATION_HEADERS, rows, "Moderation", {6: book.percent, 10: book.percent})
    ws.freeze_panes(1, 2)


def reaudit_sheet(book: Book, data: ReportData) -> None:
    """Each re-audit of the report's months beside its original's grade."""
    ws = book.wb.add_worksheet(REAUDITS)
    rows = [[r.case_ref, r.service_area, r.original_month, r.original_grade or "", r.month, r.grade or "not submitted"]
            for r in reaudits(data.rows, data.analysis.months)]
    book.table(ws, 0, ("Case ref", "Service area", "Original month", "Original grade", "Re-audit month",
                       "Re-audit grade"), rows, "Reaudits")
    ws.freeze_panes(1, 0)


def moderation_headline(data: ReportData) -> list[tuple[str, str]]:
    return moderation_lines(data.analysis, data.analysis.scopes[0])


# -- observation coverage and feedback: quarterly and annual reports only --------------------

def last_day(month: str) -> date:
    year, mon = parse_month_key(month)
    return date(year + (mon == 12), mon % 12 + 1, 1) - timedelta(days=1)


async def load_coverage(session: AsyncSession, data: ReportData) -> Any:
    if data.analysis.kind == MONTHLY:
        return None
    as_of = last_day(data.analysis.months[-1])
    return as_of, observation_coverage(await stored.coverage_people(session, as_of), as_of, data.areas)


def coverage_sheet(book: Book, data: ReportData) -> None:
    """Supervisees observed in the twelve months up to the report's last day, per service area and
    team (framework section 11; qa.reports.observation_coverage), and in all."""
    found = data.extra.get(COVERAGE)
    if found is None:
        return
    as_of, lines = found
    ws = book.wb.add_worksheet(COVERAGE)
    ws.write(0, 0, f"Supervisees observed in the twelve months up to {as_of.isoformat()}", book.bold)
    rows = [[c.service_area, c.team, c.observed, c.people, c.share] for c in lines]
    seen, people = sum(c.observed for c in lines), sum(c.people for c in lines)
    rows.append(["All", "", seen, people, seen / people if people else None])
    book.table(ws, 2, ("Service area", "Team", "Observed in 12 months", "Supervisees", "Coverage"), rows, "Coverage",
               {4: book.percent})


def coverage_headline(data: ReportData) -> list[tuple[str, str]]:
    found = data.extra.get(COVERAGE)
    if found is None:
        return []
    lines = found[1]
    seen, people = sum(c.observed for c in lines), sum(c.people for c in lines)
    return [("Observation coverage", f"{seen} of {people} supervisees observed in 12 months"
             f" ({percent(seen / people if people else None)})")]


async def load_feedback(session: AsyncSession, data: ReportData) -> Any:
    a = data.analysis
    if a.kind == MONTHLY:
        return None
    start = month_bounds(*parse_month_key(a.months[0]), data.cal.tz)[0]
    end = month_bounds(*parse_month_key(a.months[-1]), data.cal.tz)[1]
    return feedback_counts(await stored.feedback_rows(session, start, end), a.months, data.cal, data.areas)


def feedback_sheet(book: Book, data: ReportData) -> None:
    """Feedback entries by month (the council's local month): by source, by rating, complaints and
    compliments (framework 9.4, 14, 6), and the period's total."""
    by_month = data.extra.get(FEEDBACK)
    if by_month is None:
        return
    ws = book.wb.add_worksheet(FEEDBACK)
    sources = tuple(next(iter(by_month.values())).by_source) if by_month else ()

    def row(label, counts):
        return [label, counts.entries, *counts.by_source.values(), *counts.by_rating.values(), counts.complaints,
                counts.compliments]

    rows = [row(m, c) for m, c in by_month.items()]
    if rows:
        rows.append([data.period_label, *(sum(r[i] for r in rows) for i in range(1, len(rows[0])))])
    book.table(ws, 0, ("Month", "Entries", *sources, *RATING_LABELS, "Complaints", "Compliments"), rows, "Feedback")
    ws.freeze_panes(1, 1)


def feedback_headline(data: ReportData) -> list[tuple[str, str]]:
    by_month = data.extra.get(FEEDBACK)
    if by_month is None:
        return []
    counts = list(by_month.values())
    entries = sum(c.entries for c in counts)
    not_possible = sum(c.by_source[NOT_POSSIBLE] for c in counts)
    return [("Feedback", f"{entries - not_possible} entries ({not_possible} not possible to ask): "
             f"{sum(c.complaints for c in counts)} complaints, {sum(c.compliments for c in counts)} compliments")]


SECTIONS: list[Section] = [
    Section(SUMMARY, summary),
    Section(FIGURES, figures),
    Section(KEY_AREA_SHEET, key_areas),
    Section(DIRECTION, direction),
    Section(THEMES, themes),
    Section(LISTS, lists_sheet),
    Section(MODERATION, moderation, headline=moderation_headline),
    Section(REAUDITS, reaudit_sheet),
    Section(COVERAGE, coverage_sheet, load=load_coverage, headline=coverage_headline),
    Section(FEEDBACK, feedback_sheet, load=load_feedback, headline=feedback_headline),
    Section(REGISTER, register_sheet),
    Section(supervision_section.SUPERVISION, supervision_section.write, load=supervision_section.load,
            headline=supervision_section.headline),
    Section(appraisal_section.APPRAISALS, appraisal_section.write, load=appraisal_section.load),
]


def write_analysis(data: ReportData, sections: Sequence[Section] = SECTIONS) -> bytes:
    """The workbook's bytes: each section in order."""
    out = io.BytesIO()
    book = Book(out)
    # The document's "created" is the day it was made for, not the wall clock: the same report
    # for the same day is the same bytes (and its size on the consent card the same).
    book.wb.set_properties({"created": datetime.combine(data.today, time())})
    for section in sections:
        section.write(book, data)
    book.wb.close()
    return out.getvalue()


def headline_rows(data: ReportData, sections: Sequence[Section] = SECTIONS) -> list[tuple[str, str]]:
    """The extra (label, value) rows later sections add to the card's table."""
    return [row for s in sections if s.headline is not None for row in s.headline(data)]
