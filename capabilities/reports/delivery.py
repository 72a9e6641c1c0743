"""The reports in Teams (framework 9.3): the card with the headline figures and the workbook
offered through Teams' file consent card, as an outbox payload (who gets which: access.py)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from capabilities.registry import OutboxKind
from capabilities.reports import build, workbook
from capabilities.reports.build import REGISTER, Made, Request, month_name
from dialogs import report_cards as rc
from dialogs.payload import Payload
from qa.audit_calendar import parse_month_key
from qa.calendar import WorkingCalendar
from qa.reports import RegisterRow, period_label

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

OFFER = "report"


def _sample() -> dict:
    from dialogs import samples

    return samples.report_card_samples()["report_card_whole_service"]


REPORT = OutboxKind("audit-report", rc.report_card, _sample)


def view_of(request: Request, data: workbook.ReportData, file_name: str | None) -> rc.ReportCardView:
    a = data.analysis
    lines = tuple(rc.FigureLine(t.label, t.value, t.previous, t.arrow, t.reading) for t in a.trends(a.scopes[0]))
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
                         areas: tuple[str, ...], rows: Sequence[RegisterRow] | None = None, *,
                         team: str | None = None) -> tuple[Payload, workbook.ReportData]:
    """The payload offering `request`'s workbook for `areas` (() = whole service; `team`: that team's
    allocations only); `rows` as `build.load` takes them."""
    data = await build.load(session, request, cal, today, areas, rows, team=team)
    made = build.made(request, data, areas, team=team)
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
                           areas: tuple[str, ...], *, team: str | None = None) -> Payload:
    first, last = register_months(period)
    made = await build.register_made(session, cal, today, first, last, areas, team=team)
    title = f"Audit register, {month_name(first)} to {month_name(last)}"
    card = rc.file_offer_card(title, made.description)
    return payload(card, title, made, REGISTER, period)
