"""Supervision compliance (framework 9.1) per team at the end of a month: supervisees, the share with a
1:1 in date, apart the share whose last 1:1 lasted the standard one and a half hours (those recorded without
a duration counted apart, not as short), ASYE in date, case supervision in date, agreements in date, and
whether group supervision was held. Sent on the first working day of the next month to each service lead
(their service areas' teams), the QA unit and the principal social worker (the whole service), and the group
supervision figures alone to the Practice Development Team (the roster team QA_PRACTICE_DEVELOPMENT_TEAM
names, who monitor it); `supervision status` prints it (`--group` the group figures alone).
"In date" is qa.supervision.in_date: a supervisee with no 1:1 (or review) on record is left out until their
first is due and counts as not in date from then ("none due" when nobody is counted), never as in date.
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
from qa.supervision import (
    AGREEMENT,
    CASE,
    FULL_LENGTH,
    LENGTH_NOT_RECORDED,
    ONE_TO_ONE,
    SHORT,
    Cadences,
    in_date,
    one_to_one_length,
)
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
        if s.id in board.facts and (s.joined is None or s.joined <= end):
            teams.setdefault(s.team, []).append(s.id)
            areas.setdefault(s.team, s.areas[0] if s.areas else "")
    out = []
    for team, ids in teams.items():
        def share(kind: str, who: list[int]) -> tuple[int, int]:
            answers = [in_date(board.facts[i], kind, end, cal, cadences) for i in who]
            return sum(1 for a in answers if a), sum(1 for a in answers if a is not None)
        asye = [i for i in ids if (a := board.facts[i].asye) is not None and a.active_on(end, cadences)]
        held = any(d.year == year and d.month == month for d in board.group_held.get(team, ()))
        lengths = [one_to_one_length(board.facts[i], cadences) for i in ids]
        full = (lengths.count(FULL_LENGTH), lengths.count(FULL_LENGTH) + lengths.count(SHORT))
        out.append(TeamCompliance(team, areas[team], len(ids), share(ONE_TO_ONE, ids), share(ONE_TO_ONE, asye),
                                  share(CASE, ids), share(AGREEMENT, ids), held, full,
                                  lengths.count(LENGTH_NOT_RECORDED)))
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
                           (sum(_held(t) for t in ts), sum(_teams(t) for t in ts)), total(ts, "full_length"),
                           sum(t.length_not_recorded for t in ts))
            for area, ts in areas.items()]


def _held(t: TeamCompliance) -> int:
    return t.group_held[0] if isinstance(t.group_held, tuple) else int(t.group_held)


def _teams(t: TeamCompliance) -> int:
    return t.group_held[1] if isinstance(t.group_held, tuple) else 1


def view_for(teams: list[TeamCompliance], year: int, month: int, scope: str, cadences: Cadences = Cadences(),
             group_only: bool = False) -> ComplianceView:
    key = f"{year:04d}-{month:02d}"
    return ComplianceView(key, format_month(key), scope, tuple(teams), cadences.one_to_one_minutes, group_only)


def in_team(person_team: str, team: str) -> bool:
    """Whether a roster team is the named team (case and spacing forgiven); never for an empty name."""
    return bool(team) and " ".join(person_team.split()).casefold() == " ".join(team.split()).casefold()


def whole_service_view(teams: list[TeamCompliance], year: int, month: int, cadences: Cadences = Cadences(),
                       group_only: bool = False) -> ComplianceView:
    """The whole service's card: every team, or beyond MAX_ROWS_ON_CARD teams each service area's totals."""
    if len(teams) <= MAX_ROWS_ON_CARD:
        return view_for(teams, year, month, "the whole service", cadences, group_only)
    areas = by_area(teams)
    return view_for(areas[:MAX_ROWS_ON_CARD], year, month, (
        f"the whole service, per service area ({len(teams)} teams"
        + (f"; the first {MAX_ROWS_ON_CARD} of {len(areas)} areas" if len(areas) > MAX_ROWS_ON_CARD else "")
        + ")"), cadences, group_only)


async def monthly_reports(session: AsyncSession, year: int, month: int, cal: WorkingCalendar,
                          cadences: Cadences = Cadences(), practice_development_team: str = ""
                          ) -> list[tuple[int, ComplianceView]]:
    """(recipient id, their view) for every service lead with teams, the QA unit and the PSW (the whole
    service), and everyone on the roster in `practice_development_team` (the group supervision figures of
    the whole service; a member who is also one of the others gets their own view only)."""
    board = await load_board(session, month_end(year, month), cal.tz)
    teams = team_figures(board, year, month, cal, cadences)
    whole_service = whole_service_view(teams, year, month, cadences)
    group_figures = whole_service_view(teams, year, month, cadences, group_only=True)
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
                                                   if len(mine) > MAX_ROWS_ON_CARD else ""), cadences)))
                continue
        if person.role in WHOLE_SERVICE_ROLES:
            out.append((person.id, whole_service))
        elif in_team(person.team, practice_development_team):
            out.append((person.id, group_figures))
    return out


def describe(view: ComplianceView) -> str:
    what = "group supervision" if view.group_only else "supervision compliance"
    lines = [f"{what} at the end of {view.month_words} ({view.scope}): {len(view.teams)} teams"]
    for t in view.teams:
        lines.append(f"{t.team} ({t.area})")
        lines += [f"  {title}: {value}" for title, value in compliance_pairs(t, view.standard_minutes,
                                                                               view.group_only)]
    return "\n".join(lines)


async def status_text(ctx: Context, *, team: str | None = None, area: str | None = None,
                      cadences: Cadences | None = None, group_only: bool = False) -> str:
    """`supervision status`: the figures the monthly message gives, for last month, optionally one team or area;
    `group_only`: the group supervision figures alone (the Practice Development Team's)."""
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
    return describe(view_for(teams, previous.year, previous.month, scope, cadences, group_only))
