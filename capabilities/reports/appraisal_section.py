"""The analysis workbook's Appraisals sheet (framework 9.2: "Appraisals must be undertaken annually"): annual
appraisals in date at the end of each of the report's months, for the whole scope, each service area and each
team (staff with a manager on the roster, appraisals in date, the rate).

The figures are the ones set beside the monthly supervision compliance (one home:
capabilities.workforce.appraisal `team_figures` as of each month's end), so the card and the workbook agree. A
team's service area is the one its practice manager's roster line gives (storage.people.team_areas); a team
without one is under "No service area". A month not over by the day the report is made is left out; with no
appraisal ever recorded as held the sheet is not written (the bot knows nothing of what was held). As the card
does, past months read today's roster.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from capabilities.supervision.compliance import month_end
from capabilities.workforce import appraisal
from dialogs.card_kit import format_month
from qa.audit_calendar import parse_month_key
from qa.reports import area_key
from qa.workforce import APPRAISAL
from storage.people import team_areas
from storage.workforce import any_held

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

Book = ReportData = Any  # as supervision_section: workbook.py lists this section (no import cycle)

APPRAISALS = "Appraisals"
TABLE = "AppraisalCompliance"
WHOLE, AREA, TEAM = "Whole scope", "Service area", "Team"
NO_AREA = "No service area"
HEADERS = ("Month", "Level", "Service area", "Team", "Staff with a manager", "Appraisals in date",
           "Appraisals in date rate")
RATE_COLUMN = 6


@dataclass(frozen=True)
class MonthAppraisals:
    month: str
    teams: tuple[tuple[str, str, int, int], ...]  # (service area, team, in date, staff), by area then team


@dataclass(frozen=True)
class AppraisalFigures:
    months: tuple[MonthAppraisals, ...]
    not_over: tuple[str, ...] = ()


async def load(session: AsyncSession, data: ReportData) -> AppraisalFigures | None:
    """Each of the report's months' appraisals in date by team, limited to the report's service areas when it has
    some (a team limited report, a practice manager's, keeps its team); None when no appraisal is on record."""
    if not await any_held(session, APPRAISAL):
        return None
    areas = await team_areas(session)
    keys = {area_key(a) for a in data.areas}
    months, not_over = [], []
    for month in data.analysis.months:
        end = month_end(*parse_month_key(month))
        if end >= data.today:
            not_over.append(month)
            continue
        figures = await appraisal.team_figures(session, end, data.cal, appraisal.window())
        teams = sorted(((areas.get(team.strip(), NO_AREA), team, a, b) for team, (a, b) in figures.items()
                        if not keys or area_key(areas.get(team.strip(), "")) in keys),
                       key=lambda r: (r[0].casefold(), r[1].casefold()))
        months.append(MonthAppraisals(month, tuple(teams)))
    return AppraisalFigures(tuple(months), tuple(not_over))


def _rate(a: int, b: int) -> float | None:
    return a / b if b else None


def rows(figures: AppraisalFigures, scope: str) -> list[list[Any]]:
    """The whole scope month by month, then each service area's months, then each team's."""
    out = []
    for m in figures.months:
        a, b = sum(t[2] for t in m.teams), sum(t[3] for t in m.teams)
        out.append([m.month, WHOLE, scope, None, b, a, _rate(a, b)])
    for area in dict.fromkeys(t[0] for m in figures.months for t in m.teams):
        for m in figures.months:
            ours = [t for t in m.teams if t[0] == area]
            if ours:
                a, b = sum(t[2] for t in ours), sum(t[3] for t in ours)
                out.append([m.month, AREA, area, None, b, a, _rate(a, b)])
    for area, team in dict.fromkeys((t[0], t[1]) for m in figures.months for t in m.teams):
        for m in figures.months:
            out += [[m.month, TEAM, area, team, t[3], t[2], _rate(t[2], t[3])] for t in m.teams
                    if (t[0], t[1]) == (area, team)]
    return out


def write(book: Book, data: ReportData) -> None:
    figures: AppraisalFigures | None = data.extra.get(APPRAISALS)
    if figures is None:
        return
    ws = book.wb.add_worksheet(APPRAISALS)
    ws.write(0, 0, "Annual appraisals in date (framework 9.2)", book.title)
    note = (f"{data.scope_label}, {data.period_label}: at the end of each month, the staff with a manager on the "
            "roster whose annual appraisal was in date (not overdue); the figures beside the monthly supervision "
            "compliance card.")
    if figures.not_over:
        note += f" Not over yet, so left out: {', '.join(format_month(m) for m in figures.not_over)}."
    ws.write(1, 0, note)
    first, _last = book.table(ws, 3, HEADERS, rows(figures, data.scope_label), TABLE, {RATE_COLUMN: book.percent})
    ws.freeze_panes(first + 1, 2)
