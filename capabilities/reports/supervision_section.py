"""The analysis workbook's Supervision sheet (framework 9.1 and 9.3): supervision
compliance at the end of each of the report's months, for the whole scope, each service area and each
team (supervisees, 1:1 in date, ASYE in date, case supervision in date, agreements in date, group
supervision held), with a native chart of the 1:1-in-date rate by month.

The figures are the monthly compliance card's (one home: capabilities.supervision.compliance
`team_figures` and `by_area`, on `storage.supervision.load_board` as of each month's end), so the
workbook and the card never disagree. A month not over by the day the report is made is left out
(its figures would call things overdue that are not yet); with no supervision on record at all the
sheet is not written (the bot knows nothing of what was held).

As the card does, figures for a past month read today's roster (people who have left since are not
counted; people who joined after the month's end are not counted either).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from capabilities.supervision import config as supervision_config
from capabilities.supervision.compliance import by_area, month_end, team_figures
from dialogs.card_kit import format_month
from dialogs.supervision_cards import TeamCompliance, percent
from qa.audit_calendar import parse_month_key
from qa.reports import area_key
from storage.supervision import load_board, register_started

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# Book and ReportData (workbook.py) are typed Any here: workbook lists this section, and the layers
# contract allows no import cycle between capabilities.reports' modules.
Book = ReportData = Any

SUPERVISION = "Supervision"
TABLE = "SupervisionCompliance"
WHOLE, AREA, TEAM = "Whole scope", "Service area", "Team"
HEADERS = ("Month", "Level", "Service area", "Team", "Supervisees",
           "1:1 in date", "1:1 due", "1:1 in date rate",
           "ASYE in date", "ASYE due", "ASYE in date rate",
           "Case supervision in date", "Case supervision due", "Case supervision in date rate",
           "Agreements in date", "Agreements due", "Agreements in date rate",
           "Teams that held group supervision", "Teams",
           # The last 1:1's length against 9.1's one and a half hours (QA_SUPERVISION_ONE_TO_ONE_MINUTES); a
           # session recorded without its duration is counted apart, not as short.
           "Last 1:1 of the standard length", "Last 1:1 with its duration recorded", "Last 1:1 duration not recorded")
RATE_COLUMNS = (7, 10, 13, 16)
ONE_TO_ONE_RATE = 7
MAX_AREA_SERIES = 8  # the chart draws the whole scope and at most this many service areas


@dataclass(frozen=True)
class MonthCompliance:
    """One month's figures, as of its last day: the whole scope, each service area, each team."""

    month: str  # "2026-09"
    whole: TeamCompliance
    areas: tuple[TeamCompliance, ...]  # `team` is the service area's name
    teams: tuple[TeamCompliance, ...]


@dataclass(frozen=True)
class SupervisionFigures:
    months: tuple[MonthCompliance, ...]
    not_over: tuple[str, ...] = ()  # the report's months not over on the day it was made


def _total(teams: list[TeamCompliance], name: str) -> TeamCompliance:
    """The sum of `teams` as one row named `name` (by_area's sums: one home)."""
    if not teams:
        return TeamCompliance(name, "", 0, (0, 0), (0, 0), (0, 0), (0, 0), (0, 0))
    return replace(by_area([replace(t, area=name) for t in teams])[0], team=name, area=name)


def month_compliance(month: str, teams: list[TeamCompliance], scope: str) -> MonthCompliance:
    areas: dict[str, list[TeamCompliance]] = {}
    for t in teams:
        areas.setdefault(t.area, []).append(t)
    return MonthCompliance(month, _total(teams, scope),
                           tuple(_total(ts, area or "No service area") for area, ts in areas.items()),
                           tuple(teams))


async def load(session: AsyncSession, data: ReportData) -> SupervisionFigures | None:
    """Each of the report's months' compliance, limited to the report's service areas when it has
    some; None when no supervision is on record."""
    if not await register_started(session):
        return None
    cadences = supervision_config.cadences()
    keys = {area_key(a) for a in data.areas}  # the areas asked for (none: the whole service)
    months, not_over = [], []
    for month in data.analysis.months:
        year, mon = parse_month_key(month)
        end = month_end(year, mon)
        if end >= data.today:
            not_over.append(month)
            continue
        board = await load_board(session, end, data.cal.tz)
        teams = [t for t in team_figures(board, year, mon, data.cal, cadences)
                 if not keys or area_key(t.area) in keys]
        months.append(month_compliance(month, teams, data.scope_label))
    return SupervisionFigures(tuple(months), tuple(not_over))


