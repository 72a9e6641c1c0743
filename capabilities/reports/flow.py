"""Reports' use cases, each one transaction on the kit's `unit` that re-checks who may have the
report (access.py) and writes one trail row (the report's kind and period, sizes; never figures):

- `send_report`: a report chosen from the `report` menu goes to the person who chose it (a card
  and the workbook offered by a file consent card, written to the outbox due now).
- `make_report_file`: the workbook a consent card offered, made when the person accepts it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from capabilities.context import Context
from capabilities.kit import Act, Outcome, Status, invalid, refuse, unit, use_case
from capabilities.press import UNREADABLE
from capabilities.registry import FileMade
from capabilities.reports import access, build, delivery
from capabilities.reports.build import REGISTER, Request

SENDING = "I'm sending it to you here now: press Allow on the file card to save the workbook."
WHICH_REPORT = "I couldn't tell which report this was. Type \"report\" to choose one again."


@dataclass
class FileOutcome(Outcome):
    file: FileMade | None = None  # the workbook made, when done


def _scope(act: Act) -> access.Scope:
    scope = access.scope_of(act.actor)
    if isinstance(scope, str):
        refuse(scope)
    return scope


@use_case(Outcome)
async def send_report(ctx: Context, actor_id: int | None, kind: str, period: str, *, now: datetime,
                      via: str) -> Outcome:
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_FOR_YOU) as act:
        scope = _scope(act)
        today = ctx.calendar.local_date(now)
        try:
            if kind == REGISTER:
                payload = await delivery.register_payload(act.session, period, ctx.calendar, today, scope.areas,
                                                          team=scope.team)
            else:
                payload = (await delivery.report_payload(act.session, Request.parse(kind, period), ctx.calendar,
                                                         today, scope.areas, team=scope.team))[0]
        except ValueError:
            invalid(UNREADABLE)
        await act.notify(delivery.REPORT, [act.actor], payload, due_at=now,
                         key=lambda pid: f"audit-report-asked:{kind}:{period}:{pid}:{now.isoformat()}")
        act.trail("report", None, "report_asked", report=kind, period=period[:20], areas=len(scope.areas),
                  team=scope.team is not None)
        return Outcome(Status.DONE, SENDING, urgent=True)


@use_case(FileOutcome)
async def make_report_file(ctx: Context, actor_id: int | None, kind: object, period: object, *, now: datetime,
                           via: str) -> FileOutcome:
    async with unit(ctx, actor_id, now=now, via=via, not_on_roster=access.NOT_FOR_YOU) as act:
        scope = _scope(act)
        if not isinstance(kind, str) or not isinstance(period, str):
            invalid(WHICH_REPORT)
        today = ctx.calendar.local_date(now)
        try:
            if kind == REGISTER:
                first, last = delivery.register_months(period)
                made = await build.register_made(act.session, ctx.calendar, today, first, last, scope.areas,
                                                  team=scope.team)
            else:
                request = Request.parse(kind, period)
                data = await build.load(act.session, request, ctx.calendar, today, scope.areas, team=scope.team)
                made = build.made(request, data, scope.areas, team=scope.team)
        except ValueError:
            invalid(WHICH_REPORT)
        act.trail("report", None, "report_sent", report=kind, period=period[:20], bytes=len(made.data),
                  areas=len(scope.areas), team=scope.team is not None)
        return FileOutcome(Status.DONE, file=FileMade(made.name, made.data, "xlsx"))
