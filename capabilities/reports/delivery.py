"""The reports in Teams (framework 9.3): who gets which, the card with the headline figures, the
workbook offered through Teams' file consent card, and making the file when it is accepted.

Who: the QA unit and the deputy director get the whole service; each service lead gets their own
service areas. Checked on the server every time (the consent card's context carries the report's
kind and period only, and a button's data the same).
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from capabilities.context import Context
from capabilities.registry import FileMade, FileOffer, OutboxKind
from capabilities.reports import build, workbook
from capabilities.reports.build import REGISTER, Made, Request, month_name
from dialogs import report_cards as rc
from dialogs.payload import Payload
from qa.audit_calendar import parse_month_key
from qa.calendar import WorkingCalendar
from qa.reports import period_label
from storage.models import Person, TrailEvent

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

OFFER = "report"
WHOLE = ("qa_unit", "deputy_director")
AREA = "service_lead"
ROLES = frozenset({*WHOLE, AREA})
NOT_FOR_YOU = ("Reports are for the QA unit, the deputy director and service leads (for their service areas). "
               "Nothing was sent.")
NO_AREAS = ("The roster gives you no service area, so I have no figures to send you. Please ask the QA unit "
            "to update the roster.")


def _sample() -> dict:
    from dialogs import samples

    return samples.report_card_samples()["report_card_whole_service"]


REPORT = OutboxKind("audit-report", rc.report_card, _sample)


def scope_of(person: Person | None) -> tuple[str, ...] | str:
    """() for the whole service, a service lead's areas, or why they get no report."""
    if person is None or person.role not in ROLES:
        return NOT_FOR_YOU
    if person.role in WHOLE:
        return ()
    return tuple(person.service_areas) or NO_AREAS


def view_of(request: Request, data: workbook.ReportData, file_name: str | None) -> rc.ReportCardView:
    a = data.analysis
    lines = tuple(rc.FigureLine(t.label, t.value, t.previous, t.arrow) for t in a.trends(a.scopes[0]))
    areas = tuple(rc.AreaLine(area, f.allocated, f.completed, f.on_time, f.late, f.outstanding)
                  for area in a.areas for f in (a.total(area),))
    return rc.ReportCardView(title=request.title, period=request.label, scope=data.scope_label,
                             before=tuple(period_label(p) for p in a.periods), lines=lines,
                             areas=areas if len(areas) > 1 else (),
                             extra=tuple(workbook.headline_rows(data)), file_name=file_name)


def context_of(kind: str, period: str) -> dict[str, str]:
    return {"offer": OFFER, "report": kind, "period": period}


def payload(card: dict, summary: str, made: Made, kind: str, period: str) -> Payload:
    """An outbox payload: the card, then the consent card offering the workbook (its own message)."""
    consent = rc.file_consent_attachment(made.name, made.description, len(made.data), context_of(kind, period))
    return Payload.of(card, summary, attachments=(consent,))


async def report_payload(session: AsyncSession, request: Request, cal: WorkingCalendar, today: date,
                         areas: tuple[str, ...]) -> tuple[Payload, workbook.ReportData]:
    """The payload offering `request`'s workbook for `areas` (() = whole service)."""
    data = await build.load(session, request, cal, today, areas)
    made = build.made(request, data, areas)
    summary = f"{request.title}, {request.label}: {data.scope_label}"
    return payload(rc.report_card(view_of(request, data, made.name)), summary, made, request.kind,
                   request.period), data


def register_months(period: str) -> tuple[str, str]:
    """"2025-12..2026-11" -> ("2025-12", "2026-11"); ValueError otherwise."""
    first, sep, last = period.partition("..")
    parse_month_key(first)
    parse_month_key(last)
    if not sep or last < first:
        raise ValueError(f"not a range of months: {period!r}")
    return first, last


async def register_payload(session: AsyncSession, period: str, cal: WorkingCalendar, today: date,
                           areas: tuple[str, ...]) -> Payload:
    first, last = register_months(period)
    made = await build.register_made(session, cal, today, first, last, areas)
    title = f"Audit register, {month_name(first)} to {month_name(last)}"
    card = rc.file_offer_card(title, made.description)
    return payload(card, title, made, REGISTER, period)


async def make_file(ctx: Context, person: Person | None, context: Mapping[str, Any], now: datetime) -> FileMade | str:
    """The workbook a consent card offered, made now for the person who accepted it (re-checked)."""
    scope = scope_of(person)
    if isinstance(scope, str):
        return scope
    kind, period = context.get("report"), context.get("period")
    if not isinstance(kind, str) or not isinstance(period, str):
        return "I couldn't tell which report this was. Type \"report\" to choose one again."
    today = ctx.calendar.local_date(now)
    async with ctx.db.sessions.begin() as session:
        try:
            if kind == REGISTER:
                first, last = register_months(period)
                made = await build.register_made(session, ctx.calendar, today, first, last, scope)
            else:
                request = Request.parse(kind, period)
                made = build.made(request, await build.load(session, request, ctx.calendar, today, scope), scope)
        except ValueError:
            return "I couldn't tell which report this was. Type \"report\" to choose one again."
        session.add(TrailEvent(subject_type="report", subject_id=None, month=None, actor_id=person.id,
                               action="report_sent", via="teams:file consent",
                               detail={"report": kind, "period": period[:20], "bytes": len(made.data),
                                       "areas": len(scope)}, at=now))
    return FileMade(made.name, made.data, "xlsx")


FILES = (FileOffer(OFFER, make_file),)
