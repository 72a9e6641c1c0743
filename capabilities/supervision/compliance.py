"""Supervision compliance (framework 9.1) per team at the end of a month: supervisees, the share with a
1:1 in date, ASYE in date, case supervision in date, agreements in date, and whether group supervision
was held. Sent on the first working day of the next month to each service lead (their service areas'
teams), the QA unit and the principal social worker (the whole service); `supervision status` prints it.
"""
from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.registry import CommandError
from dialogs.card_kit import format_month
from dialogs.supervision_cards import ComplianceView, TeamCompliance, compliance_pairs
from qa.calendar import WorkingCalendar
from qa.framework import Role
from qa.supervision import AGREEMENT, CASE, ONE_TO_ONE, Cadences, in_date
from storage.supervision import Board, load_board

WHOLE_SERVICE_ROLES = (Role.QA_UNIT, Role.PRINCIPAL_SOCIAL_WORKER)
# A card lists at most this many teams (a large council's whole service has hundreds): beyond it, the whole
# service's card gives each service area's totals, and `python -m bot supervision status` every team.
MAX_ROWS_ON_CARD = 40


def month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def team_figures(board: Board, year: int, month: int, cal: WorkingCalendar,
                 cadences: Cadences = Cadences()) -> list[TeamCompliance]:
    """Every team with supervisees, by area then team, as of the end of the month."""
    end = month_end(year, month)
    teams: dict[str, list[int]] = {}
    areas: dict[str, str] = {}
    for s in board.staff.values():
        if s.id in board.facts and s.joined <= end:
            teams.setdefault(s.team, []).append(s.id)
            areas.setdefault(s.team, s.areas[0] if s.areas else "")
    out = []
    for team, ids in teams.items():
        def share(kind: str, who: list[int]) -> tuple[int, int]:
            answers = [in_date(board.facts[i], kind, end, cal, cadences) for i in who]
            return sum(1 for a in answers if a), sum(1 for a in answers if a is not None)
        asye = [i for i in ids if (a := board.facts[i].asye) is not None and a.active_on(end, cadences)]
        held = any(d.year == year and d.month == month for d in board.group_held.get(team, ()))
        out.append(TeamCompliance(team, areas[team], len(ids), share(ONE_TO_ONE, ids), share(ONE_TO_ONE, asye),
                                  share(CASE, ids), share(AGREEMENT, ids), held))
    return sorted(out, key=lambda t: (t.area.casefold(), t.team.casefold()))


def by_area(teams: list[TeamCompliance]) -> list[TeamCompliance]:
    """Each service area's totals, as one row each (named for the area)."""
    areas: dict[str, list[TeamCompliance]] = {}
    for t in teams:
        areas.setdefault(t.area, []).append(t)

    def total(ts: list[TeamCompliance], name: str) -> tuple[int, int]:
        pairs = [getattr(t, name) for t in ts]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    return [TeamCompliance(f"{area or 'No service area'}: {len(ts)} teams", "", sum(t.supervisees for t in ts),
                           total(ts, "one_to_one"), total(ts, "asye"), total(ts, "case"), total(ts, "agreement"),
                           (sum(1 for t in ts if t.group_held), len(ts)))
            for area, ts in areas.items()]


def view_for(teams: list[TeamCompliance], year: int, month: int, scope: str) -> ComplianceView:
    key = f"{year:04d}-{month:02d}"
    return ComplianceView(key, format_month(key), scope, tuple(teams))


async def monthly_reports(session: AsyncSession, year: int, month: int, cal: WorkingCalendar,
                          cadences: Cadences = Cadences()) -> list[tuple[int, ComplianceView]]:
    """(recipient id, their view) for every service lead with teams, the QA unit and the PSW."""
    board = await load_board(session, month_end(year, month), cal.tz)
    teams = team_figures(board, year, month, cal, cadences)
    whole_service = view_for(teams, year, month, "the whole service")
    if len(teams) > MAX_ROWS_ON_CARD:
        areas = by_area(teams)
        whole_service = view_for(areas[:MAX_ROWS_ON_CARD], year, month, (
            f"the whole service, per service area ({len(teams)} teams"
            + (f"; the first {MAX_ROWS_ON_CARD} of {len(areas)} areas" if len(areas) > MAX_ROWS_ON_CARD else "")
            + "; every team: python -m bot supervision status)"))
    teams_of: dict[str, list[TeamCompliance]] = {}
    for t in teams:
        teams_of.setdefault(t.area, []).append(t)
    out = []
    for person in sorted(board.staff.values(), key=lambda p: p.id):
        if person.role == Role.SERVICE_LEAD:
            mine = [t for area in person.areas for t in teams_of.get(area, ())]
            if mine:
                out.append((person.id, view_for(mine[:MAX_ROWS_ON_CARD], year, month, "your service areas' teams"
                                                + (f" (the first {MAX_ROWS_ON_CARD} of {len(mine)})"
                                                   if len(mine) > MAX_ROWS_ON_CARD else ""))))
        elif person.role in WHOLE_SERVICE_ROLES:
            out.append((person.id, whole_service))
    return out


def describe(view: ComplianceView) -> str:
    lines = [f"supervision compliance at the end of {view.month_words} ({view.scope}): {len(view.teams)} teams"]
    for t in view.teams:
        lines.append(f"{t.team} ({t.area})")
        lines += [f"  {title}: {value}" for title, value in compliance_pairs(t)]
    return "\n".join(lines)


async def status_text(ctx: Context, *, team: str | None = None, area: str | None = None,
                      cadences: Cadences | None = None) -> str:
    """`supervision status`: the figures the monthly message gives, for last month, optionally one team or area."""
    from capabilities.supervision import config

    cadences = cadences or config.cadences()
    today = ctx.calendar.local_date(ctx.clock())
    previous = today.replace(day=1) - timedelta(days=1)
    async with ctx.db.sessions() as session:
        board = await load_board(session, month_end(previous.year, previous.month), ctx.calendar.tz)
    teams = [t for t in team_figures(board, previous.year, previous.month, ctx.calendar, cadences)
             if (team is None or t.team.casefold() == team.casefold())
             and (area is None or t.area.casefold() == area.casefold())]
    scope = "the whole service" if team is None and area is None else (f"team {team}" if team else f"area {area}")
    if not teams and (team or area):
        raise CommandError(f"no team with supervisees matches {scope}")
    return describe(view_for(teams, previous.year, previous.month, scope))