def _rate(pair: tuple[int, int]) -> float | None:
    return pair[0] / pair[1] if pair[1] else None


def _row(month: str, level: str, t: TeamCompliance) -> list[Any]:
    group = t.group_held if isinstance(t.group_held, tuple) else (int(t.group_held), 1)
    row: list[Any] = [month, level, t.area, t.team if level == TEAM else None, t.supervisees]
    for pair in (t.one_to_one, t.asye, t.case, t.agreement):
        row += [pair[0], pair[1], _rate(pair)]
    return [*row, *group, *t.full_length, t.length_not_recorded]


def rows(figures: SupervisionFigures) -> list[list[Any]]:
    """The table's rows: the whole scope month by month, then each service area's, then each team's
    (each scope's months together, so a chart series reads one run of cells)."""
    out = [_row(m.month, WHOLE, m.whole) for m in figures.months]
    areas = list(dict.fromkeys(a.team for m in figures.months for a in m.areas))
    for area in areas:
        out += [_row(m.month, AREA, a) for m in figures.months for a in m.areas if a.team == area]
    teams = list(dict.fromkeys((t.area, t.team) for m in figures.months for t in m.teams))
    for area, team in teams:
        out += [_row(m.month, TEAM, t) for m in figures.months for t in m.teams if (t.area, t.team) == (area, team)]
    return out


def write(book: Book, data: ReportData) -> None:
    figures: SupervisionFigures | None = data.extra.get(SUPERVISION)
    if figures is None:
        return
    ws = book.wb.add_worksheet(SUPERVISION)
    ws.write(0, 0, "Supervision compliance (framework 9.1)", book.title)
    note = (f"{data.scope_label}, {data.period_label}: at the end of each month, the supervisees with each kind of "
            "supervision in date (not overdue), of those it applied to; the monthly compliance card's figures.")
    if figures.not_over:
        note += f" Not over yet, so left out: {', '.join(format_month(m) for m in figures.not_over)}."
    ws.write(1, 0, note)
    table_rows = rows(figures)
    first, _last = book.table(ws, 3, HEADERS, table_rows, TABLE, dict.fromkeys(RATE_COLUMNS, book.percent))
    ws.freeze_panes(first + 1, 2)
    if not figures.months:
        return
    n = len(figures.months)
    chart = book.wb.add_chart({"type": "line"})
    sheet = f"'{SUPERVISION}'"
    rate = chr(65 + ONE_TO_ONE_RATE)

    def series(top: int, name: str) -> None:  # top: the 0-based row of the scope's first month
        chart.add_series({"name": name, "categories": f"={sheet}!$A${top + 1}:$A${top + n}",
                          "values": f"={sheet}!${rate}${top + 1}:${rate}${top + n}", "marker": {"type": "circle"}})

    series(first + 1, data.scope_label)
    areas = list(dict.fromkeys(a.team for m in figures.months for a in m.areas))
    top = first + 1 + n
    for i, area in enumerate(areas):
        count = sum(1 for m in figures.months for a in m.areas if a.team == area)
        if len(areas) > 1 and i < MAX_AREA_SERIES and count == n:  # an area in every month: one run of cells
            series(top, area)
        top += count
    chart.set_title({"name": "Supervisees with a 1:1 in date, by month"})
    chart.set_y_axis({"min": 0, "max": 1, "num_format": "0%"})
    ws.insert_chart(first, len(HEADERS) + 1, chart, {"x_scale": 1.4, "y_scale": 1.2})


def headline(data: ReportData) -> list[tuple[str, str]]:
    """The card's row: the last month's 1:1s in date for the whole scope."""
    figures: SupervisionFigures | None = data.extra.get(SUPERVISION)
    if not figures or not figures.months:
        return []
    last = figures.months[-1]
    return [(f"1:1 supervision in date, end of {format_month(last.month)}", percent(last.whole.one_to_one))]

