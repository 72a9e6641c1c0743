"""Supervision compliance (framework 9.1) per team at the end of a month, with annual appraisals in date beside
it (framework 9.2; capabilities/workforce/appraisal.py): supervisees, the share with a
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
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from capabilities.context import Context
from capabilities.registry import CommandError
from capabilities.workforce import appraisal
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
    SuperviseeFacts,
    in_date,
    one_to_one_length,
)
from storage.supervision import (
    Board,
    FactsGroup,
    compliance_groups,
    first_area,
    load_board,
    supervisee_team_areas,
    teams_with_group_supervision,
)

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
    teams: dict[str, list[tuple[SuperviseeFacts, int]]] = {}
    areas: dict[str, str] = {}
    for s in board.staff.values():
        if s.id in board.facts and (s.joined is None or s.joined <= end):
            teams.setdefault(s.team, []).append((board.facts[s.id], 1))
            areas.setdefault(s.team, s.areas[0] if s.areas else "")
    held = {team for team, days in board.group_held.items() if any(d.year == year and d.month == month for d in days)}
    return _tally(teams, areas, held, end, cal, cadences)


def _tally(teams: dict[str, list[tuple[SuperviseeFacts, int]]], areas: dict[str, str], held: set[str], end: date,
           cal: WorkingCalendar, cadences: Cadences) -> list[TeamCompliance]:
    """Each team's figures from its supervisees' facts, each fact set standing for `count` supervisees
    (one each from a board; a group of alike supervisees from `teams_at`), by area then team."""
    # Within this one call, alike supervisees (the same dates, wherever they work) get one verdict: the rules
    # are pure functions of these facts, so the memo is exact; it is dropped when the call returns.
    memo: dict[tuple, tuple[bool | None, bool, bool | None, bool | None, str | None]] = {}

    def verdict(f: SuperviseeFacts) -> tuple[bool | None, bool, bool | None, bool | None, str | None]:
        key = (f.joined, tuple(sorted(f.last.items())), f.asye, f.cases, f.last_one_to_one_minutes, f.on_record_from)
        found = memo.get(key)
        if found is None:
            found = memo[key] = (in_date(f, ONE_TO_ONE, end, cal, cadences),
                                 f.asye is not None and f.asye.active_on(end, cadences), in_date(f, CASE, end, cal, cadences),
                                 in_date(f, AGREEMENT, end, cal, cadences), one_to_one_length(f, cadences))
        return found

    def share(answers: list[tuple[bool | None, int]]) -> tuple[int, int]:
        return sum(n for a, n in answers if a), sum(n for a, n in answers if a is not None)

    out = []
    for team, members in teams.items():
        verdicts = [(verdict(facts), n) for facts, n in members]
        lengths: Counter[str | None] = Counter()
        for v, n in verdicts:
            lengths[v[4]] += n
        full = (lengths[FULL_LENGTH], lengths[FULL_LENGTH] + lengths[SHORT])
        out.append(TeamCompliance(team, areas[team], sum(n for _, n in members), share([(v[0], n) for v, n in verdicts]),
                                  share([(v[0], n) for v, n in verdicts if v[1]]),
                                  share([(v[2], n) for v, n in verdicts]), share([(v[3], n) for v, n in verdicts]),
                                  team in held, full, lengths[LENGTH_NOT_RECORDED]))
    return sorted(out, key=lambda t: (t.area.casefold(), t.team.casefold()))


async def team_areas_at(session: AsyncSession, year: int, month: int, *, wanted: Callable[[str, str], bool] | None = None,
                        among: Collection[str] | None = None) -> dict[str, str]:
    """The teams with supervisees at the end of the month that `wanted(team, area)` keeps (None: all), each with
    its service area as the figures name it, in their first supervisee's order; `among`: see `teams_at`."""
    areas = await supervisee_team_areas(session, month_end(year, month), among)
    return areas if wanted is None else {team: area for team, area in areas.items() if wanted(team, area)}


async def teams_at(session: AsyncSession, year: int, month: int, cal: WorkingCalendar, cadences: Cadences = Cadences(),
                   *, wanted: Callable[[str, str], bool] | None = None, among: Collection[str] | None = None,
                   areas: Mapping[str, str] | None = None) -> list[TeamCompliance]:
    """`team_figures` for the teams `wanted(team, area)` keeps (None: every team), without loading the board:
    their supervisees grouped in SQL by the facts the figures read (storage.supervision.compliance_groups),
    one row per alike group, not per person. For some teams, their areas are read first and then only those
    teams' supervisees; `among` (service areas the wanted teams' areas are among, when known) narrows that
    first read to the teams with someone in them; `areas` (from `team_areas_at`) skips it. The same figures
    as `team_figures`."""
    end = month_end(year, month)
    if areas is None and wanted is None:
        groups = await compliance_groups(session, end, cal.tz)
        firsts: dict[str, FactsGroup] = {}  # a team's area: its first supervisee's (by roster id)
        for group in groups:
            if group.team not in firsts or group.first < firsts[group.team].first:
                firsts[group.team] = group
        # In first supervisee's order, as team_figures meets them (teams whose names differ only in case keep it).
        areas = {team: first_area(group.service_area)
                 for team, group in sorted(firsts.items(), key=lambda kv: kv[1].first)}
    else:
        if areas is None:
            areas = await team_areas_at(session, year, month, wanted=wanted, among=among)
        groups = await compliance_groups(session, end, cal.tz, areas) if areas else []
    teams: dict[str, list[tuple[SuperviseeFacts, int]]] = {team: [] for team in areas}
    for group in groups:
        teams[group.team].append((group.facts, group.count))
    held = await teams_with_group_supervision(session, date(year, month, 1), end) if teams else set()
    return _tally(teams, dict(areas), held, end, cal, cadences)


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
                           sum(t.length_not_recorded for t in ts),
                           (sum(t.appraisal[0] for t in ts if t.appraisal), sum(t.appraisal[1] for t in ts if t.appraisal)))
            for area, ts in areas.items()]


async def with_appraisals(session: AsyncSession, teams: list[TeamCompliance], as_of: date,
                          cal: WorkingCalendar) -> list[TeamCompliance]:
    """Each team's figures with its annual appraisals in date on `as_of` beside them (framework 9.2;
    capabilities/workforce/appraisal.py)."""
    figures = await appraisal.team_figures(session, as_of, cal, appraisal.window())
    return [replace(t, appraisal=figures.get(t.team, (0, 0))) for t in teams]


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
    teams = await with_appraisals(session, team_figures(board, year, month, cal, cadences), month_end(year, month),
                                  cal)
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
    def wanted(t: str, a: str) -> bool:
        return (team is None or t.casefold() == team.casefold()) and (area is None or a.casefold() == area.casefold())

    async with ctx.db.sessions() as session:
        teams = await teams_at(session, previous.year, previous.month, ctx.calendar, cadences,
                               wanted=None if team is None and area is None else wanted)
        teams = await with_appraisals(session, teams, month_end(previous.year, previous.month), ctx.calendar)
    scope = "the whole service" if team is None and area is None else (f"team {team}" if team else f"area {area}")
    if not teams and (team or area):
        raise CommandError(f"no team with supervisees matches {scope}")
    return describe(view_for(teams, previous.year, previous.month, scope, cadences, group_only))
