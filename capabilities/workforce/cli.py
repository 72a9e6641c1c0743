"""The workforce duties' CLI: `workforce status [--team T] [--area A]`: per team, the ASYEs' review points
(held, overdue, due), annual appraisals in date, registration numbers held for registered staff and those who
confirmed this year's Social Work England renewal and CPD; new starters' inductions; then each ASYE's points."""
from __future__ import annotations

import argparse

from capabilities.context import Context
from capabilities.registry import CliCommand, CommandError
from capabilities.workforce import appraisal
from capabilities.workforce.asye import cohort
from capabilities.workforce.duties import renewal_figures
from capabilities.workforce.induction_duties import figures as induction_figures
from capabilities.workforce.induction_duties import status_lines as induction_lines
from qa.supervision import OVERDUE
from qa.workforce import BEFORE_RECORD, HELD, point_words
from storage.workforce import StaffMember, workforce


def _add(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True)
    status = sub.add_parser("status", help="ASYE review points, appraisals in date and registration numbers per team, today")
    status.add_argument("--team", default=None, help="only this team")
    status.add_argument("--area", default=None, help="only this service area")


def _chosen(s: StaffMember, team: str | None, area: str | None) -> bool:
    return (team is None or s.team.casefold() == team.strip().casefold()) and \
        (area is None or area.strip().casefold() in {a.casefold() for a in s.areas})


async def status_text(ctx: Context, *, team: str | None = None, area: str | None = None) -> str:
    """The figures as plain text, as of today (the council's local day)."""
    today = ctx.calendar.local_date(ctx.clock())
    async with ctx.db.sessions() as session:
        staff = await workforce(session, ctx.calendar.tz)
        statuses = await cohort(session, today, ctx.calendar, staff)
        appraisals = await appraisal.team_figures(session, today, ctx.calendar, appraisal.window())
        _confirmed, renewals = await renewal_figures(session, staff, today.year)
        inductions = await induction_figures(session, ctx.calendar, today, today.replace(day=1), staff)
    renewed = {team: done for team, done, _of in renewals}
    people = [s for s in staff.values() if _chosen(s, team, area)]
    if not staff:
        return f"Workforce status on {today.isoformat()}: nobody on the roster yet (python -m bot roster import)"
    if not people:
        raise CommandError("nobody on the roster matches " + " and ".join(
            w for w in (f"team {team!r}" if team else "", f"area {area!r}" if area else "") if w))
    asyes = [a for a in statuses if _chosen(a.person, team, area)]
    lines = [f"Workforce status on {today.isoformat()}"
             + (f" (team {team})" if team else "") + (f" (area {area})" if area else "")]
    lines.append("team | ASYEs | ASYE reviews held | overdue | due later | appraisals in date | registered staff | "
                 f"with SWE number | renewed {today.year}, CPD recorded")
    for name in sorted({s.team for s in people}, key=str.casefold):
        ours = [a for a in asyes if a.person.team == name]
        points = [p for a in ours for p in a.points if p.standing != BEFORE_RECORD]
        registered = [s for s in people if s.team == name and s.registered]
        lines.append(f"{name} | {len(ours)} | {sum(p.standing == HELD for p in points)} | "
                     f"{sum(p.standing == OVERDUE for p in points)} | "
                     f"{sum(p.standing not in (HELD, OVERDUE) for p in points)} | "
                     f"{'{} of {}'.format(*appraisals.get(name, (0, 0)))} | {len(registered)} | "
                     f"{sum(s.registration_number is not None for s in registered)} | {renewed.get(name, 0)}")
    lines += induction_lines(inductions, {s.team for s in people})
    if asyes:
        lines.append("")
        lines.append("ASYEs:")
        for a in asyes:
            lines.append(f"{a.person.name} ({a.person.team}), started {a.person.asye_start}: "
                         + "; ".join(f"{p.title} {point_words(p)}" for p in a.points))
    return "\n".join(lines)


async def _workforce(args: argparse.Namespace, ctx: Context) -> int:
    print(await status_text(ctx, team=args.team, area=args.area))
    return 0


COMMANDS = (
    CliCommand("workforce", "the workforce duties (framework 9.2, 9.1's ASYE year): status per team",
               _add, _workforce),
)
